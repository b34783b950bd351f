//! `yusuan explain [RULE]`: what a rule checks and why; `yusuan profiles`.

use super::*;

/// Prints one rule's explanation, or every rule's.
pub(super) fn run(rule: Option<String>) -> i32 {
    let rules = crate::diag::RULES;
    match rule {
        None => {
            for (id, zh, en) in rules {
                let t = Text::new(*zh, *en);
                out(format_args!("{id:<16} {}", t.get(lang())));
            }
            0
        }
        Some(r) => match rules
            .iter()
            .find(|(id, ..)| id.eq_ignore_ascii_case(r.trim()))
        {
            Some((id, zh, en)) => {
                let t = Text::new(*zh, *en);
                out(format_args!("{id}: {}", t.get(lang())));
                0
            }
            None => {
                let r = crate::diag::printable(&r);
                let valid = rules
                    .iter()
                    .map(|(id, ..)| *id)
                    .collect::<Vec<_>>()
                    .join(", ");
                error(text!(
                    "没有规则 \"{r}\"；可用：{valid}",
                    "no rule \"{r}\"; valid: {valid}"
                ));
                2
            }
        },
    }
}

/// Lists the built-in regional profiles.
pub(super) fn profiles() -> i32 {
    for p in crate::profile::builtins() {
        out(format_args!("{:<10} {}", p.name, p.description));
    }
    0
}

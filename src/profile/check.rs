//! `yusuan profile check DIR`: what loading a profile cannot see — its
//! templates' syntax, the tables they name, files that replace nothing.
//! Each problem is located at the template's file:line:col.

use super::Profile;
use crate::diag::{Diagnostic, Diagnostics};
use crate::text;

/// The problems of `p`'s own templates, one [`Diagnostics`] per file that
/// has any.
pub fn templates(p: &'static Profile) -> Vec<Diagnostics> {
    let dir = p.dir.clone().unwrap_or_default().join("templates");
    let ids: Vec<&str> = p.tables.iter().map(|t| t.id.as_str()).collect();
    let builtin = crate::render::template_names();
    // Every template text the document may use: a helper is a file one of them names.
    let mut texts: Vec<&str> = crate::render::BUILTIN_TEMPLATES
        .iter()
        .map(|(_, t)| *t)
        .collect();
    let mut q = Some(p);
    while let Some(x) = q {
        texts.extend(x.templates.iter().map(|(_, t)| t.as_str()));
        q = x.base;
    }
    let mut out = vec![];
    for (name, text) in &p.templates {
        let mut d = Diagnostics::new(dir.join(name).display().to_string(), text.clone());
        let env = minijinja::Environment::new();
        if let Err(e) = env.template_from_named_str(name, text) {
            let span = e
                .line()
                .map(|l| line_start(text, l)..line_start(text, l) + 1);
            let detail = e.detail().unwrap_or_default().to_string();
            let kind = e.kind().to_string();
            d.push(Diagnostic::error(
                "template",
                span,
                text!(
                    "模板语法错误：{kind}：{detail}",
                    "template syntax: {kind}: {detail}"
                ),
            ));
        }
        for (at, id) in table_references(text) {
            if !ids.contains(&id.as_str()) && !["order", "zeros"].contains(&id.as_str()) {
                let valid = ids.join(", ");
                d.push(Diagnostic::error(
                    "template",
                    Some(at..at + id.len()),
                    text!(
                        "模板引用了表 \"{id}\"，而样式中没有这张表；样式中的表：{valid}",
                        "the template names table \"{id}\", which the profile does not have; its tables: {valid}"
                    ),
                ));
            }
        }
        let replaces = builtin.contains(&name.as_str())
            || name
                .strip_prefix("tables/")
                .and_then(|n| n.strip_suffix(".typ.j2"))
                .is_some_and(|id| ids.contains(&id));
        let quoted = [format!("\"{name}\""), format!("'{name}'")];
        let used = texts
            .iter()
            .any(|t| quoted.iter().any(|q| t.contains(q.as_str())));
        if !replaces && !used {
            d.push(Diagnostic::warning(
                "template",
                None,
                text!(
                    "这个模板既不替换任何模板，也没有模板引用它（名字拼错了？表模板应为 tables/<表id>.typ.j2）",
                    "this template replaces no template and no template includes or imports it (a misspelt name? a table's template is tables/<id>.typ.j2)"
                ),
            ));
        }
        if !d.items.is_empty() {
            out.push(d);
        }
    }
    out
}

fn line_start(text: &str, line: usize) -> usize {
    text.split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum::<usize>()
        .min(text.len().saturating_sub(1))
}

/// `report.tables.<id>` and `report.tables["<id>"]` in a template: (byte
/// offset of the id, id).
fn table_references(text: &str) -> Vec<(usize, String)> {
    let mut out = vec![];
    let needle = "report.tables";
    let mut from = 0;
    while let Some(i) = text[from..].find(needle) {
        let at = from + i + needle.len();
        from = at;
        let rest = &text[at..];
        let (skip, quoted) = if let Some(r) = rest.strip_prefix('.') {
            (1, r)
        } else if let Some(r) = rest.strip_prefix("[\"").or_else(|| rest.strip_prefix("['")) {
            (2, r)
        } else {
            continue;
        };
        let id: String = quoted
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !id.is_empty() {
            out.push((at + skip, id));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_table_references_in_both_spellings() {
        let refs = super::table_references(
            "{{ report.tables.general.title }} {{ report.tables[\"x_y\"] }} {{ report.tables }}",
        );
        assert_eq!(refs, [(17, "general".to_string()), (52, "x_y".to_string())]);
    }
}

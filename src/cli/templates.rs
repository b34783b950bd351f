//! `yusuan templates list|export`.

use super::*;

pub(super) fn templates(action: TemplatesAction) -> i32 {
    match action {
        TemplatesAction::List => {
            for (name, _) in crate::render::BUILTIN_TEMPLATES {
                out(format_args!("{name}"));
            }
            0
        }
        TemplatesAction::Export {
            dir,
            force,
            profile,
        } => {
            let profile = match crate::profile::resolve(&profile, None) {
                Ok(p) => p,
                Err(d) => {
                    print_report(&d, false);
                    return 2;
                }
            };
            for name in crate::render::template_names() {
                let content = crate::render::profile_template(profile, name).unwrap_or_default();
                let path = dir.join(name);
                if path.exists() && !force {
                    eprintln!("error: {} exists; use --force to overwrite", path.display());
                    return 1;
                }
                if let Some(parent) = path.parent()
                    && let Err(e) = std::fs::create_dir_all(parent)
                {
                    eprintln!("error: cannot create {}: {e}", parent.display());
                    return 1;
                }
                if let Err(e) = write_atomically(&path, content.as_bytes()) {
                    eprintln!("error: {e}");
                    return 1;
                }
            }
            eprintln!(
                "exported {} templates to {}",
                crate::render::BUILTIN_TEMPLATES.len(),
                dir.display()
            );
            0
        }
    }
}

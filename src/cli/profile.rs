//! `yusuan profile new|check`: a region's profile directory.

use super::*;

pub(super) fn run(action: ProfileAction) -> i32 {
    match action {
        ProfileAction::New {
            name,
            from,
            dir,
            flat,
        } => new(&name, &from, &dir, flat),
        ProfileAction::Check { dir, with } => check(&dir, with.as_deref()),
    }
}

fn new(name: &str, from: &str, dir: &Path, flat: bool) -> i32 {
    let base = match crate::profile::resolve(from, None) {
        Ok(p) => p,
        Err(d) => {
            print_report(&d, false);
            return 2;
        }
    };
    match crate::profile::write::scaffold(base, name, dir, flat) {
        Ok(files) => {
            let (n, d) = (files.len(), dir.display());
            say(text!(
                "已在 {d} 写出样式 \"{name}\"（{n} 个文件）；用 --profile {d} 使用它，用 yusuan profile check {d} 检查它",
                "wrote profile \"{name}\" to {d} ({n} files); use it with --profile {d}, check it with yusuan profile check {d}"
            ));
            0
        }
        Err(e) => {
            error(text!("{e}", "{e}"));
            1
        }
    }
}

fn check(dir: &Path, with: Option<&Path>) -> i32 {
    use crate::tables::Shape;
    let profile = match crate::profile::load(dir) {
        Ok(p) => p,
        Err(d) => {
            print_report(&d, false);
            return 1;
        }
    };
    let mut errors = 0;
    for d in crate::profile::check::templates(profile) {
        errors += d.counts().0;
        print_report(&d, false);
    }
    if errors > 0 {
        let d = dir.display();
        say(text!(
            "{d}：模板有 {errors} 个错误，未试排",
            "{d}: {errors} template error(s); no sample rendered"
        ));
        return 1;
    }
    // A document rendered with it: template errors at their line, Typst's
    // errors traced back to the template line that wrote them.
    let options = crate::Options {
        profile: Some(profile.name.clone()),
        ..Default::default()
    };
    let checked = match with {
        Some(file) => crate::check_file_with(file, options),
        None if profile.final_account => crate::check_str_with(
            "synthetic.toml",
            &crate::synthetic::final_account(60),
            options,
        ),
        // A profile with pivot tables needs amounts with their dimensions.
        None if profile
            .tables
            .iter()
            .any(|t| matches!(t.shape, Shape::Pivot(_) | Shape::Cross(_))) =>
        {
            crate::check_str_with("synthetic.toml", &crate::synthetic::records(60), options)
        }
        None => crate::check_str_with("synthetic.toml", &crate::synthetic::department(40), options),
    };
    let checked = match checked {
        Ok(c) => c,
        Err(d) => {
            print_report(&d, false);
            return 1;
        }
    };
    let engine = match Engine::new(&[]) {
        Ok(e) => e,
        Err(e) => {
            error(text!("{e}", "{e}"));
            return 1;
        }
    };
    let renderer = match Renderer::for_profile(profile, None) {
        Ok(r) => r,
        Err(e) => {
            error(text!("{e}", "{e}"));
            return 1;
        }
    };
    let pages = match crate::render_checked(&engine, &renderer, checked) {
        Ok(r) => r.document.pages().len(),
        Err(crate::RenderError::Invalid(d)) => {
            print_report(&d, false);
            return 1;
        }
        Err(crate::RenderError::Template(m)) => {
            error(text!("{m}", "{m}"));
            return 1;
        }
        Err(crate::RenderError::Typeset(errs)) => {
            typst_failed(&errs);
            return 1;
        }
    };
    let (d, n, t, title) = (
        dir.display(),
        profile.tables.len(),
        profile.templates.len(),
        &profile.title,
    );
    say(text!(
        "{d}：样式 \"{title}\" 可用：{n} 张表，{t} 个自有模板，示例文档 {pages} 页",
        "{d}: profile \"{title}\" is sound: {n} tables, {t} templates of its own, a sample document of {pages} pages"
    ));
    0
}

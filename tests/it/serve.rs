//! `yusuan serve` over plain HTTP: what it refuses (paths outside the
//! workspace, oversized uploads, requests without the token, stale saves)
//! and what a template author sees.

use std::path::Path;
use std::time::Duration;

use serde_json::json;

use crate::common::yusuan;
use crate::web::{Server, json_of};

/// The message of a refusal, in Chinese.
fn refusal(body: &[u8]) -> String {
    json_of(body)["error"]["zh"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

/// Starts "render all" and waits for its end: the final status.
fn render_all(server: &Server) -> serde_json::Value {
    let (status, _) = server.send("POST", "/api/render-all", &[], b"");
    assert_eq!(status, 200);
    server.poll("/api/render-all", Duration::from_secs(120), |v| {
        v["running"] == false
    })
}

fn workspace_with_kaiping() -> tempfile::TempDir {
    let ws = tempfile::tempdir().unwrap();
    std::fs::copy(
        "examples/kaiping-2024.toml",
        ws.path().join("kaiping-2024.toml"),
    )
    .unwrap();
    ws
}

#[test]
fn an_upload_named_outside_the_workspace_is_refused_and_nothing_is_written() {
    let parent = tempfile::tempdir().unwrap();
    let ws = parent.path().join("ws");
    std::fs::create_dir(&ws).unwrap();
    let server = Server::start(&ws, &[]);
    let toml = std::fs::read("examples/kaiping-2024.toml").unwrap();
    for name in [
        "../evil.toml",
        "..%2Fevil.toml",
        "%2Ftmp%2Fevil.toml",
        ".yusuan%2Fx.toml",
        "a%5C..%5Cevil.toml",
    ] {
        let (status, body) = server.send("POST", &format!("/api/upload?name={name}"), &[], &toml);
        assert_eq!(status, 400, "{name}");
        assert!(
            refusal(&body).starts_with("文件名「"),
            "{name}: {}",
            refusal(&body)
        );
    }
    let (_, body) = server.send("POST", "/api/upload?name=..%2Fevil.toml", &[], &toml);
    assert_eq!(
        refusal(&body),
        "文件名「../evil.toml」不可用：不能含 ..、以 . 开头的部分或绝对路径（只能是工作目录里的文件）"
    );
    assert!(!parent.path().join("evil.toml").exists());
    assert!(!Path::new("/tmp/evil.toml").exists());
    assert_eq!(std::fs::read_dir(&ws).unwrap().count(), 0);
    // Reading is held to the same names.
    let (status, _) = server.get("/api/file?name=..%2Fws%2F..%2Fevil.toml");
    assert_eq!(status, 400);
}

#[test]
fn an_oversized_upload_is_refused() {
    let ws = tempfile::tempdir().unwrap();
    let server = Server::start(ws.path(), &[]);
    let big = vec![b'#'; (64 << 20) + 1];
    let (status, body) = server.send("POST", "/api/upload?name=big.toml", &[], &big);
    assert_eq!(status, 413);
    assert_eq!(refusal(&body), "文件太大：最多 64 MB");
    assert!(!ws.path().join("big.toml").exists());
}

#[test]
fn beyond_loopback_every_request_needs_the_token() {
    let ws = workspace_with_kaiping();
    let server = Server::start(ws.path(), &["--bind", "0.0.0.0:0"]);
    let token = server
        .url
        .split_once("?token=")
        .map(|(_, t)| t.to_string())
        .expect("a made token printed in the address");
    assert_eq!(token.len(), 32);
    let (status, body) = server.get("/api/files");
    assert_eq!(status, 403);
    assert_eq!(
        refusal(&body),
        "需要令牌：请用 yusuan serve 打印的完整地址（含 ?token=）打开"
    );
    let (status, _) = server.get("/api/file?name=kaiping-2024.toml&token=wrong");
    assert_eq!(status, 403);
    let (status, body) = server.get(&format!("/api/files?token={token}"));
    assert_eq!(status, 200);
    assert_eq!(json_of(&body)["files"][0]["name"], "kaiping-2024.toml");
    // A given token that is too short is refused at the start.
    let run = yusuan(&[
        &"serve",
        &".",
        &"--bind",
        &"0.0.0.0:0",
        &"--token",
        &"short",
    ]);
    assert_eq!(run.code, Some(1));
    assert_eq!(run.stderr.trim(), "错误：--token 至少 16 个字符");
}

#[test]
fn a_loopback_server_refuses_other_hosts_and_changes_from_other_pages() {
    let ws = workspace_with_kaiping();
    let server = Server::start(ws.path(), &[]);
    // A page of another site that resolves its name to 127.0.0.1.
    let r = ureq::get(&format!("{}/api/files", server.base))
        .set("Host", "evil.example:80")
        .call();
    let status = match r {
        Err(ureq::Error::Status(s, _)) => s,
        other => panic!("{other:?}"),
    };
    assert_eq!(status, 403);
    // A change without yusuan's header (a form posted by another page).
    let r = ureq::post(&format!("{}/api/upload?name=x.toml", server.base)).send_string("x");
    assert!(matches!(r, Err(ureq::Error::Status(403, _))));
    assert!(!ws.path().join("x.toml").exists());
}

#[test]
fn a_profile_directory_outside_the_workspace_is_refused() {
    let ws = workspace_with_kaiping();
    let outside = tempfile::tempdir().unwrap();
    yusuan(&[&"profile", &"new", &"mine", &outside.path().join("mine")]).ok();
    let server = Server::start(ws.path(), &[]);
    let text = std::fs::read_to_string(ws.path().join("kaiping-2024.toml")).unwrap();
    let far = outside.path().join("mine").display().to_string();
    for profile in [far.as_str(), "../mine", "/etc"] {
        let body = json!({"name": "kaiping-2024.toml", "text": text, "profile": profile});
        let (status, body) = server.send("POST", "/api/preview", &[], body.to_string().as_bytes());
        assert_eq!(status, 403, "{profile}");
        assert!(
            refusal(&body).ends_with("不可用：只能选工作目录里含 profile.toml 的目录"),
            "{}",
            refusal(&body)
        );
        let (status, _) = server.get(&format!(
            "/api/stamp?profile={}",
            profile.replace('/', "%2F")
        ));
        assert_eq!(status, 403);
    }
    // A symbolic link inside the workspace to it is refused too.
    std::os::unix::fs::symlink(outside.path().join("mine"), ws.path().join("link")).unwrap();
    let body = json!({"name": "kaiping-2024.toml", "text": text, "profile": "link"});
    let (status, _) = server.send("POST", "/api/preview", &[], body.to_string().as_bytes());
    assert_eq!(status, 403);
}

#[test]
fn a_save_from_a_stale_tab_is_refused_never_overwriting() {
    let ws = workspace_with_kaiping();
    let server = Server::start(ws.path(), &[]);
    let (_, body) = server.get("/api/file?name=kaiping-2024.toml");
    let opened = json_of(&body);
    let version = opened["version"].as_str().unwrap().to_string();
    let text = opened["text"].as_str().unwrap().to_string();
    // Tab one saves.
    let first = text.replace("amount = 24.00", "amount = 24.50");
    let (status, body) = server.send(
        "PUT",
        "/api/file?name=kaiping-2024.toml",
        &[("X-Base-Version", &version)],
        first.as_bytes(),
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    // Tab two, opened before, saves on the old version: refused.
    let second = text.replace("amount = 24.00", "amount = 25.00");
    let (status, body) = server.send(
        "PUT",
        "/api/file?name=kaiping-2024.toml",
        &[("X-Base-Version", &version)],
        second.as_bytes(),
    );
    assert_eq!(status, 409);
    assert_eq!(
        refusal(&body),
        "未保存：这个文件已在别处（另一个标签页或程序）改过并保存。请先复制你的修改，重新打开文件后再改"
    );
    let on_disk = std::fs::read_to_string(ws.path().join("kaiping-2024.toml")).unwrap();
    assert!(on_disk.contains("amount = 24.50") && !on_disk.contains("amount = 25.00"));
    // An upload over an existing file needs its version.
    let (status, _) = server.send(
        "POST",
        "/api/upload?name=kaiping-2024.toml",
        &[],
        second.as_bytes(),
    );
    assert_eq!(status, 409);
}

#[test]
fn a_template_author_sees_an_edit_and_a_template_error_at_its_line() {
    let ws = workspace_with_kaiping();
    let dir = ws.path().join("mine");
    yusuan(&[&"profile", &"new", &"mine", &"--flat", &dir]).ok();
    yusuan(&[&"templates", &"export", &dir.join("templates")]).ok();
    let server = Server::start(ws.path(), &[]);
    let (_, body) = server.get("/api/profiles");
    assert_eq!(json_of(&body)["dirs"], json!(["mine"]));
    // The profile directory is no department file.
    let (_, body) = server.get("/api/files");
    assert_eq!(json_of(&body)["files"].as_array().unwrap().len(), 1);
    let text = std::fs::read_to_string(ws.path().join("kaiping-2024.toml")).unwrap();
    let preview = || {
        let body = json!({"name": "kaiping-2024.toml", "text": text, "profile": "mine"});
        let (status, body) = server.send("POST", "/api/preview", &[], body.to_string().as_bytes());
        assert_eq!(status, 200);
        json_of(&body)
    };
    let (_, stamp) = server.get("/api/stamp?profile=mine");
    let before = preview();
    assert!(before["failure"].is_null(), "{before}");
    let first = before["texts"][0].as_str().unwrap().to_string();
    // The author edits a template: the next preview prints the edit.
    let mut templates = vec![];
    yusuan::batch::files_under(&dir, &mut templates).unwrap();
    let cover = templates
        .iter()
        .find(|p| p.file_name().unwrap() == "cover.typ.j2")
        .expect("a cover template");
    let original = std::fs::read_to_string(cover).unwrap();
    std::fs::write(cover, format!("{original}\n#text[模板作者的修改]\n")).unwrap();
    let (_, stamp_after) = server.get("/api/stamp?profile=mine");
    assert_ne!(
        stamp, stamp_after,
        "the stamp tells the page to lay out again"
    );
    let after = preview();
    let all: String = after["texts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(all.contains("模板作者的修改"), "{first}");
    // A broken template: the failure names the template and its line.
    let lines = original.lines().count() + 2;
    std::fs::write(
        cover,
        format!("{original}\n{{{{ nosuchfilter | nosuch }}}}\n"),
    )
    .unwrap();
    let broken = preview();
    let failure = broken["failure"].as_str().unwrap_or("");
    assert!(failure.contains("cover.typ.j2"), "{broken}");
    assert!(
        failure.contains(&format!("line {lines}")) || failure.contains(&format!(":{lines}")),
        "{failure}"
    );
}

#[test]
fn every_download_is_what_the_command_line_writes() {
    let ws = workspace_with_kaiping();
    let server = Server::start(ws.path(), &[]);
    let file = ws.path().join("kaiping-2024.toml");
    let out = tempfile::tempdir().unwrap();
    let get = |format: &str| {
        let (status, body) = server.get(&format!(
            "/api/download?name=kaiping-2024.toml&format={format}"
        ));
        assert_eq!(status, 200, "{format}: {}", String::from_utf8_lossy(&body));
        body
    };
    // PDF/A: yusuan render --pdf-standard a-2b, byte for byte.
    let cli = out.path().join("a.pdf");
    yusuan(&[&"render", &file, &"--pdf-standard", &"a-2b", &"-o", &cli]).ok();
    assert!(get("pdfa") == std::fs::read(&cli).unwrap());
    // The workbook and the JSON: yusuan render --emit xlsx / json.
    for (format, name) in [("xlsx", "k.xlsx"), ("json", "k.json")] {
        let cli = out.path().join(name);
        yusuan(&[&"render", &file, &"--emit", &format, &"-o", &cli]).ok();
        assert!(get(format) == std::fs::read(&cli).unwrap(), "{format}");
    }
    // The CSV files, zipped: the same files as --emit csv.
    let dir = out.path().join("csv");
    yusuan(&[&"render", &file, &"--emit", &"csv", &"-o", &dir]).ok();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(get("csv"))).unwrap();
    assert_eq!(zip.len(), std::fs::read_dir(&dir).unwrap().count());
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut bytes = vec![];
        std::io::Read::read_to_end(&mut f, &mut bytes).unwrap();
        assert!(bytes == std::fs::read(dir.join(&name)).unwrap(), "{name}");
    }
    published_figures_are_in_every_download(&get);
    let (status, body) = server.get("/api/download?name=kaiping-2024.toml&format=docx");
    assert_eq!(status, 400);
    assert_eq!(
        refusal(&body),
        "未知的下载格式 docx（pdf、pdfa、xlsx、json、csv）"
    );
    // A file with an error downloads nothing and says why.
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace("year = 2024", "year = \"二〇二四\"")).unwrap();
    let (status, body) = server.get("/api/download?name=kaiping-2024.toml&format=pdf");
    assert_eq!(status, 422);
    assert!(json_of(&body)["errors"].as_u64().unwrap() >= 1);
}

/// Kaiping's published figures (seed 003, 支出总表 and 三公 table): 合计
/// 5464.38, 基本支出 528.62, 项目支出 4935.76, 人员经费 483.91, 三公 27.00 —
/// from the published document, not from the code under test.
fn published_figures_are_in_every_download(get: &dyn Fn(&str) -> Vec<u8>) {
    const FIGURES: [&str; 5] = ["5464.38", "528.62", "4935.76", "483.91", "27.00"];
    // The PDF, as poppler reads it.
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("k.pdf");
    std::fs::write(&pdf, get("pdf")).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args([pdf.as_os_str(), "-".as_ref()])
        .output()
        .expect("pdftotext is needed (Debian: poppler-utils); .ci/run installs it");
    let text = String::from_utf8_lossy(&out.stdout);
    for f in FIGURES {
        assert!(text.contains(f), "the PDF prints {f}");
    }
    // The JSON: the 支出总表's 合计 row, the 基本支出表's 人员经费, the 三公 合计.
    let json: serde_json::Value = serde_json::from_slice(&get("json")).unwrap();
    let t = &json["report"]["tables"];
    let total = &t["expenditure"]["rows"][0]["cells"];
    assert_eq!(
        (&total["total"], &total["basic"], &total["project"]),
        (&json!("5464.38"), &json!("528.62"), &json!("4935.76"))
    );
    assert_eq!(t["basic"]["rows"][0]["cells"]["personnel"], "483.91");
    assert_eq!(t["sangong"]["rows"][0]["cells"]["total"], "27");
    // The CSV files: the same rows.
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(get("csv"))).unwrap();
    let mut csv = |name: &str| {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut s).unwrap();
        s
    };
    assert!(csv("3-expenditure.csv").contains("\n,合计,5464.38,528.62,4935.76,"));
    assert!(csv("6-basic.csv").contains(",483.91,"));
    assert!(csv("9-sangong.csv").contains("\n合计,合计,27.00,27.00,"));
    // The workbook: every figure in some cell.
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(get("xlsx"))).unwrap();
    let mut cells = vec![];
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).unwrap();
        cells.extend(range.used_cells().map(|(_, _, c)| c.to_string()));
    }
    for f in FIGURES {
        let number = f.trim_end_matches('0').trim_end_matches('.');
        assert!(
            cells.iter().any(|c| c == f || c == number),
            "the workbook holds {f}"
        );
    }
}

#[test]
fn a_file_naming_a_profile_or_catalogue_outside_the_workspace_is_not_read() {
    let parent = tempfile::tempdir().unwrap();
    let ws = parent.path().join("ws");
    std::fs::create_dir(&ws).unwrap();
    yusuan(&[&"profile", &"new", &"mine", &parent.path().join("mine")]).ok();
    std::fs::write(parent.path().join("codes.txt"), "201 一般公共服务支出\n").unwrap();
    let kaiping = std::fs::read_to_string("examples/kaiping-2024.toml").unwrap();
    let with = |line: &str| kaiping.replacen("catalogue = 2024", line, 1);
    std::fs::write(ws.join("a.toml"), with("profile = \"../mine\"")).unwrap();
    std::fs::write(ws.join("b.toml"), with("catalogue = \"../codes.txt\"")).unwrap();
    let server = Server::start(&ws, &[]);
    let (_, body) = server.get("/api/files");
    let files = json_of(&body)["files"].clone();
    assert_eq!(
        files[0]["first_error"],
        "[department] profile = \"../mine\" 指向工作目录之外：yusuan serve 只读工作目录里的文件"
    );
    assert_eq!(
        files[1]["first_error"],
        "[department] catalogue = \"../codes.txt\" 指向工作目录之外：yusuan serve 只读工作目录里的文件"
    );
    let body = json!({"name": "a.toml", "text": with("profile = \"../mine\"")});
    let (status, _) = server.send("POST", "/api/preview", &[], body.to_string().as_bytes());
    assert_eq!(status, 403);
    let (status, _) = server.get("/api/download?name=b.toml&format=pdf");
    assert_eq!(status, 403);
    // Render all reports both as failed, renders nothing.
    let report = render_all(&server);
    let outcomes = report["outcomes"].as_array().unwrap();
    assert_eq!(outcomes.len(), 2, "{report}");
    assert!(outcomes.iter().all(|o| o["status"] == "failed"), "{report}");
    assert_eq!(report["percent"], 100);
}

#[test]
fn a_workbook_without_its_year_is_imported_with_the_year_given_on_the_page() {
    // yusuan's own workbook of kaiping's tables, every cell as text, with
    // no year anywhere (the settings that name it left out, no text sheets).
    let checked = yusuan::check_file(Path::new("examples/kaiping-2024.toml"))
        .ok()
        .unwrap();
    let mut book = rust_xlsxwriter::Workbook::new();
    let text_sheets = ["projects", "indicators", "sections", "section-tables"];
    for sheet in yusuan::export::sheets(&checked) {
        if text_sheets.contains(&sheet.name.as_str()) {
            continue;
        }
        let ws = book.add_worksheet();
        ws.set_name(&sheet.name).unwrap();
        let rows = sheet
            .rows
            .iter()
            .filter(|r| !(sheet.name == "department" && r.iter().any(|c| c.contains("2024"))));
        for (r, row) in rows.enumerate() {
            for (c, cell) in row.iter().enumerate() {
                ws.write_string(r as u32, c as u16, cell).unwrap();
            }
        }
    }
    let bytes = book.save_to_buffer().unwrap();
    let ws = tempfile::tempdir().unwrap();
    let server = Server::start(ws.path(), &[]);
    let (status, body) = server.send("POST", "/api/upload?name=k.xlsx", &[], &bytes);
    assert_eq!(status, 422);
    let messages: Vec<String> = json_of(&body)["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["message"]["zh"].as_str().unwrap().to_string())
        .collect();
    assert!(
        messages.contains(
            &"工作簿中没有预算年度，请给出（命令行用 --year，网页上填“预算年度”）".to_string()
        ),
        "{messages:?}"
    );
    assert!(!ws.path().join("k.toml").exists());
    let (status, body) = server.send("POST", "/api/upload?name=k.xlsx&year=二〇二四", &[], &bytes);
    assert_eq!(status, 400);
    assert_eq!(refusal(&body), "预算年度「二〇二四」不是年份");
    let (status, body) = server.send("POST", "/api/upload?name=k.xlsx&year=2024", &[], &bytes);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let toml = std::fs::read_to_string(ws.path().join("k.toml")).unwrap();
    assert!(toml.contains("\nyear = 2024\n"), "{toml}");
}

#[test]
fn a_toml_file_in_another_encoding_is_refused_by_name_and_not_kept() {
    let ws = tempfile::tempdir().unwrap();
    let server = Server::start(ws.path(), &[]);
    // "部门" in GBK: not UTF-8.
    let gbk = b"[department]\nname = \"\xb2\xbf\xc3\xc5\"\n";
    let (status, body) = server.send("POST", "/api/upload?name=gbk.toml", &[], gbk);
    assert_eq!(status, 400);
    assert_eq!(
        refusal(&body),
        "「gbk.toml」不是 UTF-8 文本：请在编辑器中以 UTF-8 编码另存后再上传"
    );
    assert!(!ws.path().join("gbk.toml").exists());
}

#[test]
fn a_panic_in_a_handler_is_answered_500_and_every_thread_lives_on() {
    let ws = workspace_with_kaiping();
    // The debug build panics on this path when told to (as a defect would).
    let server = Server::start_with(ws.path(), &[], &[("YUSUAN_SERVE_PANIC", "/api/files")]);
    // More panics than the server has request threads (four): before, the
    // fifth request found no thread left to answer it.
    for _ in 0..6 {
        let (status, body) = server.get("/api/files");
        assert_eq!(status, 500);
        assert_eq!(
            refusal(&body),
            "内部错误（/api/files）：YUSUAN_SERVE_PANIC /api/files。这是 yusuan 的缺陷，请报告；服务器仍在运行"
        );
    }
    // Every thread still answers.
    for _ in 0..8 {
        let (status, body) = server.get("/api/file?name=kaiping-2024.toml");
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    }
    let (status, _) = server.get("/api/profiles");
    assert_eq!(status, 200);
}

/// Issue 28: a preview that panics gave its slot back never; after four
/// (`AT_ONCE`) every preview answered 503. Now each answers 500 with a
/// message and frees its slot: six in a row are six 500s, never a 503.
#[test]
fn a_preview_that_panics_frees_its_slot() {
    let ws = workspace_with_kaiping();
    let server = Server::start_with(ws.path(), &[], &[("YUSUAN_SERVE_PANIC", "preview")]);
    let text = std::fs::read_to_string(ws.path().join("kaiping-2024.toml")).unwrap();
    let body = json!({"name": "kaiping-2024.toml", "text": text}).to_string();
    for _ in 0..6 {
        let (status, reply) = server.send("POST", "/api/preview", &[], body.as_bytes());
        assert_eq!(status, 500, "{}", String::from_utf8_lossy(&reply));
        assert_eq!(
            refusal(&reply),
            "预览时出现内部错误：这是 yusuan 的缺陷，请报告；其他预览不受影响"
        );
    }
    let (status, _) = server.get("/api/files");
    assert_eq!(status, 200);
}

/// Issue 29: a file named "-新建部门.toml" was passed to the render worker
/// as an option (0 rendered); last year's file outside the workspace was
/// read and shown. Now the first renders, the second is refused by name.
#[test]
fn render_all_takes_a_dash_name_as_a_file_and_last_year_stays_inside() {
    let parent = tempfile::tempdir().unwrap();
    let ws = parent.path().join("ws");
    std::fs::create_dir(&ws).unwrap();
    let kaiping = std::fs::read_to_string("examples/kaiping-2024.toml").unwrap();
    std::fs::write(ws.join("-新建部门.toml"), &kaiping).unwrap();
    std::fs::write(parent.path().join("2023.toml"), &kaiping).unwrap();
    let outside = kaiping.replacen("[last_year]\n", "[last_year]\nfrom = \"../2023.toml\"\n", 1);
    assert!(outside.contains("from = \"../2023.toml\""));
    std::fs::write(ws.join("b.toml"), &outside).unwrap();
    let server = Server::start(&ws, &[]);
    let (_, body) = server.get("/api/files");
    let files = json_of(&body)["files"].clone();
    let b = files
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "b.toml")
        .unwrap();
    assert_eq!(
        b["first_error"],
        "[last_year] from = \"../2023.toml\" 指向工作目录之外：yusuan serve 只读工作目录里的文件"
    );
    let report = render_all(&server);
    let outcomes = report["outcomes"].as_array().unwrap();
    let dash = outcomes
        .iter()
        .find(|o| o["input"] == "-新建部门.toml")
        .unwrap_or_else(|| panic!("{report}"));
    assert_eq!(dash["status"], "rendered", "{report}");
    assert_eq!(report["percent"], 100);
}

/// Issue 29: `--bind 127.0.0.2:P` refused its own printed address (the
/// Host check knew only 127.0.0.1), and `--bind 0.0.0.0` printed
/// http://0.0.0.0:… to open. Each printed address now opens the page.
#[test]
fn the_printed_address_opens_whatever_the_bind() {
    let ws = workspace_with_kaiping();
    for bind in ["127.0.0.2:0", "0.0.0.0:0"] {
        let server = Server::start(ws.path(), &["--bind", bind]);
        assert!(
            server.url.starts_with(if bind.starts_with("0.") {
                "http://127.0.0.1:"
            } else {
                "http://127.0.0.2:"
            }),
            "{bind}: {}",
            server.url
        );
        let answer = ureq::get(&server.url)
            .timeout(Duration::from_secs(30))
            .call();
        assert_eq!(
            answer.map(|r| r.status()).unwrap_or(0),
            200,
            "{bind}: {}",
            server.url
        );
    }
}

/// 782 bytes of .ods: one row of 16,384 cells, repeated 5,000 times (82
/// million cells, 5.7 GB when read in the process that asked).
pub fn ods_bomb() -> Vec<u8> {
    use std::io::Write as _;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    zip.start_file(
        "META-INF/manifest.xml",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    zip.write_all(concat!(
        r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">"#,
        r#"<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>"#
    ).as_bytes())
    .unwrap();
    zip.start_file("content.xml", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(concat!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="S">"#,
        r#"<table:table-row table:number-rows-repeated="5000"><table:table-cell table:number-columns-repeated="16384" office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell></table:table-row>"#,
        r#"</table:table></office:spreadsheet></office:body></office:document-content>"#
    ).as_bytes())
    .unwrap();
    zip.finish().unwrap().into_inner()
}

#[test]
fn a_workbook_that_would_exhaust_memory_is_refused_and_the_server_lives() {
    let ws = tempfile::tempdir().unwrap();
    let server = Server::start(ws.path(), &[]);
    let (status, body) = server.send("POST", "/api/upload?name=bomb.ods", &[], &ods_bomb());
    let body = String::from_utf8_lossy(&body).to_string();
    assert_eq!(status, 422, "{body}");
    assert!(
        body.contains(
            "无法读取工作簿：文件已损坏，或读取它需要超过 4 GiB 内存或 5 分钟（读取已中止）"
        ),
        "{body}"
    );
    assert!(!ws.path().join("bomb.toml").exists());
    // The server still answers, and still imports a sound workbook.
    let (status, _) = server.get("/api/files");
    assert_eq!(status, 200);
    let sound = std::fs::read("tests/data/budget-system.xls").unwrap();
    let (status, body) = server.send("POST", "/api/upload?name=sound.xls", &[], &sound);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert!(ws.path().join("sound.toml").exists());
}

#[test]
fn a_profile_name_is_never_found_above_the_workspace() {
    // parent/yunnan holds a profile; the workspace is parent/ws. The command
    // line finds it in the file's parent; the server does not look there.
    let parent = tempfile::tempdir().unwrap();
    crate::common::yunnan_profile(parent.path(), "万元");
    let ws = parent.path().join("ws");
    std::fs::create_dir(&ws).unwrap();
    let text = crate::common::YUNNAN_FILE;
    std::fs::write(ws.join("a.toml"), text).unwrap();
    let cli = crate::common::yusuan(&[&"check", &ws.join("a.toml")]);
    assert_eq!(cli.code, Some(0), "{}", cli.stderr);
    let server = Server::start(&ws, &[]);
    let body = json!({"name": "a.toml", "text": text});
    let (status, body) = server.send("POST", "/api/preview", &[], body.to_string().as_bytes());
    assert_eq!(status, 200);
    let body = String::from_utf8_lossy(&body).to_string();
    assert!(body.contains("未知的地区样式 \\\"yunnan\\\""), "{body}");
}

#[test]
fn every_project_layout_the_page_offers_is_one_the_server_renders() {
    let ws = workspace_with_kaiping();
    let server = Server::start(ws.path(), &[]);
    let (_, page) = server.get("/");
    let page = String::from_utf8_lossy(&page).to_string();
    let select = &page[page.find("<select id=\"layout\">").unwrap()..];
    let select = &select[..select.find("</select>").unwrap()];
    let offered: Vec<&str> = select
        .split("<option value=\"")
        .skip(1)
        .map(|o| &o[..o.find('"').unwrap()])
        .filter(|v| !v.is_empty())
        .collect();
    // The layouts yusuan has, no more and no fewer.
    use clap::ValueEnum;
    let mut have: Vec<String> = yusuan::projects::Layout::value_variants()
        .iter()
        .filter_map(|l| l.to_possible_value().map(|v| v.get_name().to_string()))
        .collect();
    let mut sorted: Vec<String> = offered.iter().map(|s| s.to_string()).collect();
    have.sort();
    sorted.sort();
    assert_eq!(sorted, have);
    let text = std::fs::read_to_string(ws.path().join("kaiping-2024.toml")).unwrap();
    for layout in offered {
        let body = json!({"name": "kaiping-2024.toml", "text": text, "layout": layout});
        let (status, body) = server.send("POST", "/api/preview", &[], body.to_string().as_bytes());
        assert_eq!(status, 200, "{layout}: {}", String::from_utf8_lossy(&body));
        assert!(
            json_of(&body)["pages"]
                .as_array()
                .is_some_and(|p| !p.is_empty()),
            "{layout}"
        );
    }
}

#[test]
fn a_failed_write_is_said_in_both_languages() {
    // A directory stands where the file would go: the upload cannot be written.
    let ws = tempfile::tempdir().unwrap();
    std::fs::create_dir(ws.path().join("k.toml")).unwrap();
    let server = Server::start(ws.path(), &[]);
    let toml = std::fs::read("examples/kaiping-2024.toml").unwrap();
    let (status, body) = server.send("POST", "/api/upload?name=k.toml&replace=x", &[], &toml);
    let v = json_of(&body);
    assert_eq!(status, 500, "{v}");
    let (zh, en) = (
        v["error"]["zh"].as_str().unwrap(),
        v["error"]["en"].as_str().unwrap(),
    );
    assert!(zh.contains("那里已有一个同名的目录或非普通文件"), "{zh}");
    assert!(
        en.contains("a directory or other non-file stands there"),
        "{en}"
    );
    assert!(
        !en.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "{en}"
    );
}

#[test]
fn the_form_writes_edits_into_the_toml_and_says_which_it_refused() {
    let ws = workspace_with_kaiping();
    let server = Server::start(ws.path(), &[]);
    let text = std::fs::read_to_string("examples/kaiping-2024.toml").unwrap();
    let ask = |body: serde_json::Value| {
        server.send(
            "POST",
            "/api/edit",
            &[("Content-Type", "application/json")],
            body.to_string().as_bytes(),
        )
    };
    let (status, body) = ask(json!({"text": text, "edits": [
        {"path": ["sangong", "extra", 1, "amount"], "value": "42.00"},
        {"path": ["sangong", "reception"], "value": "二十"},
        {"path": ["department", "year"], "value": "2024.5"},
        {"path": ["no", 3, "such"], "value": "1"},
    ]}));
    assert_eq!(status, 200);
    let v = json_of(&body);
    let new = v["text"].as_str().unwrap();
    // One line changed; every comment and the order kept.
    assert_eq!(
        new,
        text.replace(
            "name = \"培训费\"\namount = 24.00",
            "name = \"培训费\"\namount = 42.00"
        )
    );
    let refused: Vec<(String, String)> = v["refused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["path"].to_string(),
                r["message"]["zh"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        refused,
        [
            (
                r#"["sangong","reception"]"#.to_string(),
                "「二十」不是金额：请只写数字，如 452.03".to_string()
            ),
            (
                r#"["department","year"]"#.to_string(),
                "「2024.5」不是整数".to_string()
            ),
            (
                r#"["no",3,"such"]"#.to_string(),
                "表里没有这个位置".to_string()
            ),
        ]
    );
    // The form of the new text: the 培训费 row holds the figure, on its line.
    let extra = v["form"]["parts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["path"] == json!(["sangong", "extra"]))
        .unwrap();
    let cell = &extra["rows"][1]["cells"]["amount"];
    assert_eq!(cell["value"], "42.00");
    let line = new.lines().position(|l| l == "amount = 42.00").unwrap() + 1;
    assert_eq!(cell["line"], json!(line));

    // Text that is not TOML: the form cannot write into it, and says so.
    let (status, body) = ask(json!({"text": "[department\n", "edits": [
        {"path": ["department", "name"], "value": "x"},
    ]}));
    assert_eq!(status, 422);
    assert_eq!(
        refusal(&body),
        "文件不是合法的 TOML：先在「TOML 文本」里改正标出的行"
    );
}

#[test]
fn what_a_file_or_profile_names_outside_the_workspace_is_refused_links_followed() {
    let ws = workspace_with_kaiping();
    let outside = tempfile::tempdir().unwrap();
    let far = outside.path().join("far");
    yusuan(&[&"profile", &"new", &"far", &far]).ok();
    std::fs::create_dir_all(far.join("templates/narrative")).unwrap();
    std::fs::write(far.join("templates/narrative/glossary.typ.j2"), "OUTSIDE\n").unwrap();
    let link = |to: &Path, at: &str| std::os::unix::fs::symlink(to, ws.path().join(at)).unwrap();
    // 1. `profile = "p"`, p a link to a directory outside.
    link(&far, "p");
    // 2. A profile inside whose `base` is outside.
    std::fs::create_dir_all(ws.path().join("b")).unwrap();
    std::fs::write(
        ws.path().join("b/profile.toml"),
        format!("name = \"b\"\nbase = {:?}\n", far.display().to_string()),
    )
    .unwrap();
    // 3. A profile inside whose templates/ is a link outside.
    yusuan(&[&"profile", &"new", &"t", &ws.path().join("t")]).ok();
    link(&far.join("templates"), "t/templates");
    // 4. A profile.toml that is a link to /etc/passwd.
    std::fs::create_dir_all(ws.path().join("w")).unwrap();
    link(Path::new("/etc/passwd"), "w/profile.toml");

    let server = Server::start(ws.path(), &[]);
    let text = std::fs::read_to_string(ws.path().join("kaiping-2024.toml")).unwrap();
    for name in ["p", "b", "t", "w"] {
        let named = text.replace(
            "catalogue = 2024\n",
            &format!("catalogue = 2024\nprofile = \"{name}\"\n"),
        );
        let body = json!({"name": "kaiping-2024.toml", "text": named});
        let (status, body) = server.send("POST", "/api/preview", &[], body.to_string().as_bytes());
        assert_eq!(status, 200, "{name}");
        let v = json_of(&body);
        assert!(v["doc"].is_null(), "{name}: nothing laid out");
        let messages: Vec<String> = v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["severity"] == "error")
            .map(|d| d["message"]["zh"].as_str().unwrap().to_string())
            .collect();
        assert!(
            messages.iter().any(|m| m.contains(
                "在工作目录之外（或经符号链接通向外面）：yusuan serve 只读工作目录里的文件"
            )),
            "{name}: {messages:?}"
        );
        assert!(
            !String::from_utf8_lossy(&body).contains("root:"),
            "{name}: nothing of /etc/passwd is quoted"
        );
    }
}

/// Issue 29: a run that could not run showed the report of the run before
/// as this one's, at 100 %.
#[test]
fn a_run_that_cannot_run_never_shows_the_last_report_as_its_own() {
    let ws = workspace_with_kaiping();
    let server = Server::start(ws.path(), &[]);
    let first = render_all(&server);
    assert_eq!(first["outcomes"][0]["status"], "rendered", "{first}");
    assert_eq!(first["percent"], 100);
    // Another yusuan (this test's process, alive) holds the output directory.
    let lock = ws.path().join(".yusuan/out/.yusuan-lock");
    std::fs::write(&lock, std::process::id().to_string()).unwrap();
    let second = render_all(&server);
    assert!(second["outcomes"].is_null(), "{second}");
    assert_eq!(second["percent"], 0, "{second}");
    let failure = second["failure"].as_str().unwrap();
    assert!(
        failure.contains(&format!(
            "另一个 yusuan（进程 {}）正在向",
            std::process::id()
        )),
        "{failure}"
    );
}

/// Issue 29: a file whose name is GBK, not UTF-8, was listed with
/// "缺少必填的键 department".
#[test]
fn a_file_whose_name_is_not_utf8_is_listed_with_what_to_do() {
    use std::os::unix::ffi::OsStrExt;
    let ws = workspace_with_kaiping();
    // 测试.toml in GBK.
    let gbk = std::ffi::OsStr::from_bytes(b"\xb2\xe2\xca\xd4.toml");
    std::fs::copy("examples/kaiping-2024.toml", ws.path().join(gbk)).unwrap();
    let server = Server::start(ws.path(), &[]);
    let (_, body) = server.get("/api/files");
    let files = json_of(&body)["files"].clone();
    let listed = files
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}.toml")
        .unwrap_or_else(|| panic!("{files}"));
    let why = "文件名不是 UTF-8 编码（可能是 GBK 等旧编码）：请先把「\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}.toml」改成新名字（如在文件管理器里重命名），再打开";
    assert_eq!(listed["first_error"], why);
    assert_eq!(listed["errors"], 1);
    let (status, body) = server.get("/api/file?name=%EF%BF%BD%EF%BF%BD%EF%BF%BD%EF%BF%BD.toml");
    assert_eq!(status, 422);
    assert_eq!(refusal(&body), why);
    // Render all: the other file is rendered, this one reported with why.
    let report = render_all(&server);
    let outcomes = report["outcomes"].as_array().unwrap();
    assert_eq!(outcomes.len(), 2, "{report}");
    assert!(
        outcomes
            .iter()
            .any(|o| o["input"] == "kaiping-2024.toml" && o["status"] == "rendered")
    );
    assert!(
        outcomes.iter().any(|o| o["errors"][0]["message"] == why),
        "{report}"
    );
}

// yusuan serve: the page. Plain JavaScript, no library, nothing fetched
// from elsewhere. Every text from a file or the server is set with
// textContent, never as HTML.
"use strict";

const WORDS = {
  zh: {
    tabFile: "部门文件", tabBureau: "工作目录与汇总", profile: "格式", layout: "项目表",
    profileOwn: "按文件", drop: "把预算系统导出的 Excel（.xlsx）或 TOML 文件拖到这里，或点这里选择",
    files: "文件", year: "预算年度（工作簿没写时填）", save: "保存", download: "下载", renderAll: "全部生成",
    zip: "下载全部 PDF（zip）", filter: "筛选", all: "全部", withErrors: "有错误",
    withWarnings: "有警告", passed: "通过", file: "文件", errors: "错误", warnings: "警告",
    pages: "页数", rendered: "上次生成", problem: "问题", district: "汇总表",
    line: (n) => `第 ${n} 行`, cell: "单元格", error: "错误", warning: "警告",
    counts: (e, w) => `${e} 个错误，${w} 个警告`,
    declared: "申报", computed: "计算", difference: "相差", tolerance: "允许",
    saved: "已保存", unsaved: "未保存的修改", importing: "正在导入…",
    imported: (n) => `已导入为 ${n}`, replace: (n) => `工作目录里已有「${n}」。替换它吗？`,
    stale: "有错误：预览为上次通过检查的版本", pagesN: (n) => `${n} 页`,
    layingOut: "正在排版…", notRendered: "未生成", group: (p, y) => `${p} 格式，${y} 年`,
    discard: (n) => `「${n}」有未保存的修改，换文件会丢掉它们。仍要换吗？`,
    offline: "连不上 yusuan serve：它已停止或网络中断。未保存的修改还在编辑框里；请重新启动 yusuan serve，再点保存。",
    leftOut: "有错误、未汇总的文件：", districtPdf: "汇总后的部门预算 PDF", summaryPdf: "汇总表 PDF", page: (n) => `第 ${n} 页`, why: "规则说明",
  },
  en: {
    tabFile: "Department file", tabBureau: "Workspace and district", profile: "Layout", layout: "Projects",
    profileOwn: "as the file says", drop: "Drop the budget system's Excel export (.xlsx) or a TOML file here, or click to choose",
    files: "Files", year: "Budget year (when the workbook does not say)", save: "Save", download: "Download", renderAll: "Render all",
    zip: "Download all PDFs (zip)", filter: "Filter", all: "All", withErrors: "With errors",
    withWarnings: "With warnings", passed: "Passed", file: "File", errors: "Errors", warnings: "Warnings",
    pages: "Pages", rendered: "Last rendered", problem: "Problem", district: "District summary",
    line: (n) => `line ${n}`, cell: "cell", error: "error", warning: "warning",
    counts: (e, w) => `${e} errors, ${w} warnings`,
    declared: "declared", computed: "computed", difference: "difference", tolerance: "tolerance",
    saved: "Saved", unsaved: "Unsaved changes", importing: "Importing…",
    imported: (n) => `Imported as ${n}`, replace: (n) => `"${n}" is already in the workspace. Replace it?`,
    stale: "Errors: the preview shows the last version that checked", pagesN: (n) => `${n} pages`,
    layingOut: "Laying out…", notRendered: "not rendered", group: (p, y) => `${p} layout, ${y}`,
    discard: (n) => `"${n}" has unsaved edits, which switching files loses. Switch anyway?`,
    offline: "Cannot reach yusuan serve: it has stopped or the network is down. Unsaved edits stay in the editor; start yusuan serve again, then save.",
    leftOut: "Files with errors, not summed: ", districtPdf: "The district's budget (PDF)", summaryPdf: "Summary table (PDF)", page: (n) => `page ${n}`, why: "What the rule checks",
  },
};

const state = {
  lang: localStorage.getItem("yusuan-lang") || "zh",
  name: null, version: null, saved: "", last: null, timer: null, seq: 0,
  files: [], stamp: null,
};
const $ = (id) => document.getElementById(id);
const w = (key, ...a) => { const v = WORDS[state.lang][key]; return typeof v === "function" ? v(...a) : v; };
const t = (pair) => (pair && typeof pair === "object" ? pair[state.lang] || pair.zh : pair || "");

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined) continue;
    if (k === "class") e.className = v; else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

async function api(method, url, body, headers) {
  const h = Object.assign({ "X-Yusuan": "1" }, headers || {});
  let r;
  try {
    r = await fetch(url, { method, body, headers: h, credentials: "same-origin" });
  } catch (e) {
    // The server is gone: say so where it stays in sight, until it answers again.
    $("offline").hidden = false;
    const error = { zh: WORDS.zh.offline, en: WORDS.en.offline };
    return { ok: false, status: 0, data: { error } };
  }
  $("offline").hidden = true;
  const kind = r.headers.get("Content-Type") || "";
  const data = kind.startsWith("application/json") ? await r.json() : null;
  return { ok: r.ok, status: r.status, data };
}

function translate() {
  document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
  $("lang").textContent = state.lang === "zh" ? "English" : "中文";
  for (const e of document.querySelectorAll("[data-i18n]")) e.textContent = w(e.dataset.i18n);
  if (state.last) showOutcome(state.last);
  renderFiles();
}

// ---- the workspace's files ----

async function loadFiles() {
  const r = await api("GET", "/api/files");
  if (!r.ok) return;
  state.files = r.data.files;
  renderFiles();
}

function badge(f) {
  if (f.errors) return el("span", { class: "badge error" }, `${f.errors}`);
  if (f.warnings) return el("span", { class: "badge warning" }, `${f.warnings}`);
  return el("span", { class: "badge ok" }, "✓");
}

function renderFiles() {
  const list = $("file-list");
  list.replaceChildren();
  for (const f of state.files) {
    const b = el("button", { "data-name": f.name, class: f.name === state.name ? "current" : null }, f.name, " ", badge(f));
    b.addEventListener("click", () => openFile(f.name));
    list.append(el("li", {}, b));
  }
  const body = document.querySelector("#status-table tbody");
  body.replaceChildren();
  const filter = $("filter").value;
  for (const f of state.files) {
    const show = filter === "all" || (filter === "errors" && f.errors) ||
      (filter === "warnings" && !f.errors && f.warnings) || (filter === "ok" && !f.errors && !f.warnings);
    if (!show) continue;
    const when = f.rendered ? new Date(f.rendered * 1000).toLocaleString(state.lang === "zh" ? "zh-CN" : "en-GB") : w("notRendered");
    const open = el("button", { class: "link" }, f.name);
    open.addEventListener("click", () => { showTab("file"); openFile(f.name); });
    body.append(el("tr", { "data-name": f.name, class: f.errors ? "has-error" : f.warnings ? "has-warning" : "ok" },
      el("td", {}, open), el("td", {}, `${f.errors}`), el("td", {}, `${f.warnings}`),
      el("td", {}, f.pages === null ? "" : `${f.pages}`), el("td", {}, when), el("td", {}, f.first_error || "")));
  }
}

// ---- one file: editor, diagnostics, preview ----

// Edits not yet saved: never dropped without a word.
const dirty = () => state.name !== null && $("editor").value !== state.saved;
window.addEventListener("beforeunload", (e) => {
  if (dirty()) { e.preventDefault(); e.returnValue = ""; }
});

async function openFile(name) {
  if (name !== state.name && dirty() && !confirm(w("discard", state.name))) return;
  const r = await api("GET", `/api/file?name=${encodeURIComponent(name)}`);
  if (!r.ok) { $("save-status").textContent = t(r.data && r.data.error); return; }
  state.name = name; state.version = r.data.version; state.saved = r.data.text;
  $("work").hidden = false;
  $("file-name").textContent = name;
  $("editor").value = r.data.text;
  for (const f of ["pdf", "pdfa", "xlsx", "csv", "json"]) {
    $(`dl-${f}`).href = downloadUrl(f);
  }
  $("pages").replaceChildren();
  $("save-status").textContent = "";
  renderFiles();
  drawGutter([]);
  refresh(0);
}

function downloadUrl(format) {
  const q = new URLSearchParams({ name: state.name, format });
  if ($("profile").value) q.set("profile", $("profile").value);
  if ($("layout").value) q.set("layout", $("layout").value);
  return `/api/download?${q}`;
}

function refresh(delay) {
  clearTimeout(state.timer);
  state.timer = setTimeout(preview, delay);
}

async function preview() {
  if (!state.name) return;
  const seq = ++state.seq;
  $("preview-status").textContent = w("layingOut");
  const body = JSON.stringify({
    name: state.name, text: $("editor").value, profile: $("profile").value, layout: $("layout").value,
  });
  const r = await api("POST", "/api/preview", body, { "Content-Type": "application/json" });
  if (seq !== state.seq) return; // a later edit's answer is coming
  if (!r.ok) { $("preview-status").textContent = t(r.data && r.data.error); return; }
  state.last = r.data;
  showOutcome(r.data);
}

function showOutcome(o) {
  $("summary").textContent = w("counts", o.errors, o.warnings);
  $("summary").className = o.errors ? "has-error" : o.warnings ? "has-warning" : "ok";
  const list = $("diags");
  list.replaceChildren();
  // Errors first (they stop the PDF), then by line.
  const sorted = o.diagnostics.slice().sort((a, b) =>
    (a.severity === b.severity ? 0 : a.severity === "error" ? -1 : 1) || (a.line || 0) - (b.line || 0));
  for (const d of sorted) {
    const where = [];
    if (d.line) where.push(w("line", d.line));
    if (d.cell) where.push(`${w("cell")} ${d.cell}`);
    const item = el("li", {
      class: d.severity, "data-rule": d.rule, "data-line": d.line, "data-cell": d.cell, "data-severity": d.severity,
    },
    el("span", { class: "where" }, where.join(" · ")), " ",
    el("span", { class: "rule" }, `${w(d.severity)}[${d.rule}]`), " ",
    el("span", { class: "message" }, t(d.message)));
    if (d.figures) {
      const f = d.figures;
      item.append(el("div", { class: "figures" },
        `${w("declared")} ${f.declared} · ${w("computed")} ${f.computed} · ${w("difference")} ${f.difference} · ${w("tolerance")} ±${f.tolerance}`));
    }
    for (const n of d.notes) item.append(el("div", { class: "note" }, t(n)));
    if (d.explain) {
      item.append(el("details", {}, el("summary", {}, w("why")), el("p", {}, t(d.explain))));
    }
    if (d.line) item.addEventListener("click", () => goToLine(d.line));
    list.append(item);
  }
  if (o.failure) list.append(el("li", { class: "error", "data-rule": "render" }, o.failure));
  drawGutter(o.diagnostics);
  showPages(o);
}

function showPages(o) {
  const box = $("pages");
  if (!o.doc) {
    $("preview-status").textContent = o.errors || o.failure ? w("stale") : "";
    return;
  }
  $("preview-status").textContent = w("pagesN", o.pages.length);
  const old = Array.from(box.children);
  let firstChanged = null;
  o.pages.forEach((hash, i) => {
    let page = old[i];
    if (!page) {
      page = el("figure", { class: "page" }, el("img", { alt: w("page", i + 1) }), el("figcaption", { class: "page-text" }));
      box.append(page);
    }
    // Only a page whose content changed is fetched again.
    if (page.dataset.hash !== hash) {
      if (page.dataset.hash && firstChanged === null) firstChanged = page;
      page.dataset.hash = hash;
      page.querySelector("img").src = `/api/page?doc=${o.doc}&n=${i + 1}&h=${hash}`;
    }
    page.dataset.n = i + 1;
    page.querySelector(".page-text").textContent = o.texts[i] || "";
  });
  for (const extra of old.slice(o.pages.length)) extra.remove();
  // After an edit, the page it changed is brought into view.
  if (firstChanged) firstChanged.scrollIntoView({ block: "nearest" });
}

function drawGutter(diags) {
  const text = $("editor").value;
  const lines = text.split("\n").length;
  const marks = new Map();
  for (const d of diags) {
    if (!d.line) continue;
    const prev = marks.get(d.line);
    if (!prev || d.severity === "error") marks.set(d.line, d);
  }
  const g = $("gutter");
  const rows = [];
  for (let i = 1; i <= lines; i++) {
    const d = marks.get(i);
    rows.push(el("div", { "data-line": i, class: d ? d.severity : null, title: d ? t(d.message) : null }, `${i}`));
  }
  g.replaceChildren(...rows);
  g.scrollTop = $("editor").scrollTop;
}

function goToLine(n) {
  const ta = $("editor");
  const lines = ta.value.split("\n");
  let start = 0;
  for (let i = 0; i < n - 1 && i < lines.length; i++) start += lines[i].length + 1;
  ta.focus();
  ta.setSelectionRange(start, start + (lines[n - 1] || "").length);
  const lineHeight = parseFloat(getComputedStyle(ta).lineHeight) || 18;
  ta.scrollTop = Math.max(0, (n - 5) * lineHeight);
}

async function save() {
  const r = await api("PUT", `/api/file?name=${encodeURIComponent(state.name)}`, $("editor").value,
    { "X-Base-Version": state.version, "Content-Type": "text/plain; charset=utf-8" });
  if (!r.ok) { $("save-status").textContent = t(r.data && r.data.error); $("save-status").className = "error"; return; }
  state.version = r.data.version; state.saved = $("editor").value;
  $("save-status").textContent = w("saved"); $("save-status").className = "ok";
  loadFiles();
}

async function upload(file, replace) {
  $("upload-status").textContent = w("importing");
  const q = new URLSearchParams({ name: file.name });
  if (replace) q.set("replace", replace);
  if ($("year").value) q.set("year", $("year").value);
  const r = await api("POST", `/api/upload?${q}`, file);
  if (r.status === 409 && r.data && r.data.version) {
    const target = file.name.replace(/\.[^.]+$/, ".toml");
    if (confirm(w("replace", target))) return upload(file, r.data.version);
    $("upload-status").textContent = t(r.data.error);
    return;
  }
  if (!r.ok) {
    $("upload-status").textContent = t(r.data && r.data.error) ||
      (r.data && r.data.diagnostics || []).map((d) => t(d.message)).join("\n");
    return;
  }
  // What the import could not read, cell by cell.
  const notes = (r.data.import && r.data.import.diagnostics || []).map((d) => t(d.message));
  $("upload-status").textContent = [w("imported", r.data.name), ...notes].join("\n");
  await loadFiles();
  openFile(r.data.name);
}

// ---- the bureau: render all, district ----

async function renderAll() {
  const r = await api("POST", "/api/render-all");
  if (!r.ok) return;
  pollBatch();
}

async function pollBatch() {
  const r = await api("GET", "/api/render-all");
  if (!r.ok) return;
  const p = r.data;
  $("progress").value = p.percent;
  $("progress-text").textContent = `${p.percent}% (${p.done}/${p.total})`;
  const fails = $("batch-failures");
  fails.replaceChildren();
  for (const o of p.outcomes || []) {
    for (const e of o.errors) fails.append(el("p", { class: "error" }, `${e.location}: [${e.rule}] ${e.message}`));
  }
  if (p.failure) fails.append(el("p", { class: "error" }, p.failure));
  if (p.running) setTimeout(pollBatch, 300);
  else { loadFiles(); loadDistrict(); }
}

async function loadDistrict() {
  const r = await api("GET", "/api/district");
  if (!r.ok) return;
  const box = $("district");
  box.replaceChildren();
  for (const g of r.data.groups) {
    const section = el("section", { class: "group" }, el("h3", {}, w("group", g.profile, g.year)));
    for (const ref of g.refusals) section.append(el("p", { class: "error" }, t(ref)));
    if (g.rows.length) {
      const links = el("p", { class: "downloads" });
      for (const [format, label] of [["pdf", "districtPdf"], ["summary", "summaryPdf"], ["csv", "CSV"], ["toml", "TOML"]]) {
        const q = new URLSearchParams({ profile: g.profile, year: g.year, format });
        links.append(el("a", { href: `/api/district/download?${q}`, download: "", "data-format": format }, w(label) || label), " ");
      }
      section.append(links);
      const head = el("tr", {}, ...g.header.map((h) => el("th", {}, h)));
      const rows = g.rows.map((row, i) => el("tr", { class: i === 0 ? "total" : null }, ...row.map((c, j) => el(j ? "td" : "th", {}, c))));
      section.append(el("table", { class: "summary" }, el("thead", {}, head), el("tbody", {}, ...rows)));
    }
    box.append(section);
  }
  if (r.data.left_out.length) box.append(el("p", { class: "warning" }, w("leftOut") + r.data.left_out.join("，")));
}

function showTab(which) {
  $("file-view").hidden = which !== "file";
  $("bureau-view").hidden = which !== "bureau";
  $("tab-file").classList.toggle("active", which === "file");
  $("tab-bureau").classList.toggle("active", which === "bureau");
  if (which === "bureau") { loadFiles(); loadDistrict(); pollBatch(); }
}

// A picked profile directory is watched: an edited template shows at once.
async function watchProfile() {
  const p = $("profile").value;
  if (p && p.includes("/") || state.dirs && state.dirs.includes(p)) {
    const r = await api("GET", `/api/stamp?profile=${encodeURIComponent(p)}`);
    if (r.ok && state.stamp !== null && r.data.stamp !== state.stamp) refresh(0);
    if (r.ok) state.stamp = r.data.stamp;
  } else {
    state.stamp = null;
  }
  setTimeout(watchProfile, 700);
}

async function loadProfiles() {
  const r = await api("GET", "/api/profiles");
  if (!r.ok) return;
  const sel = $("profile");
  for (const p of r.data.builtins) sel.append(el("option", { value: p.name }, p.name));
  state.dirs = r.data.dirs;
  for (const d of r.data.dirs) sel.append(el("option", { value: d }, `${d}/`));
}

window.addEventListener("DOMContentLoaded", () => {
  $("lang").addEventListener("click", () => {
    state.lang = state.lang === "zh" ? "en" : "zh";
    localStorage.setItem("yusuan-lang", state.lang);
    translate();
  });
  $("tab-file").addEventListener("click", () => showTab("file"));
  $("tab-bureau").addEventListener("click", () => showTab("bureau"));
  $("editor").addEventListener("input", () => {
    $("save-status").textContent = $("editor").value === state.saved ? "" : w("unsaved");
    $("save-status").className = "";
    refresh(150);
  });
  $("editor").addEventListener("scroll", () => { $("gutter").scrollTop = $("editor").scrollTop; });
  $("editor").addEventListener("keydown", (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key === "s") { e.preventDefault(); save(); }
  });
  $("save").addEventListener("click", save);
  $("upload").addEventListener("change", (e) => { if (e.target.files[0]) upload(e.target.files[0]); e.target.value = ""; });
  const drop = $("drop");
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault(); drop.classList.remove("over");
    if (e.dataTransfer.files[0]) upload(e.dataTransfer.files[0]);
  });
  for (const id of ["profile", "layout"]) {
    $(id).addEventListener("change", () => {
      state.stamp = null;
      if (state.name) { for (const f of ["pdf", "pdfa", "xlsx", "csv", "json"]) $(`dl-${f}`).href = downloadUrl(f); refresh(0); }
    });
  }
  $("render-all").addEventListener("click", renderAll);
  $("filter").addEventListener("change", renderFiles);
  translate();
  loadProfiles();
  loadFiles();
  watchProfile();
});

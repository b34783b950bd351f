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
    viewForm: "表格", viewText: "TOML 文本", addRow: "＋ 添加一行", removeRow: "删除这一行",
    notToml: "文件不是合法的 TOML：请在「TOML 文本」里改正标出的行。",
    elsewhere: (k) => `其余内容（${k}）请在「TOML 文本」里修改。`, nested: "这一格请在「TOML 文本」里修改",
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
    viewForm: "Tables", viewText: "TOML text", addRow: "+ Add a row", removeRow: "Remove this row",
    notToml: "The file is not valid TOML: mend the marked line in the TOML text.",
    elsewhere: (k) => `The rest (${k}) is edited in the TOML text.`, nested: "Edit this cell in the TOML text",
    leftOut: "Files with errors, not summed: ", districtPdf: "The district's budget (PDF)", summaryPdf: "Summary table (PDF)", page: (n) => `page ${n}`, why: "What the rule checks",
  },
};

const state = {
  lang: localStorage.getItem("yusuan-lang") || "zh",
  name: null, version: null, saved: "", last: null, timer: null, seq: 0,
  files: [], stamp: null,
  view: localStorage.getItem("yusuan-view") || "form",
  // The form: its edits not yet in the text, one request at a time.
  form: null, formSig: null, inputs: new Map(), pending: new Map(), ops: [], inflight: false, refused: new Map(),
};
const $ = (id) => document.getElementById(id);
// Pages come as PNG at this many pixels per point: sharp on this screen.
const PAGE_SCALE = Math.min(3, Math.round((window.devicePixelRatio || 1) * 1.5 * 4) / 4);
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
  state.pending.clear(); state.ops = []; state.refused.clear(); state.formSig = null;
  if (state.view === "form") sendEdits();
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
  // The pages first; the list is drawn in the next task, so the changed
  // pages' images are already on their way.
  showPages(o);
  setTimeout(() => { if (state.last === o) showDiagnostics(o); }, 0);
}

function showDiagnostics(o) {
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
    if (d.line) item.addEventListener("click", () => (state.view === "form" ? goToCell(d.line) : goToLine(d.line)));
    list.append(item);
  }
  if (o.failure) list.append(el("li", { class: "error", "data-rule": "render" }, o.failure));
  if (state.view === "text") drawGutter(o.diagnostics);
  else markForm(o.diagnostics);
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
    // Only a page whose content changed is fetched again, and only once
    // it comes near the view.
    if (page.dataset.hash !== hash) {
      if (page.dataset.hash && firstChanged === null) firstChanged = page;
      page.dataset.hash = hash;
      page.dataset.url = `/api/page?doc=${o.doc}&n=${i + 1}&h=${hash}&png=${PAGE_SCALE}`;
      if (page.dataset.near === "1") loadPage(page);
      else nearView.observe(page);
    }
    if (page.dataset.n !== String(i + 1)) page.dataset.n = i + 1;
    const text = page.querySelector(".page-text");
    if (text.textContent !== (o.texts[i] || "")) text.textContent = o.texts[i] || "";
  });
  for (const extra of old.slice(o.pages.length)) extra.remove();
  // After an edit, the page it changed is brought into view.
  if (firstChanged) firstChanged.scrollIntoView({ block: "nearest" });
}

// Pages within a screen or two of the view: their images are fetched.
const nearView = new IntersectionObserver((entries) => {
  for (const e of entries) {
    e.target.dataset.near = e.isIntersecting ? "1" : "0";
    if (e.isIntersecting) loadPage(e.target);
  }
}, { root: document.querySelector(".preview"), rootMargin: "1500px 0px" });

// A page's image, fetched at once: an <img> src waits some 50 ms in
// Chromium's queue before its request even starts.
async function loadPage(page) {
  const url = page.dataset.url, hash = page.dataset.hash;
  const img = page.querySelector("img");
  if (img.dataset.hash === hash) return;
  let blob;
  try {
    const r = await fetch(url, { credentials: "same-origin" });
    if (!r.ok) return;
    blob = await r.blob();
  } catch (e) {
    return;
  }
  if (page.dataset.hash !== hash) return; // a newer page is coming
  const old = img.src;
  img.dataset.hash = hash;
  img.src = URL.createObjectURL(blob);
  if (old.startsWith("blob:")) URL.revokeObjectURL(old);
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

// Resolves once every form edit is in the text.
async function settled() {
  for (let i = 0; i < 500 && (state.inflight || state.pending.size); i++) {
    await new Promise((done) => setTimeout(done, 10));
  }
}

async function save() {
  await settled();
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

// ---- the form: the budget as tables, written back into the TOML ----

function showView(which) {
  state.view = which;
  localStorage.setItem("yusuan-view", which);
  $("form").hidden = which !== "form";
  document.querySelector(".editor").hidden = which !== "text";
  $("view-form").classList.toggle("active", which === "form");
  $("view-text").classList.toggle("active", which === "text");
  if (which === "form" && state.name) { state.formSig = null; sendEdits(); }
  if (which === "text") drawGutter(state.last ? state.last.diagnostics : []);
  if (which === "form" && state.last) markForm(state.last.diagnostics);
}

const pathKey = (p) => JSON.stringify(p);

function queueEdit(path, value) {
  state.pending.set(pathKey(path), { path, value });
  sendEdits();
}

// Sends what the form changed (or nothing, to get the form of the text).
// One request at a time; each carries every edit not yet in the text, so an
// answer never drops a keystroke made while it was on its way.
async function sendEdits() {
  if (state.inflight) { state.again = true; return; }
  state.inflight = true; state.again = false;
  const sent = Array.from(state.pending.values());
  const ops = state.ops; state.ops = [];
  const base = $("editor").value;
  const body = JSON.stringify({ text: base, edits: [...sent, ...ops] });
  const r = await api("POST", "/api/edit", body, { "Content-Type": "application/json" });
  state.inflight = false;
  $("form").classList.remove("busy");
  if (r.ok && $("editor").value !== base) {
    // The text changed under the answer (typed in the TOML view): the
    // answer is stale; the edits go again on the new text.
    state.ops = ops.concat(state.ops);
    state.again = true;
  } else if (r.ok) {
    $("form-status").textContent = "";
    for (const e of sent) {
      const k = pathKey(e.path);
      const now = state.pending.get(k);
      if (now && now.value === e.value) state.pending.delete(k);
      state.refused.delete(k);
    }
    for (const x of r.data.refused) state.refused.set(pathKey(x.path), x.message);
    if ($("editor").value !== r.data.text) { $("editor").value = r.data.text; textChanged(0); }
    drawForm(r.data.form);
  } else {
    $("form-status").textContent = t(r.data && r.data.error);
  }
  if (state.again || state.ops.length || (r.ok && state.pending.size)) sendEdits();
}

function textChanged(delay) {
  $("save-status").textContent = $("editor").value === state.saved ? "" : w("unsaved");
  $("save-status").className = "";
  refresh(delay);
}

function cellInput(path, col, cell) {
  const kind = cell ? cell.kind : col.kind;
  const value = cell ? cell.value : "";
  const attrs = { "data-path": pathKey(path), "data-key": col.key, "data-line": cell && cell.line, "aria-label": t(col.title) };
  let input;
  if (kind === "long") {
    input = el("textarea", attrs);
    input.value = value;
  } else {
    input = el("input", Object.assign(attrs, { type: "text", class: kind === "amount" || kind === "whole" ? "amount" : null,
      inputmode: kind === "amount" || kind === "whole" ? "decimal" : null }));
    input.value = value;
    if (kind === "nested") { input.disabled = true; input.title = w("nested"); }
  }
  // An emptied cell removes its key only when she leaves it: retyping a
  // figure keeps the key where the file has it.
  input.addEventListener("input", () => { if (kind === "long" || input.value.trim() !== "") queueEdit(path, input.value); });
  input.addEventListener("change", () => { if (input.value.trim() === "") queueEdit(path, ""); });
  const td = el("td", { "data-key": col.key }, input);
  if (kind === "function" || kind === "economic") {
    input.dataset.kind = "code";
    td.append(el("span", { class: "code-name" }, (cell && cell.name) || ""));
  }
  state.inputs.set(pathKey(path), input);
  return td;
}

function formSignature(form) {
  if (!form) return "none";
  return JSON.stringify(form.parts.map((p) => [p.path, p.columns.map((c) => c.key),
    p.rows.map((r) => [r.path, r.sub ? r.sub.rows.length : 0])]));
}

function drawForm(form) {
  state.form = form;
  const box = $("form");
  const sig = formSignature(form);
  if (sig === state.formSig) { patchForm(form); return; }
  const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.path : null;
  state.formSig = sig;
  state.inputs = new Map();
  if (!form) { box.replaceChildren(el("p", { class: "error" }, w("notToml"))); return; }
  const open = new Set(Array.from(box.querySelectorAll("details.part[open]")).map((d) => d.dataset.path));
  const first = !box.querySelector("details.part");
  const parts = form.parts.map((p) => {
    const d = el("details", { class: "part", "data-path": pathKey(p.path) }, el("summary", {}, t(p.title)));
    if (first ? p.shape !== "cards" : open.has(pathKey(p.path))) d.open = true;
    if (p.shape === "fields") d.append(fieldsTable(p.columns, p.rows[0]));
    else if (p.shape === "grid") d.append(grid(p.path, p.columns, p.rows));
    else for (const row of p.rows) d.append(card(p, row));
    if (p.shape !== "fields") d.append(addButton(p.path));
    return d;
  });
  if (form.elsewhere.length) parts.push(el("p", { class: "elsewhere" }, w("elsewhere", form.elsewhere.join("、"))));
  box.replaceChildren(...parts);
  patchForm(form);
  if (focused && state.inputs.has(focused)) state.inputs.get(focused).focus();
  if (state.last) markForm(state.last.diagnostics);
}

function fieldsTable(columns, row) {
  return el("table", { class: "fields" }, el("tbody", {}, ...columns.map((c) =>
    el("tr", {}, el("th", {}, t(c.title)), cellInput([...row.path, c.key], c, row.cells[c.key])))));
}

function grid(path, columns, rows) {
  const head = el("tr", {}, ...columns.map((c) => el("th", {}, t(c.title))), el("th", {}));
  const body = rows.map((row) => el("tr", { "data-path": pathKey(row.path) },
    ...columns.map((c) => cellInput([...row.path, c.key], c, row.cells[c.key])), el("td", {}, removeButton(row.path))));
  return el("table", { class: "grid", "data-path": pathKey(path) }, el("thead", {}, head), el("tbody", {}, ...body));
}

function card(part, row) {
  const title = (row.cells.name || row.cells.title || {}).value || "";
  const f = el("fieldset", { "data-path": pathKey(row.path) }, el("legend", {}, title), fieldsTable(part.columns, row));
  if (row.sub) {
    f.append(el("div", {}, t(row.sub.title)), grid(row.sub.path, row.sub.columns, row.sub.rows), addButton(row.sub.path));
  }
  f.append(removeButton(row.path));
  return f;
}

function addButton(path) {
  const b = el("button", { class: "add", "data-path": pathKey(path) }, w("addRow"));
  b.addEventListener("click", () => { state.ops.push({ path, add: true }); $("form").classList.add("busy"); sendEdits(); });
  return b;
}

function removeButton(path) {
  const b = el("button", { class: "remove", title: w("removeRow"), "aria-label": w("removeRow") }, "✕");
  b.addEventListener("click", () => { state.ops.push({ path, remove: true }); $("form").classList.add("busy"); sendEdits(); });
  return b;
}

// The same structure: only values, lines and names change; the cell being
// typed in is left alone.
function patchForm(form) {
  if (!form) return;
  const cells = new Map();
  const collect = (rows) => {
    for (const row of rows) {
      for (const [k, c] of Object.entries(row.cells)) cells.set(pathKey([...row.path, k]), c);
      if (row.sub) collect(row.sub.rows);
    }
  };
  for (const p of form.parts) collect(p.rows);
  const byLine = new Map();
  for (const [k, input] of state.inputs) {
    const c = cells.get(k);
    const pending = state.pending.has(k) || state.refused.has(k);
    const value = c ? c.value : "";
    if (document.activeElement !== input && !pending && input.value !== value) input.value = value;
    // Only what changed is written: two thousand cells stay cheap.
    const line = c && c.line ? String(c.line) : undefined;
    if (input.dataset.line !== line) { if (line) input.dataset.line = line; else delete input.dataset.line; }
    if (line) byLine.set(Number(line), input);
    const td = input.parentElement;
    if (input.dataset.kind === "code") {
      const name = td.querySelector(".code-name");
      if (name.textContent !== ((c && c.name) || "")) name.textContent = (c && c.name) || "";
    }
    // An empty name cell shows the catalogue's name of its row's code.
    if (input.dataset.key === "name") {
      const row = k.slice(0, k.lastIndexOf(","));
      const code = ["code", "function", "economic"].map((c) => cells.get(`${row},"${c}"]`)).find((c) => c && c.name);
      const hint = code ? code.name : "";
      if (input.placeholder !== hint) input.placeholder = hint;
    }
    const refused = state.refused.has(k);
    if (refused || td.classList.contains("refused")) {
      const old = td.querySelector(".cell-msg.refused");
      if (old) old.remove();
      td.classList.toggle("refused", refused);
      if (refused) td.append(el("div", { class: "cell-msg refused" }, t(state.refused.get(k))));
    }
  }
  state.byLine = byLine;
  state.rows = [];
  const rowsOf = (rows) => { for (const r of rows) { state.rows.push(r); if (r.sub) rowsOf(r.sub.rows); } };
  for (const p of form.parts) rowsOf(p.rows);
}

// Each diagnostic on the cell of its line, else on the first cell of the
// record that holds its line.
function markForm(diags) {
  for (const td of $("form").querySelectorAll("td.error, td.warning")) {
    td.classList.remove("error", "warning");
    for (const m of td.querySelectorAll(".cell-msg.diag")) m.remove();
  }
  for (const d of diags || []) {
    // On its own cell, and on the cells of the lines its total sums (a
    // figure mistyped there shows as the total's mismatch).
    const inputs = [cellOfLine(d.line), ...(d.related || []).flatMap(amountsOfLine)];
    for (const input of inputs) {
      if (!input) continue;
      const td = input.parentElement;
      if (!td.classList.contains("error")) td.classList.add(d.severity);
      const said = t(d.message);
      if (Array.from(td.querySelectorAll(".cell-msg.diag")).some((m) => m.textContent === said)) continue;
      td.append(el("div", { class: "cell-msg diag", "data-rule": d.rule }, said));
    }
  }
}

// The amount cells of the line's record (a line a total sums): its own
// cell when the line holds one, else the record's amounts.
function amountsOfLine(line) {
  const direct = state.byLine && state.byLine.get(line);
  if (direct) return [direct];
  const first = cellOfLine(line);
  if (!first) return [];
  const prefix = first.dataset.path.slice(0, first.dataset.path.lastIndexOf(","));
  const amounts = Array.from(state.inputs.entries())
    .filter(([k, i]) => k.slice(0, k.lastIndexOf(",")) === prefix && i.classList.contains("amount"))
    .map(([, i]) => i);
  return amounts.length ? amounts : [first];
}

function cellOfLine(line) {
  if (!line) return null;
  const direct = state.byLine && state.byLine.get(line);
  if (direct) return direct;
  let best = null;
  for (const r of state.rows || []) {
    const [a, b] = r.lines;
    if (a && b && a <= line && line <= b && (!best || a >= best.lines[0])) best = r;
  }
  if (!best) return null;
  const prefix = pathKey(best.path).slice(0, -1) + ",";
  for (const [k, input] of state.inputs) if (k.startsWith(prefix)) return input;
  return null;
}

function goToCell(line) {
  const input = cellOfLine(line);
  if (!input) { showView("text"); goToLine(line); return; }
  const part = input.closest("details");
  if (part) part.open = true;
  input.scrollIntoView({ block: "center" });
  input.focus();
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
  $("editor").addEventListener("input", () => textChanged(150));
  $("view-form").addEventListener("click", () => showView("form"));
  $("view-text").addEventListener("click", () => showView("text"));
  $("form").addEventListener("keydown", (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key === "s") { e.preventDefault(); save(); }
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
  showView(state.view);
  loadProfiles();
  loadFiles();
  watchProfile();
});

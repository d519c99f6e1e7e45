// Celah Pengetahuan (editors and supervisors): what citizens asked that the assistant could not
// answer, grouped by meaning, with masked examples, the nearest documents and a Markdown stub.
(function () {
  "use strict";
  const K = window.konsol;
  const $ = (id) => document.getElementById(id);
  const el = K.el;
  // As citybot.retrieval.gaps.KIND_LABELS.
  const KINDS = { not_understood: "tidak dipahami", low_confidence: "jawaban ragu", negative_feedback: "dijawab 'Belum'",
    handoff: "minta petugas", text: "teks" };

  async function copy(text, button) {
    try {
      await navigator.clipboard.writeText(text);
      button.textContent = "Tersalin";
    } catch (err) {  // no clipboard permission (plain http): select the text for Ctrl+C
      const range = document.createRange();
      range.selectNodeContents(button.parentElement.querySelector("pre"));
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      button.textContent = "Teks terpilih: tekan Ctrl+C";
    }
    setTimeout(() => { button.textContent = "Salin Markdown"; }, 2500);
  }

  function kindsOf(kinds) {
    // `kinds` may be a list of names or an object {kind: count}.
    const pairs = Array.isArray(kinds) ? kinds.map((k) => [k, null]) : Object.entries(kinds || {});
    return pairs.map(([k, n]) => el("span", { class: "kind", "data-kind": k }, (KINDS[k] || k) + (n ? " · " + n : "")));
  }

  function group(g, n) {
    const card = el("div", { class: "gap", "data-size": String(g.size), "data-index": String(n) });
    card.appendChild(el("h3", {}, "Kelompok " + (n + 1) + " · " + g.size + " pertanyaan"));
    const kinds = el("div");
    kinds.append(...kindsOf(g.kinds));
    card.appendChild(kinds);
    const cols = el("div", { class: "cols" });
    const left = el("div");
    left.appendChild(el("strong", {}, "Contoh pertanyaan warga"));
    const examples = el("ul", { class: "examples" });
    for (const x of (g.examples || []).slice(0, 3)) examples.appendChild(el("li", { class: "example" }, typeof x === "string" ? x : x.text));
    left.appendChild(examples);
    const right = el("div");
    right.appendChild(el("strong", {}, "Dokumen terdekat"));
    const docs = el("ul", { class: "docs" });
    for (const d of g.closest_docs || []) {
      const score = typeof d.score === "number" ? " (" + d.score.toFixed(2) + ")" : "";
      docs.appendChild(el("li", { class: "doc", "data-doc": d.id }, (d.title || d.id) + score));
    }
    if (!(g.closest_docs || []).length) docs.appendChild(el("li", { class: "muted" }, "belum ada yang mendekati"));
    right.appendChild(docs);
    cols.append(left, right);
    card.appendChild(cols);
    const stub = el("div", { class: "stub" });
    const button = el("button", { class: "secondary copy" }, "Salin Markdown");
    button.onclick = () => copy(g.stub_markdown || "", button);
    stub.append(el("strong", {}, "Rancangan dokumen baru "), button, el("pre", {}, g.stub_markdown || ""));
    card.appendChild(stub);
    return card;
  }

  async function load() {
    $("g-error").textContent = "";
    const box = $("g-groups");
    box.replaceChildren(el("p", { class: "muted" }, "Memuat…"));
    let data;
    try { data = await K.api("/gaps?since_days=" + encodeURIComponent($("g-days").value)); }
    catch (err) { box.replaceChildren(); $("g-error").textContent = "Laporan celah belum tersedia: " + err.message; return; }
    const summary = $("g-summary");
    summary.dataset.total = String(data.total);
    summary.dataset.groups = String(data.groups.length);
    summary.textContent = data.total + " pertanyaan belum terjawab dalam " + data.since_days + " hari terakhir, " +
      data.groups.length + " kelompok (terbesar di atas).";
    box.replaceChildren(...data.groups.map(group));
    if (!data.groups.length) box.appendChild(el("p", { class: "muted" }, "Tidak ada pertanyaan yang belum terjawab. Bagus!"));
  }

  $("g-load").onclick = load;
  K.hooks.gaps = load;
})();

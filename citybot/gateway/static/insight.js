// Wawasan (supervisors): filters, totals, map, charts, overdue list, emergency and handoff
// signals, downloads. Every figure is also written as text (tables, data-* attributes).
(function () {
  "use strict";
  const K = window.konsol;
  const $ = (id) => document.getElementById(id);
  const el = K.el;
  const PALETTE = ["#12355b", "#e8710a", "#188038", "#d93025", "#9334e6", "#1a73e8", "#b06000", "#007b83", "#c5221f", "#5f6368"];
  // Kinds of citybot.nlu.emergency_patterns (a flood is "bencana").
  const EMERGENCY = { bencana: "Banjir/bencana", kebakaran: "Kebakaran", medis: "Medis", kejahatan: "Kejahatan",
    sar: "Orang hilang/SAR", krisis: "Krisis jiwa", umum: "Darurat umum" };
  const charts = {};
  let config = null;
  let areas = null;

  function params() {
    return K.query({ category: $("i-category").value, status: $("i-status").value, date_from: $("i-from").value,
      date_to: $("i-to").value, kelurahan: $("i-kelurahan").value.trim() });
  }
  const color = (i) => PALETTE[i % PALETTE.length];
  const num = (v) => (v === null || v === undefined ? "-" : String(v));
  const hours = (v) => (v === null || v === undefined ? "-" : Number(v).toLocaleString("id-ID", { maximumFractionDigits: 1 }));
  const typeName = (t) => EMERGENCY[t] || t;

  function chart(id, cfg) {
    if (charts[id]) charts[id].destroy();
    cfg.options = Object.assign({ animation: false, responsive: true, maintainAspectRatio: false }, cfg.options || {});
    charts[id] = new Chart($(id), cfg);
  }

  function table(head, rows, attrs) {
    const t = el("table");
    const tr = el("tr");
    head.forEach((h, i) => tr.appendChild(el("th", i && typeof rows[0]?.[i] === "number" ? { class: "num" } : {}, h)));
    t.appendChild(tr);
    rows.forEach((r, n) => {
      const row = el("tr", attrs ? attrs(r, n) : {});
      r.forEach((c) => row.appendChild(c instanceof Node ? el("td").appendChild(c).parentNode : el("td", typeof c === "number" ? { class: "num" } : {}, num(c))));
      t.appendChild(row);
    });
    if (!rows.length) t.appendChild(el("tr")).appendChild(el("td", { colspan: String(head.length), class: "muted" }, "Tidak ada data."));
    return t;
  }

  function ticketButton(ticket) {
    const b = el("button", { class: "linklike", "data-ticket": ticket }, ticket);
    b.onclick = () => K.showComplaint(ticket);
    return b;
  }

  function totals(t) {
    const box = $("i-totals");
    box.replaceChildren();
    for (const [key, label] of [["all", "Semua laporan"], ["open", "Masih terbuka"], ["closed", "Selesai/ditutup"], ["overdue", "Melewati target"]]) {
      const card = el("div", { class: "card", "data-total": key, "data-count": String(t[key]) });
      card.append(el("div", { class: "stat" + (key === "overdue" && t[key] ? " warn" : "") }, String(t[key])), el("div", { class: "stat-label" }, label));
      box.appendChild(card);
    }
  }

  function categories(summary) {
    const seen = new Map();
    for (const r of summary.weekly.concat(summary.durations)) seen.set(r.category, r.category_name || r.category);
    const select = $("i-category");
    const have = new Set([...select.options].map((o) => o.value));
    for (const [code, name] of seen) if (!have.has(code)) select.appendChild(el("option", { value: code }, name));
  }

  function weekly(rows) {
    const weeks = [...new Set(rows.map((r) => r.week))].sort();
    const cats = [...new Map(rows.map((r) => [r.category, r.category_name || r.category]))];
    const count = (w, c) => rows.filter((r) => r.week === w && r.category === c).reduce((a, r) => a + r.count, 0);
    chart("i-weekly-chart", { type: "bar", data: { labels: weeks.map((w) => "pekan " + w.slice(8) + "/" + w.slice(5, 7)),
      datasets: cats.map(([c, name], i) => ({ label: name, data: weeks.map((w) => count(w, c)), backgroundColor: color(i) })) },
      options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } } });
    $("i-weekly-table").replaceChildren(table(["Minggu mulai", "Kategori", "Jumlah"],
      rows.map((r) => [r.week, r.category_name || r.category, r.count]), (r) => ({ "data-week": r[0], "data-count": String(r[2]) })));
  }

  function top(rows) {
    chart("i-top-chart", { type: "bar", data: { labels: rows.map((r) => r.kelurahan),
      datasets: [{ label: "Laporan", data: rows.map((r) => r.count), backgroundColor: "#12355b" }] },
      options: { indexAxis: "y", plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } } });
    $("i-top-table").replaceChildren(table(["Kelurahan", "Laporan"], rows.map((r) => [r.kelurahan, r.count]),
      (r) => ({ class: "top-kelurahan", "data-kelurahan": r[0], "data-count": String(r[1]) })));
  }

  function durations(rows) {
    chart("i-duration-chart", { type: "bar", data: { labels: rows.map((r) => r.category_name || r.category), datasets: [
      { label: "Tanggapan pertama", data: rows.map((r) => r.median_first_response_hours), backgroundColor: "#e8710a" },
      { label: "Selesai", data: rows.map((r) => r.median_completion_hours), backgroundColor: "#188038" }] },
      options: { scales: { y: { beginAtZero: true, title: { display: true, text: "jam (median)" } } } } });
    $("i-duration-table").replaceChildren(table(["Kategori", "Tanggapan pertama (jam)", "Selesai (jam)", "Ditanggapi", "Selesai"],
      rows.map((r) => [r.category_name || r.category, hours(r.median_first_response_hours), hours(r.median_completion_hours), r.responded, r.completed]),
      (r, n) => ({ class: "duration-row", "data-category": rows[n].category, "data-responded": String(rows[n].responded),
        "data-completed": String(rows[n].completed), "data-first-hours": String(rows[n].median_first_response_hours ?? "") })));
  }

  function overdue(rows) {
    $("i-overdue").replaceChildren(el("p", { class: "muted" }, rows.length + " laporan terbuka melewati target waktu layanan (Open311 expected_datetime)."),
      table(["Tiket", "Kategori", "Kelurahan", "Status", "Target", "Terlambat"],
        rows.map((r) => [ticketButton(r.ticket), r.category_name || r.category, r.kelurahan || "-", r.status, K.fmt(r.expected_at), r.days_overdue + " hari"]),
        (r, n) => ({ class: "overdue-row", "data-ticket": rows[n].ticket, "data-days": String(rows[n].days_overdue) })));
  }

  function emergencies(data) {
    const box = $("i-emergency").querySelector(".body");
    const sum = (rows) => rows.reduce((a, r) => a + r.count, 0);
    const today = sum(data.today), week = sum(data.week);
    const days = lastDays(data.days || 7);
    const earlier = days.slice(0, -1).map((d) => sum(data.by_day.filter((r) => r.day === d)));
    const usual = earlier.length ? earlier.reduce((a, b) => a + b, 0) / earlier.length : 0;
    box.replaceChildren();
    // A spike: today at least three and more than twice the daily average of the days before.
    if (today >= 3 && today > 2 * usual) {
      const lead = [...data.today].sort((a, b) => b.count - a.count)[0];
      box.appendChild(el("div", { class: "spike", "data-spike": "1" }, "Lonjakan hari ini: " + today + " balasan darurat" +
        (lead ? " (terbanyak " + typeName(lead.type) + (lead.kelurahan ? " di " + lead.kelurahan : "") + ")" : "")));
    }
    const big = el("div", { class: "big-row" });
    big.append(stat(today, "hari ini", "today", today > 0), stat(week, data.days ? data.days + " hari terakhir" : "minggu ini", "week", false));
    box.appendChild(big);
    const rows = data.week.map((r) => {
      const t = data.today.find((x) => x.type === r.type && x.kelurahan === r.kelurahan);
      return [typeName(r.type), r.kelurahan || "(tanpa kelurahan)", t ? t.count : 0, r.count];
    });
    box.appendChild(table(["Jenis", "Kelurahan", "Hari ini", "Minggu ini"], rows,
      (r, n) => ({ class: "emergency-row", "data-type": data.week[n].type, "data-kelurahan": data.week[n].kelurahan || "",
        "data-today": String(r[2]), "data-week": String(r[3]) })));
    const types = [...new Set(data.by_day.map((r) => r.type))];
    chart("i-emergency-chart", { type: "bar", data: { labels: days.map((d) => d.slice(8) + "/" + d.slice(5, 7)), datasets: types.map((t, i) => ({
      label: typeName(t), backgroundColor: color(i + 3),
      data: days.map((d) => sum(data.by_day.filter((r) => r.day === d && r.type === t))) })) },
      options: { plugins: { legend: { position: "bottom", labels: { boxWidth: 10 } } },
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } } });
  }

  // The last n calendar days in the city's zone, oldest first (days without replies count 0).
  function lastDays(n) {
    const out = [];
    for (let i = n - 1; i >= 0; i--) {
      const d = new Date(Date.now() - i * 86400000);
      out.push(d.toLocaleDateString("sv-SE", { timeZone: config.timezone }));  // YYYY-MM-DD
    }
    return out;
  }

  function stat(value, label, key, warn) {
    const d = el("div", { "data-stat": key, "data-count": String(value) });
    d.append(el("div", { class: "stat" + (warn ? " warn" : "") }, String(value)), el("div", { class: "stat-label" }, label));
    return d;
  }

  function handoffs(h) {
    const box = $("i-handoff").querySelector(".body");
    const big = el("div", { class: "big-row" });
    big.append(stat(h.waiting, "menunggu sekarang" + (h.oldest_wait_minutes !== null ? " (terlama " + Math.round(h.oldest_wait_minutes) + " menit)" : ""), "waiting", h.waiting > 0));
    const kv = el("div", { class: "kv" });
    kv.append(el("span", { class: "h" }, ""), el("span", { class: "h" }, "Hari ini"), el("span", { class: "h" }, "7 hari"));
    for (const [key, label] of [["requested", "Diminta"], ["in_office_hours", "Diminta di jam layanan"], ["answered", "Diambil petugas"],
      ["answered_in_office_hours", "Dijawab di jam layanan yang sama"], ["median_wait_minutes", "Median tunggu (menit)"]]) {
      kv.append(el("span", {}, label), el("span", { "data-period": "today", "data-key": key }, num(h.today[key])),
        el("span", { "data-period": "week", "data-key": key }, num(h.week[key])));
    }
    box.replaceChildren(big, kv, el("p", { class: "muted" }, "Layanan petugas sekarang " + (h.office_open ? "buka." : "tutup.")));
  }

  async function part(path, render, label) {
    try { render(await K.api(path)); }
    catch (err) { $("i-error").appendChild(el("div", {}, label + " belum tersedia: " + err.message)); }
  }

  async function load() {
    $("i-error").replaceChildren();
    const q = params();
    $("i-csv").href = "/agent/api/insight/export.csv?" + q;
    $("i-geojson").href = "/agent/api/insight/export.geojson?" + q;
    if (!config) config = await K.api("/insight/config");
    if (!areas) {
      try {
        areas = await K.api("/insight/areas");
        $("i-areas").replaceChildren(...(areas.features || []).map((f) => el("option", { value: f.properties.name })));
      } catch (err) { areas = null; }
    }
    $("insight").dataset.loading = "1";
    await Promise.all([
      part("/insight/summary?" + q, (s) => { totals(s.totals); categories(s); weekly(s.weekly); top(s.top_kelurahan); durations(s.durations); overdue(s.overdue); }, "Ringkasan"),
      part("/insight/map?" + q, (m) => window.insightMap.render(config, m, areas, K.showComplaint), "Peta"),
      part("/insight/emergencies?days=7", emergencies, "Sinyal darurat"),
      part("/insight/handoffs", handoffs, "Data permintaan petugas"),
    ]);
    delete $("insight").dataset.loading;
    $("insight").dataset.loaded = String(Number($("insight").dataset.loaded || 0) + 1);
  }

  $("i-load").onclick = load;
  K.hooks.insight = load;
})();

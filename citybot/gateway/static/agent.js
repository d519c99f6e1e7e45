// Agent console: queue, conversation (take over / reply / hand back), city panels, knowledge, live SSE.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const H = { "Content-Type": "application/json", "X-Requested-With": "agent-console" };
  let me = null;
  let openSender = null;
  let events = null;
  const STATE = { queued: "menunggu petugas", agent: "ditangani petugas", callback: "minta dihubungi", bot: "dilayani bot" };
  const CHANNEL = { telegram: "Telegram", whatsapp: "WhatsApp", web: "Web" };

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }
  let zone = undefined;  // the city's time zone (from /me), so every agent sees city time
  const fmt = (iso) => (iso ? new Date(iso).toLocaleString("id-ID", { dateStyle: "short", timeStyle: "short", timeZone: zone }) : "");

  async function api(path, options) {
    const res = await fetch("/agent/api" + path, Object.assign({ credentials: "same-origin" }, options || {}));
    if (res.status === 401 && path !== "/login") { showLogin(); throw new Error("login"); }
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(data.detail || data.message || ("HTTP " + res.status));
    return data;
  }
  const postJSON = (path, body) => api(path, { method: "POST", headers: H, body: JSON.stringify(body || {}) });

  function showLogin() {
    for (const v of ["app", "insight", "gaps"]) $(v).hidden = true;
    $("views").hidden = true;
    $("login").hidden = false; $("logout").hidden = true; $("live").hidden = true;
    $("who").textContent = "";
    if (events) { events.close(); events = null; }
  }

  const ROLE = { supervisor: "supervisor", agent: "petugas", editor: "editor" };
  // Views by role: agents the conversations, supervisors also Wawasan and the gap report,
  // editors the gap report only (the server refuses the rest to them anyway).
  const VIEWS = { agent: ["app"], supervisor: ["app", "insight", "gaps"], editor: ["gaps"] };
  const hooks = {};  // views' loaders, registered by insight.js and gaps.js

  function showView(name) {
    for (const v of ["app", "insight", "gaps"]) {
      $(v).hidden = v !== name;
      $("view-" + v).classList.toggle("on", v === name);
    }
    if (hooks[name]) hooks[name]();
  }
  for (const b of document.querySelectorAll("#views button")) b.onclick = () => showView(b.dataset.view);

  async function start(info) {
    me = info;
    zone = info.timezone || undefined;
    const views = VIEWS[info.role] || VIEWS.agent;
    $("login").hidden = true; $("logout").hidden = false;
    $("who").textContent = info.username + " (" + (ROLE[info.role] || info.role) + ")";
    for (const v of ["app", "insight", "gaps"]) $("view-" + v).hidden = !views.includes(v);
    $("views").hidden = views.length < 2;
    $("review-tab").hidden = info.role !== "supervisor";  // supervisors look after the content
    showView(views[0]);
    if (!views.includes("app")) return;
    await loadQueue();
    connect();
    loadComplaints();
  }

  $("login").onsubmit = async (e) => {
    e.preventDefault();
    $("login-error").textContent = "";
    try {
      await start(await postJSON("/login", { username: $("login-username").value, password: $("login-password").value }));
    } catch (err) {
      $("login-error").textContent = "Nama pengguna atau kata sandi salah.";
    }
  };
  $("logout").onclick = async () => { await postJSON("/logout"); showLogin(); };

  // --- live updates ------------------------------------------------------------------------
  function connect() {
    if (events) events.close();
    events = new EventSource("/agent/api/events");
    events.onopen = () => { $("live").hidden = false; loadQueue(); if (openSender) openConversation(openSender); };
    events.onerror = () => { $("live").hidden = true; };
    events.addEventListener("queue", () => { loadQueue(); if (openSender) openConversation(openSender); });
    events.addEventListener("message", (ev) => {
      const data = JSON.parse(ev.data);
      if (data.sender === openSender) openConversation(openSender);
      if (data.state && data.state !== "bot") loadQueue();
    });
  }

  // --- queue and conversation --------------------------------------------------------------
  async function loadQueue() {
    const data = await api("/queue");
    const box = $("queue");
    box.replaceChildren();
    if (!data.items.length) box.appendChild(el("p", { class: "muted" }, "Belum ada warga yang menunggu."));
    for (const item of data.items) {
      const div = el("div", { class: "queue-item" + (item.sender === openSender ? " active" : ""), "data-sender": item.sender });
      const head = el("div");
      head.appendChild(el("span", { class: "badge " + item.state }, STATE[item.state] || item.state));
      head.appendChild(document.createTextNode(" " + (item.name || "Warga") + " · " + (CHANNEL[item.channel] || item.channel)));
      div.appendChild(head);
      div.appendChild(el("div", { class: "summary-text" }, item.summary || "(tanpa ringkasan)"));
      let meta = fmt(item.requested_at);
      if (item.agent) meta += " · " + item.agent;
      if (item.next_open) meta += " · hubungi kembali " + fmt(item.next_open);
      div.appendChild(el("div", { class: "muted" }, meta));
      div.onclick = () => openConversation(item.sender);
      box.appendChild(div);
    }
  }

  async function openConversation(sender) {
    openSender = sender;
    for (const n of document.querySelectorAll(".queue-item")) n.classList.toggle("active", n.dataset.sender === sender);
    const c = await api("/conversations/" + encodeURIComponent(sender));
    $("conv-title").textContent = "Percakapan · " + (c.name || "Warga") + " · " + (CHANNEL[c.channel] || c.channel) +
      " · " + (STATE[c.state] || c.state) + (c.agent ? " (" + c.agent + ")" : "");
    const summary = $("summary");
    summary.hidden = !c.summary;
    const reasonLine = c.reason && !c.summary.includes(c.reason) ? "\nAlasan: " + c.reason : "";
    summary.textContent = c.summary ? "Ringkasan bot:\n" + c.summary + reasonLine : "";
    const box = $("history");
    box.replaceChildren();
    for (const m of c.messages) {
      let cls = m.direction === "in" ? "in" : "out";
      if (m.author === "system") cls = "system";
      else if (m.author.startsWith("agent:")) cls = "agentmsg";
      const div = el("div", { class: "msg " + cls });
      if (cls !== "system") {
        const who = m.author === "citizen" ? "Warga" : m.author === "bot" ? "Bot" : m.author.replace("agent:", "Petugas ");
        div.appendChild(el("span", { class: "author" }, who + " · " + fmt(m.at)));
      }
      div.appendChild(document.createTextNode(m.text));
      if (m.data && m.data.media_url) {
        const img = el("img", { src: m.data.media_url, alt: "Foto warga", style: "max-width:220px;display:block;margin-top:4px" });
        div.appendChild(img);
      }
      box.appendChild(div);
    }
    box.scrollTop = box.scrollHeight;
    const mine = c.state === "agent" && c.agent === me.username;
    $("take-btn").disabled = c.state === "agent" && !mine ? true : mine;
    $("release-btn").disabled = c.state === "bot" || (c.state === "agent" && !mine && me.role !== "supervisor");
    $("reply-text").disabled = !mine;
    $("reply-send").disabled = !mine;
  }

  const path = (suffix) => "/conversations/" + encodeURIComponent(openSender) + suffix;
  $("take-btn").onclick = async () => { await postJSON(path("/take")); await openConversation(openSender); loadQueue(); };
  $("release-btn").onclick = async () => { await postJSON(path("/release")); await openConversation(openSender); loadQueue(); };
  async function sendReply() {
    const text = $("reply-text").value.trim();
    if (!text) return;
    await postJSON(path("/reply"), { text });
    $("reply-text").value = "";
    await openConversation(openSender);
  }
  $("reply-send").onclick = sendReply;
  $("reply-text").onkeydown = (e) => { if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); sendReply(); } };

  // --- panels ------------------------------------------------------------------------------
  for (const tab of document.querySelectorAll(".tabs button")) {
    tab.onclick = () => {
      for (const t of document.querySelectorAll(".tabs button")) t.classList.toggle("on", t === tab);
      for (const p of document.querySelectorAll(".panel")) p.style.display = p.dataset.panel === tab.dataset.tab ? "flex" : "none";
      if (tab.dataset.tab === "bookings") loadBookings();
      if (tab.dataset.tab === "review") loadReview();
    };
  }

  function query(params) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
    return q.toString();
  }

  async function loadComplaints() {
    const box = $("complaints");
    box.replaceChildren(el("p", { class: "muted" }, "Memuat…"));
    let data;
    try {
      data = await api("/complaints?" + query({ status: $("c-status").value, category: $("c-category").value,
        date_from: $("c-from").value, date_to: $("c-to").value }));
    } catch (err) {
      box.replaceChildren(el("p", { class: "muted" }, "Data laporan belum tersedia: " + err.message));
      return;
    }
    const table = el("table");
    table.appendChild(el("tr")).append(el("th", {}, "Tiket"), el("th", {}, "Laporan"), el("th", {}, "Status"));
    for (const c of data.items) {
      const row = el("tr");
      const info = el("td");
      info.append(el("div", {}, c.service_name), el("div", { class: "muted" }, (c.address || c.kelurahan || "") + " · " + fmt(c.requested_datetime)));
      const statusCell = el("td");
      const select = el("select");
      for (const s of ["menunggu", "koordinasi", "disposisi", "proses", "selesai", "ditolak", "duplikat", "dibatalkan"]) {
        const o = el("option", { value: s }, s); if (s === c.status) o.selected = true; select.appendChild(o);
      }
      const note = el("input", { placeholder: "Catatan untuk warga", size: "14" });
      const save = el("button", { class: "secondary" }, "Simpan");
      save.onclick = async () => {
        save.disabled = true;
        try { await postJSON("/complaints/" + encodeURIComponent(c.ticket) + "/status", { status: select.value, note: note.value }); loadComplaints(); }
        catch (err) { alert("Gagal mengubah status: " + err.message); save.disabled = false; }
      };
      statusCell.append(select, note, save);
      const ticketCell = el("td");
      const open = el("button", { class: "linklike", "data-ticket": c.ticket }, c.ticket);
      open.onclick = () => showComplaint(c.ticket);
      ticketCell.appendChild(open);
      row.append(ticketCell, info, statusCell);
      table.appendChild(row);
    }
    box.replaceChildren(el("p", { class: "muted" }, data.total + " laporan"), table);
  }
  $("c-load").onclick = loadComplaints;

  async function loadBookings() {
    const box = $("bookings");
    box.replaceChildren(el("p", { class: "muted" }, "Memuat…"));
    let data;
    try { data = await api("/bookings?" + query({ date: $("b-date").value, status: $("b-status").value })); }
    catch (err) { box.replaceChildren(el("p", { class: "muted" }, "Data HomeCare belum tersedia: " + err.message)); return; }
    const table = el("table");
    table.appendChild(el("tr")).append(el("th", {}, "Kode"), el("th", {}, "Pasien"), el("th", {}, "Jadwal"), el("th", {}, "Status"));
    for (const b of data.items) {
      const row = el("tr");
      row.append(el("td", {}, b.code), el("td", {}, b.patient_name + " · " + (b.kelurahan || "")),
        el("td", {}, fmt(b.slot.start) + " · " + b.puskesmas.name), el("td", {}, b.status));
      table.appendChild(row);
    }
    box.replaceChildren(el("p", { class: "muted" }, data.total + " kunjungan"), table);
  }
  $("b-load").onclick = loadBookings;

  async function searchKnowledge() {
    const q = $("k-q").value.trim();
    const box = $("knowledge");
    if (q.length < 2) return;
    box.replaceChildren(el("p", { class: "muted" }, "Mencari…"));
    const data = await api("/knowledge?" + query({ q }));
    if (!data.available) { box.replaceChildren(el("p", { class: "muted" }, "Indeks pengetahuan belum tersedia.")); return; }
    box.replaceChildren();
    if (!data.hits.length) box.appendChild(el("p", { class: "muted" }, "Tidak ada hasil."));
    for (const h of data.hits) {
      const div = el("div", { class: "hit" });
      div.append(el("h4", {}, h.title + " — " + h.section), el("div", {}, h.text));
      box.appendChild(div);
    }
  }
  $("k-go").onclick = searchKnowledge;
  $("k-q").onkeydown = (e) => { if (e.key === "Enter") searchKnowledge(); };

  function reviewSection(box, title, rows) {
    box.appendChild(el("h3", {}, title));
    if (!rows.length) box.appendChild(el("p", { class: "muted" }, "(tidak ada)"));
    for (const r of rows) box.appendChild(el("div", { class: "muted" }, r));
  }

  async function loadReview() {
    const box = $("review");
    box.replaceChildren(el("p", { class: "muted" }, "Memuat…"));
    let data;
    try { data = await api("/knowledge/review"); }
    catch (err) { box.replaceChildren(el("p", { class: "muted" }, "Laporan belum tersedia: " + err.message)); return; }
    box.replaceChildren(el("p", { class: "muted" }, data.documents.length + " dokumen: " + data.never +
      " belum diperiksa, " + data.due + " perlu diperiksa ulang (batas " + data.max_age_months + " bulan), " +
      data.passed.length + " tanggal lewat, " + data.unsourced.length + " tanpa sumber."));
    const shown = data.most_shown;
    box.appendChild(el("h3", {}, "Paling sering ditampilkan ke warga (" + shown.days + " hari terakhir)"));
    if (shown.error) box.appendChild(el("p", { class: "error" }, shown.error));
    else if (!shown.items.length) box.appendChild(el("p", { class: "muted" }, "Belum ada jawaban tercatat."));
    else {
      const top = el("table");
      top.appendChild(el("tr")).append(el("th", {}, "Dokumen"), el("th", {}, "Kali"));
      for (const s of shown.items) top.appendChild(el("tr")).append(el("td", {}, s.title || s.doc_id), el("td", {}, String(s.count)));
      box.appendChild(top);
    }
    reviewSection(box, "Tanggal yang sudah lewat", data.passed);
    reviewSection(box, "Dokumen tanpa sumber resmi", data.unsourced);
    box.appendChild(el("h3", {}, "Dokumen menurut umur pemeriksaan"));
    const table = el("table");
    table.appendChild(el("tr")).append(el("th", {}, "Dokumen"), el("th", {}, "Diperiksa"), el("th", {}, "Sumber"));
    for (const d of data.documents) {
      const when = d.reviewed ? d.reviewed + " (" + d.age_days + " hari)" : "belum pernah";
      table.appendChild(el("tr", { class: d.stale ? "due" : "" })).append(
        el("td", { title: d.title }, d.doc_id), el("td", {}, when), el("td", {}, String(d.sources)));
    }
    box.appendChild(table);
  }
  $("r-load").onclick = loadReview;

  // --- complaint detail (from the Laporan list and the Wawasan map and tables) ----------------
  async function showComplaint(ticket) {
    const box = $("complaint-detail");
    box.replaceChildren(el("p", { class: "muted" }, "Memuat laporan " + ticket + "…"));
    if (!$("complaint-dialog").open) $("complaint-dialog").showModal();
    let c;
    try { c = await api("/complaints/" + encodeURIComponent(ticket)); }
    catch (err) { box.replaceChildren(el("p", { class: "error" }, "Laporan tidak dapat dimuat: " + err.message)); return; }
    const dl = el("dl");
    const rows = [["Layanan", c.service_name], ["Status", c.status_label || c.status], ["Alamat", c.address || "-"],
      ["Kelurahan", c.kelurahan || "-"], ["Dilaporkan", fmt(c.requested_datetime)], ["Diperbarui", fmt(c.updated_datetime)],
      ["Target selesai", c.expected_datetime ? fmt(c.expected_datetime) : "-"], ["Instansi", c.agency_responsible || "-"],
      ["Dukungan warga", String(c.supporters_count || 0)]];
    for (const [k, v] of rows) dl.append(el("dt", {}, k), el("dd", {}, v));
    box.replaceChildren(el("h3", { "data-ticket": c.ticket }, "Laporan " + c.ticket), dl, el("p", {}, c.description || ""));
    if (c.history && c.history.length) {
      box.appendChild(el("h4", {}, "Riwayat status"));
      const list = el("ul");
      for (const h of c.history) list.appendChild(el("li", {}, fmt(h.changed_at) + " · " + h.status_label + (h.note ? " — " + h.note : "")));
      box.appendChild(list);
    }
  }

  window.konsol = { api, el, fmt, query, showComplaint, hooks, me: () => me };
  api("/me").then(start).catch(() => showLogin());
})();

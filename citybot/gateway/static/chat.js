// Asisten Kota web chat: messages, buttons, images, photo/location, typing indicator, live pushes (SSE).
(function () {
  "use strict";
  const KEY = "asisten-kota-sender";
  const log = document.getElementById("log");
  const typing = document.getElementById("typing");
  const status = document.getElementById("status");
  const input = document.getElementById("text");
  if (new URLSearchParams(location.search).has("embed")) document.body.classList.add("embed");

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "w" + Date.now().toString(36) + Math.random().toString(36).slice(2);
  }
  let sender = null;
  try { sender = localStorage.getItem(KEY); } catch (e) { /* storage blocked: one-off id */ }
  if (!sender) { sender = newId(); try { localStorage.setItem(KEY, sender); } catch (e) { /* ignore */ } }

  function scroll() { log.scrollTop = log.scrollHeight; }

  function bubble(who) {
    const div = document.createElement("div");
    div.className = "msg " + who;
    log.appendChild(div);
    return div;
  }

  function showMine(text) {
    bubble("me").textContent = text;
    scroll();
  }

  function showReply(reply) {
    const custom = reply.custom || {};
    const fromAgent = custom.from === "agent";
    const div = bubble(fromAgent ? "agent" : "bot");
    if (fromAgent) {
      const who = document.createElement("span");
      who.className = "who";
      who.textContent = "Petugas " + (custom.agent || "");
      div.appendChild(who);
    }
    if (reply.text) div.appendChild(document.createTextNode(reply.text));
    if (reply.image) {
      const img = document.createElement("img");
      img.src = reply.image;
      img.alt = "Gambar";
      img.loading = "lazy";
      img.onload = scroll;
      div.appendChild(img);
    }
    if (reply.buttons && reply.buttons.length) {
      const row = document.createElement("div");
      row.className = "buttons";
      for (const b of reply.buttons) {
        const btn = document.createElement("button");
        btn.type = "button";
        btn.textContent = b.title;
        btn.onclick = () => send({ payload: b.payload }, b.title);
        row.appendChild(btn);
      }
      div.appendChild(row);
    }
    scroll();
  }

  function showAll(replies) { for (const r of replies || []) showReply(r); }

  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  async function post(url, options) {
    // Retries only when the network failed (the request may not have arrived); never on an answer.
    let delay = 800;
    for (let attempt = 0; ; attempt++) {
      try {
        return await fetch(url, options);
      } catch (e) {
        if (attempt >= 2) throw e;
        await sleep(delay);
        delay *= 2;
      }
    }
  }

  let pending = 0;
  function setTyping(on) {
    pending += on ? 1 : -1;
    typing.hidden = pending <= 0;
    scroll();
  }

  async function call(url, options, label) {
    if (label) showMine(label);
    setTyping(true);
    try {
      const res = await post(url, options);
      const data = await res.json();
      showAll(data.replies);
    } catch (e) {
      showReply({ text: "Koneksi terputus. Periksa internet Anda lalu coba kirim lagi, ya." });
    } finally {
      setTyping(false);
    }
  }

  function send(body, label) {
    return call("/api/messages", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(Object.assign({ sender }, body)),
    }, label);
  }

  document.getElementById("form").onsubmit = (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (text) { send({ text }, text); input.value = ""; }
  };

  const photoInput = document.getElementById("photo-input");
  document.getElementById("photo-btn").onclick = () => photoInput.click();
  photoInput.onchange = () => {
    const file = photoInput.files && photoInput.files[0];
    if (!file) return;
    const form = new FormData();
    form.append("sender", sender);
    form.append("photo", file);
    call("/api/messages/photo", { method: "POST", body: form }, "[Foto terkirim]");
    photoInput.value = "";
  };

  document.getElementById("loc-btn").onclick = () => {
    if (!navigator.geolocation) { showReply({ text: "Peramban Anda tidak bisa berbagi lokasi." }); return; }
    navigator.geolocation.getCurrentPosition(
      (pos) => call("/api/messages/location", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ sender, latitude: pos.coords.latitude, longitude: pos.coords.longitude }),
      }, "[Lokasi saya]"),
      () => showReply({ text: "Lokasi tidak bisa diambil. Anda bisa mengetik alamatnya saja, ya." }),
      { enableHighAccuracy: true, timeout: 15000 }
    );
  };

  // Live pushes (status updates, agent replies). EventSource reconnects by itself; while it does,
  // a banner says so, and on reconnect the server drains everything that arrived meanwhile.
  function listen() {
    const es = new EventSource("/api/messages/stream?sender=" + encodeURIComponent(sender));
    es.addEventListener("replies", (ev) => showAll(JSON.parse(ev.data).replies));
    es.onopen = () => { status.hidden = true; };
    es.onerror = () => {
      status.hidden = false;
      if (es.readyState === EventSource.CLOSED) { es.close(); setTimeout(listen, 3000); }
    };
  }
  listen();
  window.asistenKota = { sender };
  showReply({ text: "Halo! Saya Asisten Kota. Silakan ketik pertanyaan Anda, misalnya \"lapor jalan rusak\" atau \"syarat bikin KTP\"." });
})();

// Asisten Kota web chat: messages, buttons, images, photo/location, typing indicator, live pushes (SSE).
(function () {
  "use strict";
  const KEY = "asisten-kota-client";
  const log = document.getElementById("log");
  const typing = document.getElementById("typing");
  const status = document.getElementById("status");
  const input = document.getElementById("text");
  if (new URLSearchParams(location.search).has("embed")) document.body.classList.add("embed");

  // The client id is issued by the gateway (POST /api/session) and sent in a header, never in a
  // URL. It is kept in localStorage so a reload continues the same conversation.
  let clientId = null;
  try { clientId = localStorage.getItem(KEY); } catch (e) { /* storage blocked: one-off id */ }
  let session = null;
  function renew(stale) {
    if (stale && clientId === stale) clientId = null;
    if (!session) {
      const headers = clientId ? { "X-Client-Id": clientId } : {};
      session = fetch("/api/session", { method: "POST", headers, credentials: "same-origin" })
        .then((res) => res.json())
        .then((data) => {
          if (!data.client_id) throw new Error("no client id");
          clientId = data.client_id;
          try { localStorage.setItem(KEY, clientId); } catch (e) { /* ignore */ }
          return clientId;
        })
        .finally(() => { session = null; });
    }
    return session;
  }
  async function ready() { return clientId || renew(null); }
  function withId(headers, id) { return Object.assign({}, headers || {}, { "X-Client-Id": id }); }

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
    // Retries only when the network failed (the request may not have arrived), or once with a
    // fresh client id when the gateway no longer knows ours (401); never on any other answer.
    let delay = 800;
    let renewed = false;
    for (let attempt = 0; ; attempt++) {
      const id = await ready();
      try {
        const res = await fetch(url, Object.assign({}, options, { headers: withId(options.headers, id) }));
        if (res.status === 401 && !renewed) { renewed = true; await renew(id); continue; }
        return res;
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
      body: JSON.stringify(body),
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
    form.append("photo", file);
    call("/api/messages/photo", { method: "POST", body: form }, "[Foto terkirim]");
    photoInput.value = "";
  };

  document.getElementById("loc-btn").onclick = () => {
    if (!navigator.geolocation) { showReply({ text: "Peramban Anda tidak bisa berbagi lokasi." }); return; }
    navigator.geolocation.getCurrentPosition(
      (pos) => call("/api/messages/location", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ latitude: pos.coords.latitude, longitude: pos.coords.longitude }),
      }, "[Lokasi saya]"),
      () => showReply({ text: "Lokasi tidak bisa diambil. Anda bisa mengetik alamatnya saja, ya." }),
      { enableHighAccuracy: true, timeout: 15000 }
    );
  };

  // Live pushes (status updates, agent replies) over server-sent events, read with fetch so the
  // client id goes in a header (EventSource can only put it in the URL). On every (re)connect the
  // server drains everything that arrived meanwhile; while reconnecting, a banner says so.
  function handleFrame(frame) {
    let event = "message";
    let data = "";
    for (const line of frame.split("\n")) {
      if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data += line.slice(5).trim();
    }
    if (event === "replies" && data) showAll(JSON.parse(data).replies);
  }
  async function listen() {
    for (;;) {
      try {
        const id = await ready();
        const res = await fetch("/api/messages/stream", { headers: withId({ Accept: "text/event-stream" }, id), cache: "no-store" });
        if (res.status === 401) { await renew(id); continue; }
        if (!res.ok || !res.body) throw new Error("stream " + res.status);
        status.hidden = true;
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            handleFrame(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
          }
        }
      } catch (e) { /* the network went away: retry below */ }
      status.hidden = false;
      await sleep(3000);
    }
  }
  listen();
  window.asistenKota = { get sender() { return clientId; } };
  // One welcome, the assistant's own (city name, hours, privacy note, menu): asked for when a new
  // visitor opens the chat. A returning visitor is welcomed by the assistant when a new session
  // starts with their next message, so the page adds no greeting of its own.
  if (!clientId) send({ payload: "/salam" });
})();

// Embed Asisten Kota on any page: <script src="https://host/widget.js"></script>
(function () {
  "use strict";
  if (window.__asistenKotaWidget) return;
  window.__asistenKotaWidget = true;
  var script = document.currentScript;
  var origin = script ? new URL(script.src, location.href).origin : location.origin;
  // The gateway writes the city's branding here (citybot/gateway/branding.py).
  var brand = /*BRANDING*/null || {assistant_name: "Asisten Kota", colour: "#0b6e4f"};
  var open = false;
  var frame = null;
  var button = document.createElement("button");
  button.type = "button";
  button.setAttribute("aria-label", "Buka " + brand.assistant_name);
  var CHAT_ICON = '<svg viewBox="0 0 24 24" width="28" height="28" aria-hidden="true"><path fill="#fff" ' +
    'd="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H8l-5 4V5a2 2 0 0 1 1-2z"/></svg>';
  button.innerHTML = CHAT_ICON;
  button.style.cssText = "position:fixed;right:20px;bottom:20px;width:58px;height:58px;border-radius:50%;border:0;" +
    "background:" + brand.colour + ";color:#fff;font-size:26px;box-shadow:0 4px 14px rgba(0,0,0,.25);cursor:pointer;z-index:2147483646";
  button.onclick = function () {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.src = origin + "/?embed=1";
      frame.title = brand.assistant_name;
      frame.allow = "geolocation";
      frame.style.cssText = "position:fixed;right:20px;bottom:90px;width:min(380px,calc(100vw - 40px));" +
        "height:min(600px,calc(100vh - 120px));border:0;border-radius:14px;box-shadow:0 8px 30px rgba(0,0,0,.3);" +
        "z-index:2147483647;background:#fff";
      document.body.appendChild(frame);
    }
    open = !open;
    frame.style.display = open ? "block" : "none";
    button.innerHTML = open ? '<span style="font-size:24px;line-height:1">&times;</span>' : CHAT_ICON;
    button.setAttribute("aria-label", (open ? "Tutup " : "Buka ") + brand.assistant_name);
  };
  function mount() { document.body.appendChild(button); }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();

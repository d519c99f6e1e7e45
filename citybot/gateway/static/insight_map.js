// Wawasan map: clustered complaint markers coloured by status over a fallback layer that is
// always drawn beneath the tiles (a lat/lon grid over the city's bounds and kelurahan
// centroid labels), so the map stays readable when no tile server is configured or reachable.
(function () {
  "use strict";
  const STATUSES = ["menunggu", "koordinasi", "disposisi", "proses", "selesai", "ditolak", "duplikat", "dibatalkan"];
  const LABEL_ZOOM = 13;  // kelurahan names from this zoom on (a city has hundreds)
  let map = null;
  let clusters = null;
  let fallback = null;
  let boundsSet = false;

  function div(className, text) {
    const node = document.createElement("div");
    node.className = className;
    node.textContent = text;
    return node;
  }

  function ensureMap(config) {
    if (map) return map;
    map = L.map("i-map", { zoomControl: true, preferCanvas: false });
    // Panes: the fallback under the tiles (tilePane is 200), the markers above them.
    map.createPane("fallback").style.zIndex = 150;
    if (config.tile_url) {
      L.tileLayer(config.tile_url, { maxZoom: 19, attribution: config.tile_attribution || "" }).addTo(map);
    } else {
      map.attributionControl.addAttribution("Tanpa peta dasar: kisi koordinat dan kelurahan");
    }
    clusters = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 50 });
    map.addLayer(clusters);
    map.on("zoomend", () => {
      map.getContainer().classList.toggle("hide-area-labels", map.getZoom() < LABEL_ZOOM);
    });
    map.setView([-6.2, 106.8], 11);
    return map;
  }

  function step(span) {
    for (const s of [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1]) if (span / s <= 12) return s;
    return 2;
  }

  function drawFallback(areas) {
    if (fallback) map.removeLayer(fallback);
    fallback = L.layerGroup();
    const box = areas.bbox;  // [west, south, east, north]
    if (box && box.length === 4) {
      const [w, s, e, n] = box;
      const d = step(Math.max(e - w, n - s));
      const opts = { pane: "fallback", color: "#b8c2cc", weight: 1, interactive: false };
      for (let x = Math.floor(w / d) * d; x <= e + d; x += d) {
        fallback.addLayer(L.polyline([[s - d, x], [n + d, x]], opts));
        fallback.addLayer(L.marker([s - d / 2, x], { pane: "fallback", interactive: false,
          icon: L.divIcon({ className: "grid-label", html: div("", x.toFixed(3) + "° BT"), iconSize: null }) }));
      }
      for (let y = Math.floor(s / d) * d; y <= n + d; y += d) {
        fallback.addLayer(L.polyline([[y, w - d], [y, e + d]], opts));
        fallback.addLayer(L.marker([y, w - d / 2], { pane: "fallback", interactive: false,
          icon: L.divIcon({ className: "grid-label", html: div("", Math.abs(y).toFixed(3) + (y < 0 ? "° LS" : "° LU")), iconSize: null }) }));
      }
      if (!boundsSet) { map.fitBounds([[s, w], [n, e]]); boundsSet = true; }
    }
    for (const f of areas.features || []) {
      const [lon, lat] = f.geometry.coordinates;
      fallback.addLayer(L.marker([lat, lon], { pane: "fallback", interactive: false, keyboard: false,
        icon: L.divIcon({ className: "area-label", html: div("", f.properties.name), iconSize: null }) }));
    }
    fallback.addTo(map);
    map.getContainer().classList.toggle("hide-area-labels", map.getZoom() < LABEL_ZOOM);
  }

  function legend() {
    const box = document.getElementById("i-legend");
    box.replaceChildren();
    for (const s of STATUSES) {
      const item = document.createElement("span");
      item.className = "st-" + s;
      item.textContent = s;
      box.appendChild(item);
    }
    const approx = document.createElement("em");
    approx.className = "muted";
    approx.textContent = "garis putus-putus = ditaruh di titik tengah kelurahan";
    box.appendChild(approx);
  }

  function drawPoints(data, onOpen) {
    clusters.clearLayers();
    const markers = [];
    let exact = 0;
    for (const f of data.features || []) {
      const p = f.properties;
      const [lon, lat] = f.geometry.coordinates;
      if (p.placed === "exact") exact += 1;
      const icon = L.divIcon({ className: "pin st-" + p.status + (p.placed === "kelurahan" ? " kelurahan" : ""), iconSize: [14, 14] });
      const marker = L.marker([lat, lon], { icon, title: p.ticket + " · " + (p.category_name || p.category) + " · " + p.status });
      marker.on("click", () => onOpen(p.ticket));
      markers.push(marker);
    }
    clusters.addLayers(markers);
    const placed = markers.length;
    const note = document.getElementById("i-map-note");
    note.dataset.placed = String(placed);
    note.dataset.exact = String(exact);
    note.dataset.unplaced = String(data.unplaced || 0);
    note.dataset.total = String(data.total ?? placed);
    let text = placed + " laporan di peta (" + exact + " dengan titik lokasi, " + (placed - exact) + " di titik tengah kelurahan)";
    if (data.unplaced) text += " · " + data.unplaced + " laporan tanpa lokasi";
    if (data.truncated) text += " · hanya sebagian yang ditampilkan: persempit saringan";
    note.textContent = text;
    if (markers.length && !boundsSet) { map.fitBounds(clusters.getBounds(), { maxZoom: 15 }); boundsSet = true; }
  }

  window.insightMap = {
    render(config, mapData, areas, onOpen) {
      ensureMap(config);
      if (areas) drawFallback(areas);
      legend();
      drawPoints(mapData, onOpen);
      setTimeout(() => map.invalidateSize(), 0);  // the view was hidden while the map was made
    },
  };
})();

// Wawasan map: clustered complaint markers coloured by status over a fallback layer that is
// always drawn beneath the tiles (a lat/lon grid over the city's bounds and kelurahan
// centroid labels), so the map stays readable when no tile server is configured or reachable.
(function () {
  "use strict";
  const STATUSES = ["menunggu", "koordinasi", "disposisi", "proses", "selesai", "ditolak", "duplikat", "dibatalkan"];
  const LABEL_ZOOM = 13;  // kelurahan names from this zoom on (a city has hundreds)
  let map = null;
  let clusters = null;
  let fallback = null;  // kelurahan centroid labels
  let grid = null;  // the lat/lon grid, redrawn for the view
  let cityBounds = null;
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
    grid = L.layerGroup().addTo(map);
    map.on("moveend", () => {
      map.getContainer().classList.toggle("hide-area-labels", map.getZoom() < LABEL_ZOOM);
      drawGrid();
    });
    map.setView([-6.2, 106.8], 11);
    return map;
  }

  function step(span) {
    for (const s of [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1]) if (span / s <= 8) return s;
    return 2;
  }

  const gridLabel = (text) => L.divIcon({ className: "grid-label", html: div("", text), iconSize: null });

  // The grid follows the view: lines every round step of degrees, labelled along the top and left.
  function drawGrid() {
    grid.clearLayers();
    const b = map.getBounds();
    const [w, s, e, n] = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
    const d = step(Math.max(e - w, n - s));
    const digits = d < 0.01 ? 3 : d < 0.1 ? 2 : 1;
    const opts = { pane: "fallback", color: "#b8c2cc", weight: 1, interactive: false };
    const pad = map.containerPointToLatLng([4, 4]);
    for (let x = Math.ceil(w / d) * d; x <= e; x += d) {
      grid.addLayer(L.polyline([[s, x], [n, x]], opts));
      grid.addLayer(L.marker([pad.lat, x], { pane: "fallback", interactive: false, icon: gridLabel(x.toFixed(digits) + "° BT") }));
    }
    for (let y = Math.ceil(s / d) * d; y <= n; y += d) {
      grid.addLayer(L.polyline([[y, w], [y, e]], opts));
      grid.addLayer(L.marker([y, pad.lng], { pane: "fallback", interactive: false,
        icon: gridLabel(Math.abs(y).toFixed(digits) + (y < 0 ? "° LS" : "° LU")) }));
    }
  }

  function drawFallback(areas) {
    if (fallback) map.removeLayer(fallback);
    fallback = L.layerGroup();
    const box = areas.bbox;  // [west, south, east, north]
    if (box && box.length === 4) cityBounds = L.latLngBounds([box[1], box[0]], [box[3], box[2]]);
    for (const f of areas.features || []) {
      const [lon, lat] = f.geometry.coordinates;
      fallback.addLayer(L.marker([lat, lon], { pane: "fallback", interactive: false, keyboard: false,
        icon: L.divIcon({ className: "area-label", html: div("", f.properties.name), iconSize: null }) }));
    }
    fallback.addTo(map);
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
  }

  // The first view: the reports if there are any, else the whole city.
  function fitOnce() {
    if (boundsSet) return;
    const points = clusters.getLayers().length ? clusters.getBounds() : null;
    if (points && points.isValid()) map.fitBounds(points.pad(0.15), { maxZoom: 15, animate: false });
    else if (cityBounds) map.fitBounds(cityBounds, { animate: false });
    else return;
    boundsSet = true;
  }

  window.insightMap = {
    render(config, mapData, areas, onOpen) {
      ensureMap(config);
      if (areas) drawFallback(areas);
      legend();
      drawPoints(mapData, onOpen);
      map.invalidateSize();  // the view was hidden while the map was made
      fitOnce();
      drawGrid();
    },
  };
})();

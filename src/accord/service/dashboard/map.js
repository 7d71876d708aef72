// The map: base, the agreement's zones, patrol routes, towns, and the incidents of the
// 24 h up to the time slider's hour, on the data's clock; a scale and a legend of
// what is drawn (legend.js).
"use strict";

const SIDC = {  // MIL-STD-2525C function codes by observed kind; affiliation U (unknown)
  personnel: "SUGPUCI----", vehicle: "SUGPE------", armour: "SUGPUCA----",
  artillery: "SUGPUCF----", mlrs: "SUGPUCFR---", air_defence: "SUGPUCD----",
  missile_launcher: "SUGPUCFM---", aircraft: "SUAP-------", drone: "SUAPMFQ----",
  fortification: "SUGPI------", firing: "SUGPUCF----",
};

// How an incident's state shows on its symbol: not yet established (a dashed frame,
// MIL-STD-2525's "anticipated"), established (solid), or over (faded).
const STATE_LOOK = {
  detected: "open", disputed: "open",
  confirmed: "established", handled_locally: "established", referred: "established",
  resolved: "over", closed: "over",
};
const LOOK_TEXT = { open: "dashed frame", established: "solid frame", over: "faded" };
const TOWN_ZOOM = 8;  // towns are labelled from this zoom on, a whole-front view has too many
const MOST_TOWNS = 40;  // the most populous in view, so labels do not cover each other

const map = L.map("map", { zoomControl: true, attributionControl: false }).setView([48.3, 36.5], 6);
map.createPane("patrols").style.zIndex = 450;  // above the zones, whichever loads first
map.createPane("towns").style.zIndex = 460;
const layers = {
  incidents: L.layerGroup().addTo(map), patrols: L.layerGroup().addTo(map), towns: L.layerGroup().addTo(map),
};
const drawnZones = [];  // [{term, kind, label, style}] in the API's order, for the legend
L.control.scale({ metric: true, imperial: false, position: "bottomleft" }).addTo(map);

function symbol(kind, party, look, size = 22) {
  const sidc = SIDC[kind] || SIDC.personnel;
  // The party's letters beside the frame, so the party reads without its colour.
  return new ms.Symbol(look === "open" ? sidc.slice(0, 3) + "A" + sidc.slice(4) : sidc, {
    size, fillColor: partyColour(party), uniqueDesignation: party || "?",
  });
}

function symbolFor(incident) {
  const look = STATE_LOOK[incident.state] || "established";
  const made = symbol(incident.observed_kinds[0] || "personnel", incident.party, look);
  const anchor = made.getAnchor();
  return L.divIcon({
    className: `incident-marker look-${look}`,
    html: made.asSVG(),
    iconAnchor: [anchor.x, anchor.y],
  });
}

const LARGE_ZONE_KM2 = 1500000;

async function drawBase() {
  const countries = await (await api("/api/basemap")).json();
  L.geoJSON(countries, { style: { color: "#9a958a", weight: 0.6, fillColor: "#f4f2ec", fillOpacity: 1 } }).addTo(map);
  const zones = await (await api("/api/zones")).json();
  L.geoJSON(zones, {
    style: (f) => {
      const style = zoneStyle(f);
      drawnZones.push({ term: String(f.properties.term), kind: f.properties.kind, label: f.properties.label, style });
      return style;
    },
  }).addTo(map);
  drawLegend();
}

function zoneStyle(f) {
  const kind = f.properties.kind;
  if (kind === "line") return { color: ZONE_COLOUR.line, weight: 2.5 };
  if (kind === "dmz") return { color: ZONE_COLOUR.dmz, weight: 0.8, fillOpacity: 0.4 };
  if (kind === "side") return { stroke: false, fillColor: partyColour(f.properties.side), fillOpacity: 0.16 };
  // Zones that cover whole countries (a ban on foreign forces, missiles out of
  // Europe) are outlined, not shaded, so the line and the DMZ stay readable.
  if ((f.properties.area_km2 || 0) > LARGE_ZONE_KM2) return { color: ZONE_COLOUR.other, weight: 0.8, dashArray: "4 4", fill: false };
  return { color: ZONE_COLOUR.other, weight: 0.6, fillOpacity: 0.12 };
}

async function loadPatrols() {
  layers.patrols.clearLayers();
  if (!may("patrols.read")) return;
  try {
    const routes = await (await api("/api/patrols")).json();
    L.geoJSON(routes, { pane: "patrols", style: { color: ZONE_COLOUR.patrol, weight: 2, dashArray: "4 3" } }).addTo(layers.patrols);
  } catch (error) {
    if (error.name !== "AbortError") document.getElementById("queue-status").textContent = "patrol routes: " + error.message;
  }
}

// Towns from the gazetteer (GET /api/places, public), once the view is close enough
// for their names to fit; a newer view outdates what an older one still loads.
let townViews = 0;
async function drawTowns() {
  const mine = ++townViews;
  if (map.getZoom() < TOWN_ZOOM) {
    layers.towns.clearLayers();
    drawLegend();
    return;
  }
  const b = map.getBounds();
  const box = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(4)).join(",");
  let towns;
  try {
    towns = await (await api(`/api/places?bbox=${box}&limit=${MOST_TOWNS}`)).json();
  } catch (error) {
    if (error.name !== "AbortError") document.getElementById("queue-status").textContent = "towns: " + error.message;
    return;
  }
  if (mine !== townViews) return;
  layers.towns.clearLayers();
  L.geoJSON(towns, {
    pointToLayer: (f, at) => L.circleMarker(at, {
      pane: "towns", radius: 2.5, color: ZONE_COLOUR.town, weight: 1, fillColor: "#ffffff", fillOpacity: 1,
    }).bindTooltip(f.properties.name, { permanent: true, direction: "right", className: "town-label", pane: "towns" }),
  }).addTo(layers.towns);
  drawLegend();
}
map.on("moveend", drawTowns);

// --- the time slider: hours from the data's first to its last, opening on the last

function sliderEnd() {
  const slider = document.getElementById("slider");
  return Number(slider.dataset.start) + Number(slider.value) * HOUR_MS;
}

function sliderDay() {
  return document.getElementById("slider").disabled ? null : dayOf(sliderEnd() - 1);  // the hour ending at midnight is the day before
}

function inWindow(incident, end) {
  const seen = Date.parse(incident.first_seen);
  return seen <= end && seen > end - DAY_MS;
}

function setUpSlider() {
  const slider = document.getElementById("slider");
  const span = state.span && state.span.first ? state.span : null;
  slider.disabled = !span;
  if (!span) {
    slider.dataset.start = "0";
    slider.max = slider.value = "0";
    return;
  }
  const start = Math.floor(Date.parse(span.first) / HOUR_MS) * HOUR_MS;
  const last = Math.ceil(Date.parse(span.last) / HOUR_MS) * HOUR_MS;
  slider.dataset.start = String(start);
  slider.max = String(Math.max(1, (last - start) / HOUR_MS));
  slider.value = slider.max;
  slider.oninput = drawIncidents;
  slider.onchange = drawCharts;  // once the hour is chosen: the charts ask the API
}

function drawIncidents() {
  layers.incidents.clearLayers();
  const label = document.getElementById("slider-value");
  if (document.getElementById("slider").disabled) {
    label.textContent = state.me ? "no data yet" : "sign in to see incidents";
    return;
  }
  const end = sliderEnd();
  const shown = state.incidents.filter((i) => inWindow(i, end));
  label.textContent = may("incidents.read")
    ? `${minute(end)}: ${shown.length} incident${shown.length === 1 ? "" : "s"}`
    : `${minute(end)} (sign in to see incidents)`;
  for (const incident of shown) {
    L.marker([incident.lat, incident.lon], { icon: symbolFor(incident), title: incident.id, party: incident.party || "", state: incident.state })
      .bindPopup(`${incident.id}: ${incident.kind} (${incident.severity}), ${incident.party || "?"}, ${incident.state}, seen ${minute(Date.parse(incident.first_seen))}`)
      .on("click", () => showDetail(incident.id))
      .addTo(layers.incidents);
  }
  drawLegend();
}

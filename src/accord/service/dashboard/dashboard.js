// The mission dashboard: map, incident queue, compliance, reports. Every request
// goes to the API with the signed-in token; nothing is fetched from elsewhere.
"use strict";

// The token is kept for this tab only (sessionStorage) and sent in the Authorization
// header; it is never put in an address, where logs and history would keep it, and
// no cookie carries it, so no other site can make the browser send it (no CSRF).
const TOKEN_KEY = "accord-token";
const state = {
  token: sessionStorage.getItem(TOKEN_KEY) || "", me: null, incidents: [],
  requests: new AbortController(),  // aborted at sign-out: nothing in flight keeps the token
  signIns: 0,  // a newer sign-in (or sign-out) outdates what an older one still loads
};

async function api(path, options = {}) {
  const headers = Object.assign({}, options.headers || {});
  const signed = {};
  if (state.token) {
    headers.Authorization = "Bearer " + state.token;
    signed.signal = state.requests.signal;
  }
  const response = await fetch(path, Object.assign(signed, options, { headers }));
  if (!response.ok) {
    let detail = response.statusText;
    try { detail = (await response.json()).detail; } catch (e) { /* not JSON */ }
    const error = new Error(detail);
    error.status = response.status;
    throw error;
  }
  return response;
}

const SIDC = {  // MIL-STD-2525C function codes by observed kind; affiliation U (unknown)
  personnel: "SUGPUCI----", vehicle: "SUGPE------", armour: "SUGPUCA----",
  artillery: "SUGPUCF----", mlrs: "SUGPUCFR---", air_defence: "SUGPUCD----",
  missile_launcher: "SUGPUCFM---", aircraft: "SUAP-------", drone: "SUAPMFQ----",
  fortification: "SUGPI------", firing: "SUGPUCF----",
};
const PARTY_COLOUR = { UA: "#7fb0e6", RU: "#e88a7a" };

const map = L.map("map", { zoomControl: true, attributionControl: false }).setView([48.3, 36.5], 6);
map.createPane("patrols").style.zIndex = 450;  // above the zones, whichever loads first
const layers = { incidents: L.layerGroup().addTo(map), patrols: L.layerGroup().addTo(map) };

function symbolFor(incident) {
  const kind = incident.observed_kinds[0] || "personnel";
  const options = { size: 22, fillColor: PARTY_COLOUR[incident.party] || "#dddddd" };
  const symbol = new ms.Symbol(SIDC[kind] || SIDC.personnel, options);
  const anchor = symbol.getAnchor();
  return L.divIcon({
    className: "incident-marker",
    html: symbol.asSVG(),
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
      const kind = f.properties.kind;
      const term = String(f.properties.term);
      if (kind === "line") return { color: "#8b1a1a", weight: 2 };
      if (kind === "dmz") return { color: "#d98c00", weight: 0.5, fillOpacity: 0.45 };
      if (term === "side.RU") return { stroke: false, fillColor: "#e8b4a9", fillOpacity: 0.45 };
      if (term === "side.UA") return { stroke: false, fillColor: "#c9dbe9", fillOpacity: 0.35 };
      // Zones that cover whole countries (a ban on foreign forces, missiles out of
      // Europe) are outlined, not shaded, so the line and the DMZ stay readable.
      if ((f.properties.area_km2 || 0) > LARGE_ZONE_KM2) return { color: "#6a3d9a", weight: 0.8, dashArray: "4 4", fill: false };
      return { color: "#6a3d9a", weight: 0.5, fillOpacity: 0.15 };
    },
  }).addTo(map);
}

function sliderEnd() {
  const slider = document.getElementById("slider");
  return Number(slider.dataset.start) + Number(slider.value) * 3600e3;
}

function drawIncidents() {
  layers.incidents.clearLayers();
  const end = sliderEnd();
  document.getElementById("slider-value").textContent = new Date(end).toISOString().slice(0, 16) + "Z";
  for (const incident of state.incidents) {
    const seen = Date.parse(incident.first_seen);
    if (seen > end || seen < end - 24 * 3600e3) continue;
    L.marker([incident.lat, incident.lon], { icon: symbolFor(incident), title: incident.id })
      .bindPopup(`${incident.id}: ${incident.kind} (${incident.severity}), ${incident.party || "?"}, ${incident.state}`)
      .addTo(layers.incidents);
  }
}

function setUpSlider() {
  const slider = document.getElementById("slider");
  const times = state.incidents.map((i) => Date.parse(i.first_seen));
  const last = times.length ? Math.max(...times) : Date.now();
  const first = times.length ? Math.min(...times) : last;
  const start = Math.floor(first / 3600e3) * 3600e3;
  slider.dataset.start = String(start);
  slider.max = String(Math.ceil((last - start) / 3600e3) + 1);
  slider.value = slider.max;
  slider.oninput = drawIncidents;
}

const ACTIONS = {
  detected: ["confirmed", "referred", "closed"],
  confirmed: ["handled_locally", "referred"],
  handled_locally: ["resolved", "referred"],
  referred: ["resolved"],
  disputed: ["referred", "resolved"],
  resolved: ["closed"],
};

function drawQueue() {
  const body = document.querySelector("#queue tbody");
  body.innerHTML = "";
  const staff = state.me && ["admin", "analyst"].includes(state.me.role);
  for (const incident of state.incidents) {
    const row = body.insertRow();
    row.id = "row-" + incident.id;
    for (const text of [incident.id, incident.kind, incident.party || "?", incident.severity, incident.state]) {
      row.insertCell().textContent = text;
    }
    const cell = row.insertCell();
    if (!staff) continue;
    for (const target of ACTIONS[incident.state] || []) {
      const button = document.createElement("button");
      button.textContent = target.replace("_", " ");
      button.className = "action-" + target;
      button.onclick = () => move(incident.id, target);
      cell.appendChild(button);
    }
  }
}

async function move(ref, target) {
  const reason = target === "confirmed" ? "confirmed by an analyst on the dashboard" : "set on the dashboard";
  await api(`/api/incidents/${ref}/transition`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ state: target, reason }),
  });
  await loadIncidents();
}

// What the signed-in role may do, as the server's /api/me lists it; the public may
// see only the zones and the public reports, so nothing else is asked for.
function may(action) {
  return Boolean(state.me && state.me.may.includes(action));
}

async function loadIncidents() {
  const status = document.getElementById("queue-status");
  if (!may("incidents.read")) {
    state.incidents = [];
    status.textContent = state.me ? "this role does not see incidents" : "sign in to see incidents";
  } else {
    try {
      const page = await (await api("/api/incidents?limit=500")).json();
      state.incidents = page.items;
      status.textContent = `${page.total} incidents`;
    } catch (error) {
      state.incidents = [];
      status.textContent = error.status === 401 ? "sign in to see incidents" : error.message;
    }
  }
  setUpSlider();
  drawIncidents();
  drawQueue();
}

async function loadPatrols() {
  layers.patrols.clearLayers();
  if (!may("patrols.read")) return;
  try {
    const routes = await (await api("/api/patrols")).json();
    L.geoJSON(routes, { pane: "patrols", style: { color: "#2a7d2a", weight: 2, dashArray: "4 3" } }).addTo(layers.patrols);
  } catch (error) {
    document.getElementById("queue-status").textContent = "patrol routes: " + error.message;
  }
}

async function loadCompliance() {
  const box = document.getElementById("compliance");
  box.innerHTML = "";
  if (!may("compliance.read")) return;
  const today = new Date();
  for (const party of ["UA", "RU"]) {
    const values = [];
    for (let back = 6; back >= 0; back--) {
      const day = new Date(today.getTime() - back * 86400e3).toISOString().slice(0, 10);
      try {
        const figures = await (await api(`/api/compliance/${party}?day=${day}`)).json();
        values.push([day, figures.current.index]);
      } catch (error) { return; }
    }
    const bars = values.map(([day, index], i) =>
      `<rect class="bar ${party}" x="${i * 34}" y="${60 - index * 60}" width="28" height="${index * 60}"><title>${day}: ${index}</title></rect>`).join("");
    box.insertAdjacentHTML("beforeend", `<p>${party}</p><svg class="chart" width="240" height="62">${bars}</svg>`);
  }
}

async function showReport(path) {
  const frame = document.getElementById("report");
  try {
    const blob = await (await api(path)).blob();
    frame.src = URL.createObjectURL(blob);
    frame.classList.add("shown");
  } catch (error) {
    document.getElementById("queue-status").textContent = error.message;
  }
}

function say(text) {
  document.getElementById("login-status").textContent = text;
}

async function whoAmI() {
  if (!state.token) return null;
  try {
    return await (await api("/api/me")).json();
  } catch (error) {
    if (error.name === "AbortError") return null;
    if (error.status === 401) forgetToken();
    say(error.status === 401 ? "sign-in refused: " + error.message : error.message);
    return null;
  }
}

function forgetToken() {
  state.token = "";
  sessionStorage.removeItem(TOKEN_KEY);
}

async function signIn() {
  const mine = ++state.signIns;
  document.body.dataset.ready = "no";
  const me = await whoAmI();
  if (mine !== state.signIns) return;
  state.me = me;
  document.getElementById("who").textContent = state.me ? state.me.label + " (" + state.me.name + ")" : "public";
  document.getElementById("login").hidden = Boolean(state.me);
  document.getElementById("sign-out").hidden = !state.me;
  await Promise.all([loadIncidents(), loadPatrols(), loadCompliance()]);
  if (mine === state.signIns) document.body.dataset.ready = "yes";
}

document.getElementById("login").onsubmit = (event) => {
  event.preventDefault();
  const field = document.getElementById("token");
  state.token = field.value.trim();
  field.value = "";
  say("");
  if (state.token) sessionStorage.setItem(TOKEN_KEY, state.token);
  signIn();
};
// Signing out forgets the token in this tab; the server keeps no session to end,
// and the token itself stays valid until the administrator revokes it.
document.getElementById("sign-out").onclick = () => {
  state.requests.abort();
  state.requests = new AbortController();
  forgetToken();
  say("signed out");
  document.getElementById("report").classList.remove("shown");
  signIn();
};
for (const button of document.querySelectorAll("[data-report]")) {
  button.onclick = () => showReport(button.dataset.report);
}
document.getElementById("daily-button").onclick = () =>
  showReport("/api/reports/daily?date=" + new Date(sliderEnd()).toISOString().slice(0, 10));

drawBase();
signIn();

// The mission dashboard: signing in and out, and loading what the role may see.
// Every request goes to this server's API; nothing is fetched from elsewhere.
// map.js, charts.js and queue.js draw the panels from `state`; all of them run on
// the data's own clock (GET /api/span), never the wall clock: a store replayed or
// simulated months ago has nothing to show on today's date.
"use strict";

// The token is kept for this tab only (sessionStorage) and sent in the Authorization
// header; it is never put in an address, where logs and history would keep it, and
// no cookie carries it, so no other site can make the browser send it (no CSRF).
const TOKEN_KEY = "accord-token";
const state = {
  token: sessionStorage.getItem(TOKEN_KEY) || "", me: null, incidents: [], span: null,
  requests: new AbortController(),  // aborted at sign-out: nothing in flight keeps the token
  signIns: 0,  // a newer sign-in (or sign-out) outdates what an older one still loads
};
const HOUR_MS = 3600e3;
const DAY_MS = 24 * HOUR_MS;
const MOST_INCIDENTS = 10000;  // pages of the API's largest size, read until all or this many

// The one definition of the colours the map and the charts draw with. The parties
// get two of Okabe and Ito's colour-blind-safe colours, orange and reddish purple,
// never the blue and red that read as friend and hostile; the map's symbols also
// carry the party's letters, so no one needs the colour to tell the parties apart.
const PARTY_COLOUR = Object.freeze({ UA: "#E69F00", RU: "#CC79A7", "": "#BBBBBB" });
const ZONE_COLOUR = Object.freeze({
  line: "#1A1A1A", dmz: "#009E73", other: "#56B4E9", patrol: "#0072B2", town: "#444444",
});

function partyColour(party) {
  return PARTY_COLOUR[party || ""] || PARTY_COLOUR[""];
}

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

// What the signed-in role may do, as the server's /api/me lists it; the public may
// see only the zones and the public reports, so nothing else is asked for.
function may(action) {
  return Boolean(state.me && state.me.may.includes(action));
}

function minute(ms) {
  return new Date(ms).toISOString().slice(0, 16).replace("T", " ") + "Z";
}

function dayOf(ms) {
  return new Date(ms).toISOString().slice(0, 10);
}

function element(tag, attributes = {}, text = "") {
  const made = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) made.setAttribute(name, value);
  if (text) made.textContent = text;
  return made;
}

async function loadSpan() {
  try {
    state.span = await (await api("/api/span")).json();
  } catch (error) {
    state.span = null;
  }
}

async function loadIncidents() {
  const status = document.getElementById("queue-status");
  state.incidents = [];
  if (!may("incidents.read")) {
    status.textContent = state.me ? "this role does not see incidents" : "sign in to see incidents";
    return;
  }
  try {
    let total = 0;
    do {
      const page = await (await api(`/api/incidents?limit=1000&offset=${state.incidents.length}`)).json();
      total = page.total;
      state.incidents.push(...page.items);
      if (!page.items.length) break;
    } while (state.incidents.length < Math.min(total, MOST_INCIDENTS));
    status.textContent = state.incidents.length < total
      ? `the newest ${state.incidents.length} of ${total} incidents` : `${total} incidents`;
  } catch (error) {
    if (error.name === "AbortError") return;
    state.incidents = [];
    status.textContent = error.status === 401 ? "sign in to see incidents" : error.message;
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

function setUpReports() {
  for (const button of document.querySelectorAll("[data-report]")) {
    button.onclick = () => showReport(button.dataset.report);
  }
  const day = sliderDay();
  const daily = document.getElementById("daily-button");
  const edition = dailyEdition();
  daily.textContent = `Daily report (${edition.name})`;
  daily.disabled = !day;
  daily.onclick = () => showReport("/api/reports/daily?date=" + sliderDay() + edition.query);
}

// The daily report's edition for who is signed in: a party's liaison gets its party's
// edition, mission staff (who may read every party's) the mission-wide one, anyone
// else the public edition.
function dailyEdition() {
  const me = state.me;
  if (me && me.role === "liaison" && me.party) return { name: `${me.party} edition`, query: "&party=" + me.party };
  if (may("reports.party")) return { name: "mission edition", query: "&edition=mission" };
  return { name: "public edition", query: "" };
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
  await Promise.all([loadSpan(), loadIncidents(), loadPatrols()]);
  if (mine !== state.signIns) return;
  setUpSlider();
  drawIncidents();
  drawQueue();
  setUpReports();
  await drawCharts();
  if (mine === state.signIns) document.body.dataset.ready = "yes";
}

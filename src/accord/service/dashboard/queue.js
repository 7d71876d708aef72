// The incident queue (filters by state, sector and party; sort by time or severity),
// the reason asked for on every workflow step, and one incident's history.
"use strict";

const SEVERITY_RANK = { low: 1, medium: 2, high: 3, critical: 4 };
const SORTS = {
  newest: (a, b) => Date.parse(b.first_seen) - Date.parse(a.first_seen),
  oldest: (a, b) => Date.parse(a.first_seen) - Date.parse(b.first_seen),
  severity: (a, b) => (SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]) || SORTS.newest(a, b),
};

// Each filter's choices are the values the loaded incidents hold, so none is empty.
function fillFilter(id, values) {
  const select = document.getElementById(id);
  const kept = select.value;
  select.innerHTML = "";
  select.appendChild(element("option", { value: "" }, "all"));
  for (const value of [...new Set(values)].sort()) select.appendChild(element("option", { value }, value));
  select.value = [...select.options].some((o) => o.value === kept) ? kept : "";
}

function chosen(incident) {
  const want = (id) => document.getElementById(id).value;
  return (!want("filter-state") || incident.state === want("filter-state"))
    && (!want("filter-sector") || (incident.sector || "-") === want("filter-sector"))
    && (!want("filter-party") || (incident.party || "undetermined") === want("filter-party"));
}

function drawQueue() {
  fillFilter("filter-state", state.incidents.map((i) => i.state));
  fillFilter("filter-sector", state.incidents.map((i) => i.sector || "-"));
  fillFilter("filter-party", state.incidents.map((i) => i.party || "undetermined"));
  const rows = state.incidents.filter(chosen).sort(SORTS[document.getElementById("sort").value]);
  document.getElementById("queue-shown").textContent =
    rows.length === state.incidents.length ? "" : `${rows.length} shown`;
  const body = document.querySelector("#queue tbody");
  body.innerHTML = "";
  const steps = (state.me && state.me.transitions) || {};
  for (const incident of rows) {
    const row = body.insertRow();
    row.id = "row-" + incident.id;
    row.insertCell().textContent = minute(Date.parse(incident.first_seen));
    const link = element("a", { href: "#", class: "open" }, incident.id);
    link.onclick = (event) => { event.preventDefault(); showDetail(incident.id); };
    row.insertCell().appendChild(link);
    for (const text of [incident.sector || "-", incident.state, incident.kind, incident.party || "undetermined", incident.severity]) {
      row.insertCell().textContent = text;
    }
    const cell = row.insertCell();
    for (const target of steps[incident.state] || []) {
      const button = element("button", { type: "button", class: "action-" + target }, target.replace("_", " "));
      button.onclick = () => askReason(incident, target);
      cell.appendChild(button);
    }
  }
}

// Every step needs a reason, which goes to the ledger with it: a dialog asks for one;
// cancelling (the button or Escape) sends nothing.
function askReason(incident, target) {
  const dialog = document.getElementById("reason-dialog");
  const field = document.getElementById("reason");
  document.getElementById("reason-step").textContent =
    `${incident.id}: ${incident.state.replace("_", " ")} → ${target.replace("_", " ")}`;
  document.getElementById("reason-error").textContent = "";
  field.value = "";
  dialog.dataset.ref = incident.id;
  dialog.dataset.target = target;
  dialog.showModal();
  field.focus();
}

async function sendStep(event) {
  event.preventDefault();
  const dialog = document.getElementById("reason-dialog");
  const reason = document.getElementById("reason").value.trim();
  if (!reason) {
    document.getElementById("reason-error").textContent = "give the reason for this step";
    return;
  }
  try {
    await api(`/api/incidents/${dialog.dataset.ref}/transition`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ state: dialog.dataset.target, reason }),
    });
  } catch (error) {
    document.getElementById("reason-error").textContent = error.message;
    return;
  }
  dialog.close();
  await reloadIncidents();
  if (!document.getElementById("detail").hidden) showDetail(dialog.dataset.ref);
}

async function reloadIncidents() {
  await loadIncidents();
  drawIncidents();
  drawQueue();
}

function closeDetail() {
  const box = document.getElementById("detail");
  box.hidden = true;
  box.innerHTML = "";
}

// One incident: its history in the order it was written, with the data's time of
// each step (verification's own steps) apart from when the step was taken.
async function showDetail(ref) {
  const box = document.getElementById("detail");
  let incident;
  try {
    incident = await (await api(`/api/incidents/${ref}`)).json();
  } catch (error) {
    box.hidden = false;
    box.textContent = error.message;
    return;
  }
  box.innerHTML = "";
  box.hidden = false;
  const close = element("button", { type: "button", class: "close" }, "close");
  close.onclick = closeDetail;
  box.appendChild(close);
  box.appendChild(element("h3", {}, `${incident.id}: ${incident.kind}, ${incident.party || "party undetermined"}, ${incident.state}`));
  box.appendChild(element("p", { class: "meta" },
    `seen ${minute(Date.parse(incident.first_seen))} to ${minute(Date.parse(incident.last_seen))} (data time), sector ${incident.sector || "-"}, severity ${incident.severity}`));
  const table = element("table", { id: "history" });
  const head = table.createTHead().insertRow();
  for (const name of ["data time", "taken at", "step", "by", "why"]) head.appendChild(element("th", {}, name));
  const body = table.createTBody();
  for (const step of incident.history) {
    const row = body.insertRow();
    const cells = [
      step.data_time ? minute(Date.parse(step.data_time)) : "-",
      step.taken_at ? minute(Date.parse(step.taken_at)) : "not known",
      `${step.from || "new"} → ${step.to}`,
      step.actor,
      step.reason,
    ];
    for (const text of cells) row.insertCell().textContent = text;
  }
  box.appendChild(element("h4", {}, "History"));
  box.appendChild(table);
}

for (const id of ["filter-state", "filter-sector", "filter-party", "sort"]) {
  document.getElementById(id).onchange = drawQueue;
}
document.getElementById("reason-form").onsubmit = sendStep;
document.getElementById("reason-cancel").onclick = () => document.getElementById("reason-dialog").close();

// The incident queue, and one incident's evidence and history.
"use strict";

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
    const link = element("a", { href: "#", class: "open" }, incident.id);
    link.onclick = (event) => { event.preventDefault(); showDetail(incident.id); };
    row.insertCell().appendChild(link);
    for (const text of [incident.kind, incident.party || "?", incident.severity, incident.state]) {
      row.insertCell().textContent = text;
    }
    const cell = row.insertCell();
    if (!staff) continue;
    for (const target of ACTIONS[incident.state] || []) {
      const button = element("button", { class: "action-" + target }, target.replace("_", " "));
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
  await reloadIncidents();
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

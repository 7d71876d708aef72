// Charts on the data's days: incidents per day over the data's span, and each party's
// compliance index for the seven days up to the slider's day.
"use strict";

const CHART_DAYS = 7;
const MOST_DAYS = 60;  // the per-day chart shows at most this many days, up to the slider's

function days(last, count) {
  const end = Date.parse(last + "T00:00:00Z");
  return Array.from({ length: count }, (_, i) => dayOf(end - (count - 1 - i) * DAY_MS));
}

function svg(tag, attributes, text) {
  const made = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attributes)) made.setAttribute(name, value);
  if (text !== undefined) made.textContent = text;
  return made;
}

// Bars of one series per day, with the day under each bar and the value over it.
function barChart(values, { colour, height = 60, format = String, title }) {
  const width = 34;
  const top = Math.max(1e-9, ...values.map(([, v]) => v));
  const chart = svg("svg", { class: "chart", width: values.length * width + 4, height: height + 30, role: "img", "aria-label": title });
  values.forEach(([day, value], i) => {
    const h = value === null ? 0 : (value / top) * height;
    const bar = svg("rect", { class: "bar", x: i * width + 2, y: 14 + height - h, width: width - 6, height: h, fill: colour });
    bar.appendChild(svg("title", {}, `${day}: ${value === null ? "no figures" : format(value)}`));
    chart.appendChild(bar);
    chart.appendChild(svg("text", { class: "value", x: i * width + width / 2 - 1, y: 11 + height - h }, value === null ? "-" : format(value)));
    chart.appendChild(svg("text", { class: "day", x: i * width + width / 2 - 1, y: height + 27 }, day.slice(5)));
  });
  return chart;
}

async function drawCompliance(day) {
  const box = document.getElementById("compliance");
  const heading = document.getElementById("compliance-heading");
  box.innerHTML = "";
  if (!may("compliance.read")) {
    heading.textContent = "Compliance";
    box.textContent = state.me ? "this role does not see compliance" : "sign in to see compliance";
    return;
  }
  if (!day) {
    heading.textContent = "Compliance";
    box.textContent = "no data yet";
    return;
  }
  const shown = days(day, CHART_DAYS);
  heading.textContent = `Compliance, ${shown[0]} to ${day}`;
  for (const party of ["UA", "RU"]) {
    const values = await Promise.all(shown.map(async (d) => {
      try {
        return [d, (await (await api(`/api/compliance/${party}?day=${d}`)).json()).current.index];
      } catch (error) {
        return [d, null];
      }
    }));
    const row = element("div", { class: "party-chart", id: `compliance-${party}` });
    row.appendChild(element("p", {}, `${party}: compliance index (1 = no established violation)`));
    row.appendChild(barChart(values, { colour: partyColour(party), format: (v) => v.toFixed(2), title: `${party} compliance` }));
    box.appendChild(row);
  }
}

function drawPerDay(day) {
  const box = document.getElementById("per-day");
  box.innerHTML = "";
  if (!state.incidents.length || !day) {
    box.textContent = may("incidents.read") ? "no incidents" : "";
    return;
  }
  const first = dayOf(Date.parse(state.span.first));
  const count = Math.min(MOST_DAYS, Math.round((Date.parse(day) - Date.parse(first)) / DAY_MS) + 1);
  const shown = days(day, Math.max(1, count));
  for (const party of ["UA", "RU", ""]) {
    const values = shown.map((d) => [d, state.incidents.filter((i) => (i.party || "") === party && i.first_seen.slice(0, 10) === d).length]);
    if (!values.some(([, v]) => v)) continue;
    const row = element("div", { class: "party-chart", id: `per-day-${party || "undetermined"}` });
    row.appendChild(element("p", {}, `${party || "undetermined"}: incidents first seen each day`));
    row.appendChild(barChart(values, { colour: partyColour(party), title: `${party || "undetermined"} incidents per day` }));
    box.appendChild(row);
  }
}

async function drawCharts() {
  const day = sliderDay();
  drawPerDay(day);
  await drawCompliance(day);
}

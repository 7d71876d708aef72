// The map's legend: one entry for each thing drawn now (each zone by its term, patrol
// routes, the parties and incident states among the symbols shown, towns), redrawn
// whenever a layer changes, so it never lists what is not on the map.
"use strict";

const legend = L.control({ position: "bottomright" });
legend.onAdd = () => {
  const box = L.DomUtil.create("div", "legend");
  box.id = "legend";
  L.DomEvent.disableScrollPropagation(box);
  return box;
};
legend.addTo(map);

function swatch(style, line = false) {
  const made = element("span", { class: line ? "swatch line" : "swatch" });
  if (line) {
    made.style.background = style.color;
    return made;
  }
  const fill = style.fill === false ? "transparent" : (style.fillColor || style.color);
  made.style.background = fill;
  made.style.opacity = style.fill === false ? 1 : Math.max(style.fillOpacity || 0.2, 0.35);
  made.style.border = style.stroke === false ? "none" : `${Math.max(1, style.weight || 1)}px ${style.dashArray ? "dashed" : "solid"} ${style.color}`;
  return made;
}

function legendRow(box, entry, mark, text) {
  const row = element("div", { class: "entry", "data-entry": entry });
  if (typeof mark === "string") row.insertAdjacentHTML("beforeend", mark); else row.appendChild(mark);
  row.appendChild(element("span", {}, text));
  box.appendChild(row);
}

function drawLegend() {
  const box = legend.getContainer();
  box.innerHTML = "";
  box.appendChild(element("h3", {}, "Legend"));
  for (const zone of drawnZones) {
    // The API's plain-words label (accord.geo.labels), never the term's id.
    legendRow(box, "zone:" + zone.term, swatch(zone.style, zone.kind === "line"), zone.label || zone.kind);
  }
  if (layers.patrols.getLayers().some((group) => group.getLayers().length)) {
    legendRow(box, "patrols", swatch({ color: ZONE_COLOUR.patrol, weight: 2, dashArray: "4 3", fill: false }), "patrol routes");
  }
  const markers = layers.incidents.getLayers();
  const parties = [...new Set(markers.map((m) => m.options.party))].sort();
  for (const party of parties) {
    legendRow(box, "party:" + (party || "undetermined"), symbol("personnel", party, "established", 14).asSVG(),
      party ? `${party}: incidents attributed to ${party}` : "party undetermined");
  }
  const states = [...new Set(markers.map((m) => m.options.state))].sort();
  for (const state of states) {
    const look = STATE_LOOK[state] || "established";
    legendRow(box, "state:" + state, symbol("personnel", "", look, 14).asSVG(), `${state.replace("_", " ")}: ${LOOK_TEXT[look]}`);
  }
  const towns = layers.towns.getLayers().reduce((n, group) => n + group.getLayers().length, 0);
  if (towns) {
    legendRow(box, "towns", element("span", { class: "town-dot" }), `towns: the ${towns} most populous in view (GeoNames)`);
  }
}

"""The files a run writes: the stream in the observation schema, the truth behind it,
and the scores, each with fixed formatting so a seed fixes them byte for byte."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from accord.sim.events import NS_PER_DAY, Events

if TYPE_CHECKING:
    from accord.sim.run import RunResult


def records(columns: dict[str, np.ndarray]) -> list[str]:
    """JSON lines in the observation schema, with fixed formatting."""
    when = np.datetime_as_string(
        columns["time_ns"].astype("datetime64[ns]").astype("datetime64[ms]"), unit="ms"
    )
    lines = []
    for i in range(len(columns["id"])):
        record: dict[str, Any] = {
            "id": str(columns["id"][i]),
            "source_id": str(columns["source_id"][i]),
            "source_type": str(columns["source_type"][i]),
            "observed_at": f"{when[i]}Z",
            "kind": str(columns["kind"][i]),
            "count": int(columns["count"][i]),
        }
        if np.isfinite(columns["lon"][i]):
            record |= {
                "lon": round(float(columns["lon"][i]), 6),
                "lat": round(float(columns["lat"][i]), 6),
            }
        if np.isfinite(columns["uncertainty_m"][i]):  # a party's notice states its place
            record["uncertainty_m"] = round(float(columns["uncertainty_m"][i]), 1)
        category = str(columns["category"][i])
        if category:
            firing: dict[str, Any] = {"category": category}
            if category == "explosion":
                firing["explosion"] = "impact"
            if np.isfinite(columns["bearing_deg"][i]):
                metres = float(columns["distance_m"][i])
                firing |= {
                    "bearing_deg": round(float(columns["bearing_deg"][i]), 1) % 360.0,
                    "distance_min_m": round(metres * 0.8),
                    "distance_max_m": round(metres * 1.2),
                }
            record["firing"] = firing
        side = str(columns["side"][i])
        if side:
            record |= {
                "side": side,
                "side_confidence": round(float(columns["side_confidence"][i]), 3),
            }
        party = str(columns["notice_party"][i])
        if party:
            starts = np.datetime_as_string(
                np.datetime64(int(columns["time_ns"][i]) + 7 * NS_PER_DAY, "ns").astype(
                    "datetime64[s]"
                )
            )
            ends = np.datetime_as_string(
                np.datetime64(int(columns["notice_end_ns"][i]), "ns").astype("datetime64[s]")
            )
            record["notification"] = {
                "subject": "exercise",
                "party": party,
                "starts_at": f"{starts}Z",
                "ends_at": f"{ends}Z",
                "radius_km": float(columns["notice_radius_km"][i]),
            }
        lines.append(json.dumps(record, separators=(",", ":")) + "\n")
    return lines


def write_outputs(
    out_dir: Path, result: RunResult, stream: dict[str, np.ndarray], events: Events
) -> None:
    """observations.jsonl (the stream as ingested), truth.jsonl (every true event and false
    alarm with its observations), scores.json."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "observations.jsonl").write_text("".join(records(stream)), encoding="utf-8")
    seen: dict[str, list[str]] = {}
    for obs_id, truth in zip(stream["id"].tolist(), stream["truth"].tolist(), strict=True):
        seen.setdefault(truth, []).append(obs_id)
    when = np.datetime_as_string(events.start_ns.astype("datetime64[ns]").astype("datetime64[s]"))
    until = np.datetime_as_string(events.end_ns.astype("datetime64[ns]").astype("datetime64[s]"))
    lines = []
    for i in range(len(events)):
        event_id = str(events.event_id[i])
        lines.append(
            json.dumps(
                {
                    "id": event_id,
                    "violation": bool(events.violation[i]),
                    "kind": str(events.kind[i]),
                    "party": str(events.party[i]),
                    "observed_kind": str(events.observed_kind[i]),
                    "start": f"{when[i]}Z",
                    "end": f"{until[i]}Z",
                    "lon": round(float(events.lon[i]), 6),
                    "lat": round(float(events.lat[i]), 6),
                    "count": int(events.count[i]),
                    "night": bool(events.night[i]),
                    "under_jamming": bool(events.jammed[i]),
                    "observations": seen.get(event_id, []),
                },
                separators=(",", ":"),
            )
            + "\n"
        )
    false = sorted(t for t in seen if t.startswith("F"))
    for truth in false:
        lines.append(
            json.dumps(
                {
                    "id": truth,
                    "violation": False,
                    "kind": "false_alarm",
                    "observations": seen[truth],
                },
                separators=(",", ":"),
            )
            + "\n"
        )
    (out_dir / "truth.jsonl").write_text("".join(lines), encoding="utf-8")
    (out_dir / "scores.json").write_text(
        json.dumps(result.summary(), indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )

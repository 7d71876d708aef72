"""A JSON Lines file followed as it grows: the file tail transport over `ingest_stream`."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

from tests.support import camera_sighting
from typer.testing import CliRunner

from accord.cli.main import app
from accord.store import open_store
from accord.verify.ingest_stream import FileTail, ingest_stream


def sighting(i: int) -> str:
    return json.dumps(camera_sighting(i))


def test_lines_written_while_following_are_stored_and_a_half_line_waits(
    database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_text(sighting(0) + "\n", encoding="utf-8")

    def write_more() -> None:
        with path.open("a", encoding="utf-8") as feed:
            time.sleep(0.3)
            line = sighting(1)
            feed.write(line[:20])  # a writer caught half-way through a line
            feed.flush()
            time.sleep(0.3)
            feed.write(line[20:] + "\n" + "{not json\n" + sighting(2) + "\n")

    writer = threading.Thread(target=write_more)
    with open_store(database_url) as store:
        writer.start()
        summary = ingest_stream(store, FileTail(path), idle_timeout_s=1.5, batch_wait_s=0.05)
        writer.join()
        assert (summary.accepted, summary.quarantined) == (3, 1)
        assert sorted(store.observation_ids()) == ["cam-0", "cam-1", "cam-2"]
        [bad] = store.quarantined()
        assert bad.detail == "line 3" and bad.reason.startswith("not valid JSON")


def test_a_restart_resumes_after_the_last_line_stored(database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_text("".join(sighting(i) + "\n" for i in range(4)), encoding="utf-8")
    with open_store(database_url) as store:
        first = ingest_stream(store, FileTail(path), max_messages=3, idle_timeout_s=0.2)
        with path.open("a", encoding="utf-8") as feed:
            feed.write("\n" + sighting(4) + "\n")
        again = ingest_stream(store, FileTail(path), idle_timeout_s=0.2)
        assert (first.accepted, first.resumed_after) == (3, 0)
        assert (again.accepted, again.duplicates, again.resumed_after) == (2, 0, 3)
        from_start = ingest_stream(store, FileTail(path, resume=False), idle_timeout_s=0.2)
        assert (from_start.accepted, from_start.duplicates) == (0, 5)


def test_cli_follows_a_file(database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_text(sighting(7) + "\n", encoding="utf-8")
    args: list[Any] = ["ingest", "--follow", str(path), "--timeout", "0.2", "-d", database_url]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "1 lines, 1 accepted, 0 duplicates, 0 quarantined" in result.output

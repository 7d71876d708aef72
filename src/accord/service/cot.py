"""Cursor-on-Target events for TAK devices, sent through PyTAK on one kept-open stream.

An event's uid is its incident's, so TAK replaces one marker per incident; its
time and start are the incident's own data time (its latest evidence), and it
goes stale a configured period after that, so an old incident never shows as
live. TAK servers take CoT over TLS with a client certificate (PyTAK's tls://);
tcp:// and udp:// remain for a local mesh.

PyTAK is asyncio based and the alert dispatch is not: `TakStream` runs PyTAK's
connection in an event loop of its own thread, keeps it open between dispatches,
reconnects with PyTAK's back-off when the far end drops it, and tells the
dispatch which events were written.
"""

from __future__ import annotations

import asyncio
import threading
import time
import warnings
from collections import deque
from concurrent.futures import Future, InvalidStateError
from concurrent.futures import TimeoutError as FutureTimeout
from configparser import ConfigParser, SectionProxy
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from typing import Any
from xml.etree import ElementTree as ET

with warnings.catch_warnings():
    # PyTAK warns at import that aiohttp is missing; only its certificate enrolment
    # and Marti HTTP need it, and the server uses neither.
    warnings.simplefilter("ignore")
    import pytak

from accord.store.verification import StoredIncident
from accord.verify.rules import Severity
from accord.verify.workflow import incident_ref

# CoT type (MIL-STD-2525 function as CoT letters) by observed kind; affiliation u
# (unknown): the mission attributes, it does not take sides.
COT_TYPES = {
    "personnel": "a-u-G-U-C-I",
    "vehicle": "a-u-G-E-V",
    "armour": "a-u-G-U-C-A",
    "artillery": "a-u-G-U-C-F",
    "mlrs": "a-u-G-U-C-F-R",
    "air_defence": "a-u-G-U-C-D",
    "missile_launcher": "a-u-G-U-C-F-M",
    "aircraft": "a-u-A",
    "drone": "a-u-A-M-F-Q",
    "fortification": "a-u-G-I",
    "firing": "a-u-G-U-C-F",
}


def cot_time(moment: datetime) -> str:
    """A time in CoT's form: UTC, to the millisecond, ending in Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"


def _first_kind(row: StoredIncident) -> str:
    return next((k for k in row.kinds.split(",") if k), row.kind)


def stale_at(row: StoredIncident, stale_minutes: float) -> datetime:
    """When the incident's marker goes stale: its data time plus the stale period."""
    seen = datetime.fromtimestamp(row.last_seen_us / 1e6, UTC)
    return seen + timedelta(minutes=stale_minutes)


def cot_event(row: StoredIncident, stale_minutes: float) -> bytes:
    """A CoT event at the incident's own time; its uid is the incident's."""
    ref = incident_ref(row.id)
    seen = datetime.fromtimestamp(row.last_seen_us / 1e6, UTC)
    event = ET.Element(
        "event",
        version="2.0",
        uid=f"accord-{ref}",
        type=COT_TYPES.get(_first_kind(row), "a-u-G"),
        how="h-e",
        time=cot_time(seen),
        start=cot_time(seen),
        stale=cot_time(stale_at(row, stale_minutes)),
    )
    ET.SubElement(
        event,
        "point",
        lat=f"{row.lat:.6f}",
        lon=f"{row.lon:.6f}",
        hae="9999999.0",
        ce="2000.0",
        le="9999999.0",
    )
    detail = ET.SubElement(event, "detail")
    ET.SubElement(detail, "contact", callsign=ref)
    first = datetime.fromtimestamp(row.first_seen_us / 1e6, UTC)
    ET.SubElement(detail, "remarks").text = (
        f"{row.kind} {Severity(row.severity).name}, {row.state}, party {row.party or '?'}; "
        f"first seen {first:%Y-%m-%d %H:%M}Z"
    )
    return ET.tostring(event, encoding="utf-8", xml_declaration=True)


def pytak_config(
    endpoint: str,
    *,
    client_cert: str | None = None,
    client_key: str | None = None,
    ca_file: str | None = None,
    reconnect_s: float = 1.0,
) -> SectionProxy:
    """PyTAK's settings for the endpoint: TLS verifies the server against `ca_file`
    (the system's roots without it) and presents the client certificate."""
    values = {
        "COT_URL": endpoint,
        "PYTAK_RECONNECT_INITIAL": str(reconnect_s),
        "PYTAK_RECONNECT_MAX": str(max(60.0, reconnect_s)),
        "PYTAK_RECONNECT_JITTER": "0",
        "TAK_PROTO": "0",
    }
    for name, value in (
        ("PYTAK_TLS_CLIENT_CERT", client_cert),
        ("PYTAK_TLS_CLIENT_KEY", client_key),
        ("PYTAK_TLS_CLIENT_CAFILE", ca_file),
    ):
        if value:
            values[name] = value
    parser = ConfigParser(interpolation=None)
    parser["accord"] = values
    return parser["accord"]


class _Pending:
    """Events waiting for the stream, each with the future the dispatch waits on."""

    def __init__(self) -> None:
        self.items: deque[tuple[bytes, Future[None]]] = deque()
        self.ready = asyncio.Event()

    def put(self, event: bytes, done: Future[None]) -> None:
        """Queue an event; `done` is set once it is on the wire."""
        self.items.append((event, done))
        self.ready.set()

    async def take(self) -> tuple[bytes, Future[None]]:
        """The oldest queued event, waiting for one if there is none."""
        while True:
            while self.items:
                event, done = self.items.popleft()
                if not done.done():  # the dispatch has not given up on it
                    return event, done
            self.ready.clear()
            await self.ready.wait()

    def put_back(self, event: bytes, done: Future[None]) -> None:
        """Return an event that could not be sent to the front of the queue."""
        self.items.appendleft((event, done))


class _Writer(pytak.TXWorker):
    """PyTAK's sender, fed from `_Pending`: an event whose write fails goes back to the
    head of the line for the next connection."""

    def __init__(self, pending: _Pending, config: SectionProxy, writer: Any, reader: Any):
        super().__init__(asyncio.Queue(), config, writer)
        self.pending = pending
        self.reader = reader

    async def run_once(self) -> None:
        """Send one queued event, reconnecting first if the stream has closed."""
        event, done = await self.pending.take()
        if self.reader is not None and self.reader.at_eof():
            self.pending.put_back(event, done)
            raise ConnectionResetError("the TAK endpoint closed the stream")
        try:
            await self.send_data(event)
        except BaseException:
            self.pending.put_back(event, done)
            raise
        with suppress(InvalidStateError):  # given up on while written: sent again later
            done.set_result(None)


class TakStream:
    """One PyTAK connection to a TAK endpoint, opened on first use and kept open."""

    def __init__(self, config: SectionProxy) -> None:
        self.config = config
        self.connections = 0  # opened so far, for the record and the tests
        self.error = ""  # why the last connection failed or ended
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._pending = _Pending()
        self._supervisor: Future[None] | None = None

    def send(self, events: list[bytes], timeout_s: float) -> list[tuple[int, str]]:
        """Write the events in order; (0, "sent") for each written within the time,
        (-1, why) for the others, which the next dispatch tries again."""
        done: list[Future[None]] = [Future() for _ in events]
        self._loop.call_soon_threadsafe(self._enqueue, events, done)
        if self._supervisor is None or self._supervisor.done():
            self._supervisor = asyncio.run_coroutine_threadsafe(self._supervise(), self._loop)
        results: list[tuple[int, str]] = []
        deadline = time.monotonic() + timeout_s
        for future in done:
            try:
                future.result(timeout=max(0.0, deadline - time.monotonic()))
                results.append((0, "sent"))
            except FutureTimeout:
                future.cancel()
                results.append((-1, f"TAK endpoint not reached in {timeout_s:g}s: {self.error}"))
        return results

    def _enqueue(self, events: list[bytes], done: list[Future[None]]) -> None:
        for event, future in zip(events, done, strict=True):
            self._pending.put(event, future)

    async def _supervise(self) -> None:
        try:
            await pytak.supervise_with_reconnect(self.config, self._session)
        except Exception as exc:  # a fault reconnecting cannot mend (a refused certificate)
            self.error = f"{type(exc).__name__}: {exc}"

    async def _session(self) -> None:
        try:
            reader, writer = await pytak.protocol_factory(self.config)
        except Exception as exc:
            self.error = f"{type(exc).__name__}: {exc}"
            raise
        self.connections += 1
        stream = isinstance(reader, asyncio.StreamReader)
        worker = _Writer(self._pending, self.config, writer, reader if stream else None)
        tasks = [asyncio.ensure_future(worker.run())]
        if stream:
            tasks.append(asyncio.ensure_future(self._watch(reader)))
        try:
            finished, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
            failure = next(e for e in (t.exception() for t in finished) if e is not None)
            self.error = f"{type(failure).__name__}: {failure}"
            raise failure
        finally:
            for task in tasks:
                task.cancel()
            if hasattr(writer, "close"):
                writer.close()

    @staticmethod
    async def _watch(reader: asyncio.StreamReader) -> None:
        """Read and drop what the server sends, so its end of the stream is seen at once."""
        while await reader.read(65536):
            pass
        raise ConnectionResetError("the TAK endpoint closed the stream")

    def close(self) -> None:
        """Close the stream and end its thread."""
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(timeout=5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    @staticmethod
    async def _stop() -> None:
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

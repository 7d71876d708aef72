"""`accord ledger`: verify the chain, close days, prove entries, export days, checkpoints, keys."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.exc import SQLAlchemyError

from accord import book
from accord.cli.common import DatabaseOption, console, err_console, user_errors, write_or_print
from accord.ledger import trust
from accord.ledger.export import check_export
from accord.ledger.keys import KeyRecord, SignatureRefused
from accord.ledger.proofs import check_proof
from accord.ledger.signing import load_or_create_mission_key, mission_key_path
from accord.store import Store, StoreError, open_store
from accord.store.ledger import REQUIRE_SIGNATURES, load_registry, refusal_counts, set_setting

app = typer.Typer(help="The tamper-evident ledger: chain, daily roots, proofs, keys.")
keys_app = typer.Typer(help="Ed25519 keys of the sources and the mission.")
app.add_typer(keys_app, name="keys")

MissionKey = Annotated[
    Path | None,
    typer.Option(
        "--mission-key",
        help="Mission key file (default $ACCORD_MISSION_KEY or ./accord-mission-key.pem).",
    ),
]
Output = Annotated[
    str | None, typer.Option("--output", "-o", help="File to write (default stdout).")
]


def _day(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date; write YYYY-MM-DD") from None


def _required_day(text: str) -> dt.date:
    parsed = _day(text)
    if parsed is None:
        raise typer.BadParameter("give a day, YYYY-MM-DD")
    return parsed


def _time(text: str | None) -> dt.datetime | None:
    if text is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a time; write 2025-06-01T00:00:00Z") from None
    if moment.tzinfo is None:
        raise typer.BadParameter(f"{text!r} has no timezone; add Z or +00:00")
    return moment.astimezone(dt.UTC)


@contextmanager
def _store(database: str | None) -> Iterator[Store]:
    """The store, with ledger and database errors reported as a user's errors."""
    with user_errors():
        try:
            with open_store(database) as store:
                yield store
        except (book.LedgerError, SignatureRefused) as exc:
            err_console.print(f"[red]error[/red] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
        except (StoreError, SQLAlchemyError) as exc:
            err_console.print(f"[red]error[/red] database: {exc}", highlight=False)
            raise typer.Exit(2) from None


PublicKey = Annotated[
    str | None,
    typer.Option("--public-key", help="The mission's public key you hold (hex or base64)."),
]
Fingerprint = Annotated[
    str | None,
    typer.Option(
        "--fingerprint", help="Instead of the key: the hex SHA-256 of it (16 digits or more)."
    ),
]


def _held_key(public_key: str | None, fingerprint: str | None, in_file: str | None) -> bytes:
    """The mission key to check against: the one the party holds, or the file's key
    when it matches the fingerprint the party pinned; never the file's key alone."""
    try:
        return _pinned_key(public_key, fingerprint, in_file)
    except book.LedgerError as exc:
        raise ValueError(str(exc)) from None


def _pinned_key(public_key: str | None, fingerprint: str | None, in_file: str | None) -> bytes:
    if public_key is not None:
        return book.parse_public_key(public_key)
    if fingerprint is None:
        raise typer.BadParameter(
            "give --public-key or --fingerprint: a file's own key proves nothing, "
            "since whoever forged the file chose it"
        )
    pinned = fingerprint.strip().lower()
    if len(pinned) < 16 or any(c not in "0123456789abcdef" for c in pinned):
        raise typer.BadParameter("a fingerprint is 16 or more hex digits of SHA-256(key)")
    key = book.parse_public_key(in_file or "")
    if not trust.fingerprint(key).startswith(pinned):
        raise book.LedgerError(
            f"the file's key has fingerprint {trust.fingerprint(key)[:16]}, not the {pinned} "
            "you pinned: it was not signed by the mission you know"
        )
    return key


@app.command()
def verify(
    database: DatabaseOption = None,
    first: Annotated[str | None, typer.Option("--from", help="First UTC day, YYYY-MM-DD.")] = None,
    last: Annotated[str | None, typer.Option("--to", help="Last UTC day, YYYY-MM-DD.")] = None,
    public_key: PublicKey = None,
) -> None:
    """Recompute the chain and the closed days' roots; name the first entry found wrong."""
    with _store(database) as store, store.engine.connect() as connection:
        held = book.parse_public_key(public_key) if public_key else None
        result = book.verify(connection, _day(first), _day(last), held)
    if result.not_rehashed:
        console.print(
            f"note: {result.not_rehashed} entries of ledger version 1 are not re-hashed under "
            "RFC 8785 yet; `accord ledger rehash` commits their re-hash to the chain",
            highlight=False,
        )
    if result.ok:
        console.print(
            f"ok: {result.entries} entries and {result.days} closed days recomputed; "
            f"seals checked against {result.anchor}",
            highlight=False,
        )
        return
    err_console.print(f"[red]tampered[/red] {result.first_problem()}", highlight=False)
    for problem in result.problems[1 if result.chain_fault is None else 0 :]:
        err_console.print(f"  also: {problem}", highlight=False, soft_wrap=True)
    raise typer.Exit(1)


@app.command("close-day")
def close_day(
    database: DatabaseOption = None,
    day: Annotated[
        str | None, typer.Option("--day", help="The UTC day (default: every finished open day).")
    ] = None,
    mission_key: MissionKey = None,
) -> None:
    """Seal finished days: the RFC 6962 root over each day's entries, signed by the mission."""
    with _store(database) as store:
        key = load_or_create_mission_key(mission_key_path(mission_key))
        days = [d for d in [_day(day)] if d] or book.open_days(store)
        for each in days:
            sealed = book.close_day(store, each, key)
            console.print(f"{each}: {sealed.tree_size} entries, root {sealed.root}")
        if not days:
            console.print("no finished day is open")


@app.command()
def rehash(database: DatabaseOption = None, mission_key: MissionKey = None) -> None:
    """Commit the RFC 8785 re-hash of the entries made before ledger version 2, signed."""
    with _store(database) as store:
        key = load_or_create_mission_key(mission_key_path(mission_key))
        made = book.rehash(store, key)
    if made is None:
        console.print("nothing to re-hash: every entry of version 1 is covered already")
        return
    said = made.payload
    console.print(
        f"entry {made.seq}: entries {said['first_seq']}..{said['last_seq']} re-hashed; "
        f"stored head {said['legacy_head']} is head {said['rehashed_head']} under RFC 8785",
        highlight=False,
    )


@app.command()
def proof(
    entry: Annotated[
        str, typer.Argument(help="Entry seq number, or its ref (e.g. an observation id).")
    ],
    database: DatabaseOption = None,
    output: Output = None,
) -> None:
    """An inclusion proof of one entry in its day's published root."""
    with _store(database) as store:
        document = book.prove(store, entry)
    write_or_print(json.dumps(document, indent=2), output)


@app.command("check-proof")
def check_proof_command(
    path: Annotated[
        Path, typer.Argument(help="Proof file from `accord ledger proof`.", exists=True)
    ],
    root: Annotated[str | None, typer.Option("--root", help="The published root (hex).")] = None,
    public_key: Annotated[
        str | None, typer.Option("--public-key", help="The mission's public key (hex).")
    ] = None,
) -> None:
    """Check a proof without the database: against the published root and/or the mission's key."""
    with user_errors():
        result = check_proof(json.loads(path.read_text(encoding="utf-8")), root, public_key)
    for line in result.checked:
        console.print(f"ok: {line}", highlight=False)
    for problem in result.problems:
        err_console.print(f"[red]fails[/red] {problem}", highlight=False, soft_wrap=True)
    if not result.ok:
        raise typer.Exit(1)


@app.command()
def export(
    day: Annotated[str, typer.Option("--day", help="The closed UTC day, YYYY-MM-DD.")],
    database: DatabaseOption = None,
    output: Output = None,
) -> None:
    """Write a closed day's entries and signed root (format: docs/ledger.md)."""
    with _store(database) as store:
        document = book.export_day(store, _required_day(day))
    write_or_print(json.dumps(document, indent=2, ensure_ascii=False), output)


@app.command("check-export")
def check_export_command(
    path: Annotated[Path, typer.Argument(help="A file from `accord ledger export`.", exists=True)],
    public_key: PublicKey = None,
    fingerprint: Fingerprint = None,
) -> None:
    """Check an exported day on its own: links, hashes, root and signature."""
    with user_errors():
        document = json.loads(path.read_text(encoding="utf-8"))
        held = _held_key(public_key, fingerprint, document.get("public_key"))
        problems = check_export(document, held)
    for problem in problems:
        err_console.print(f"[red]fails[/red] {problem}", highlight=False, soft_wrap=True)
    if problems:
        raise typer.Exit(1)
    console.print(
        f"ok: {len(document['entries'])} entries of {document['day']}, root {document['root']}"
    )


@app.command()
def checkpoint(
    database: DatabaseOption = None,
    mission_key: MissionKey = None,
    output: Output = None,
) -> None:
    """A signed root over the whole log as it stands, for a party to keep and check later."""
    with _store(database) as store, store.engine.connect() as connection:
        key = load_or_create_mission_key(mission_key_path(mission_key))
        document = trust.make_checkpoint(book.load_entries(connection), key)
    write_or_print(json.dumps(document, indent=2), output)


@app.command()
def consistency(
    first: Annotated[int, typer.Option("--from", help="The tree size of the checkpoint held.")],
    database: DatabaseOption = None,
    mission_key: MissionKey = None,
    output: Output = None,
) -> None:
    """An RFC 6962 consistency proof from a held checkpoint's size to the log today."""
    with _store(database) as store, store.engine.connect() as connection:
        key = load_or_create_mission_key(mission_key_path(mission_key))
        entries = book.load_entries(connection)
        try:
            document = trust.consistency(entries, first, key)
        except ValueError as exc:
            raise book.LedgerError(str(exc)) from None
    write_or_print(json.dumps(document, indent=2), output)


@app.command()
def check(
    held: Annotated[Path, typer.Option("--checkpoint", help="A checkpoint you kept.", exists=True)],
    public_key: PublicKey = None,
    fingerprint: Fingerprint = None,
    proof_file: Annotated[
        Path | None,
        typer.Option(
            "--proof", help="A consistency proof: check it instead of a database.", exists=True
        ),
    ] = None,
    against: Annotated[
        Path | None,
        typer.Option(
            "--against",
            help="A newer checkpoint you hold, for a proof that carries none (from the API).",
            exists=True,
        ),
    ] = None,
    database: DatabaseOption = None,
) -> None:
    """Check a store, or a consistency proof alone, against a checkpoint you hold."""
    with user_errors():
        document = trust.load_document(held.read_text(encoding="utf-8"), "checkpoint")
        key = _held_key(public_key, fingerprint, document.get("public_key"))
        if proof_file is not None:
            proof_document = trust.load_document(proof_file.read_text(encoding="utf-8"), "proof")
            newer = None
            if against is not None:
                newer = trust.load_document(against.read_text(encoding="utf-8"), "checkpoint")
            problems = trust.check_consistency(document, proof_document, key, newer)
            what = "the proof's log extends"
        else:
            with _store(database) as store, store.engine.connect() as connection:
                entries = book.load_entries(connection)
            problems = trust.check_against_checkpoint(entries, document, key)
            what = "the store's log extends"
    for problem in problems:
        err_console.print(f"[red]fails[/red] {problem}", highlight=False, soft_wrap=True)
    if problems:
        raise typer.Exit(1)
    size = document["statement"]["tree_size"]
    console.print(f"ok: {what} your checkpoint of {size} entries unchanged")


@app.command("require-signatures")
def require_signatures(
    state: Annotated[
        str, typer.Argument(help="on: refuse unsigned observations; off: accept them.")
    ],
    database: DatabaseOption = None,
) -> None:
    """Turn signature enforcement on (a mission) or off (the embedded demo)."""
    if state not in ("on", "off"):
        raise typer.BadParameter(f"{state!r}: write on or off")
    with _store(database) as store, book.writing(store) as connection:
        set_setting(connection, REQUIRE_SIGNATURES, "true" if state == "on" else "false")
    console.print(f"signatures required: {state}")


@app.command()
def refusals(database: DatabaseOption = None) -> None:
    """How many submissions were refused, by reason."""
    with _store(database) as store, store.engine.connect() as connection:
        counts = refusal_counts(connection)
    for reason, count in sorted(counts.items()):
        console.print(f"{reason}: {count}")
    if not counts:
        console.print("nothing refused")


def _show(record: KeyRecord) -> str:
    until = record.valid_until.isoformat() if record.valid_until else "open"
    state = f"revoked {record.revoked_at.isoformat()}" if record.revoked_at else "active"
    return f"{record.key_id}  {record.owner}  {record.valid_from.isoformat()} .. {until}  {state}"


@keys_app.command("add")
def keys_add(
    key_id: Annotated[str, typer.Argument(help="The new key's id.")],
    owner: Annotated[str, typer.Argument(help="Its source_id (or 'mission').")],
    public_key: Annotated[str, typer.Argument(help="Ed25519 public key, hex or base64.")],
    valid_from: Annotated[str | None, typer.Option(help="Start (default now), with Z.")] = None,
    valid_until: Annotated[str | None, typer.Option(help="End (default open), with Z.")] = None,
    database: DatabaseOption = None,
) -> None:
    """Register a source's key."""
    with _store(database) as store:
        record = KeyRecord(
            key_id,
            owner,
            book.parse_public_key(public_key),
            _time(valid_from) or dt.datetime.now(dt.UTC),
            _time(valid_until),
        )
        console.print(_show(book.change_keys(store, "add", record)), highlight=False)


@keys_app.command("rotate")
def keys_rotate(
    old_id: Annotated[str, typer.Argument(help="The key to end.")],
    new_id: Annotated[str, typer.Argument(help="The new key's id.")],
    public_key: Annotated[str, typer.Argument(help="The new Ed25519 public key, hex or base64.")],
    valid_from: Annotated[
        str | None, typer.Option(help="When the switch happens (default now).")
    ] = None,
    database: DatabaseOption = None,
) -> None:
    """End one key where its successor (same owner) starts."""
    with _store(database) as store:
        with store.engine.connect() as connection:
            owner = load_registry(connection).get(old_id).owner
        start = _time(valid_from) or dt.datetime.now(dt.UTC)
        new = KeyRecord(new_id, owner, book.parse_public_key(public_key), start)
        console.print(_show(book.change_keys(store, "rotate", old_id, new)), highlight=False)


@keys_app.command("revoke")
def keys_revoke(
    key_id: Annotated[str, typer.Argument(help="The key to revoke.")],
    because: Annotated[str, typer.Option("--because", help="Why (recorded in the ledger).")],
    at: Annotated[str | None, typer.Option("--at", help="When (default now), with Z.")] = None,
    database: DatabaseOption = None,
) -> None:
    """Revoke a key: nothing it signs is accepted any more, whatever time it claims."""
    with _store(database) as store:
        when = _time(at) or dt.datetime.now(dt.UTC)
        console.print(
            _show(book.change_keys(store, "revoke", key_id, when, because)), highlight=False
        )


@keys_app.command("list")
def keys_list(database: DatabaseOption = None) -> None:
    """Every registered key with its owner, validity and state."""
    with _store(database) as store, store.engine.connect() as connection:
        records = load_registry(connection).records()
    for record in sorted(records, key=lambda r: (r.owner, r.valid_from)):
        console.print(_show(record), highlight=False)
    if not records:
        console.print("no keys registered")

"""An insider edits the tables the verdicts are computed from: each edit is caught, and named.

The ledger's chain was intact in every one of these edits; before, `ledger verify` said ok
to all of them (0 of 70 detected).
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from accord import book
from accord.store import Store
from accord.store.ledger import REQUIRE_SIGNATURES, set_setting
from accord.verify.compliance import compliance


@pytest.fixture
def published(sealed: Store) -> Store:
    """The sealed store with a published compliance figure and a setting."""
    compliance(sealed, "RU", "day", dt.date(2025, 6, 1), agreement_id="plan-x")
    with book.writing(sealed) as connection:
        set_setting(connection, REQUIRE_SIGNATURES, "true")
    return sealed


EDITS: dict[str, tuple[str, str]] = {
    "typed column": (
        "UPDATE observations SET lat = 48.25 WHERE observation_id = 'obs-3'",
        "observation obs-3: column lat is 48.25, its ledgered record gives 47.9",
    ),
    "record and its digest": (
        "UPDATE observations SET record = replace(record, '\"count\"\\:4', '\"count\"\\:40'),"
        " digest = 'ff' WHERE observation_id = 'obs-3'",
        "observation obs-3: its record is not the one ledger entry",
    ),
    "deleted observation": (
        "DELETE FROM observations WHERE observation_id = 'obs-5'",
        "observation obs-5: in ledger entry",
    ),
    "published index": (
        "UPDATE compliance SET compliance_index = 0.147",
        "compliance plan-x/RU/day/2025-06-01: index 0.147 stored, ledger entry",
    ),
    "deleted figure": (
        "DELETE FROM compliance",
        "compliance plan-x/RU/day/2025-06-01: in ledger entry",
    ),
    "setting": (
        "UPDATE ledger_settings SET value = 'false'",
        "setting require_signatures: 'false' stored, the ledger's entry",
    ),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_each_edit_of_a_derived_table_is_named(published: Store, edit: str) -> None:
    statement, named = EDITS[edit]
    with published.engine.connect() as connection, connection.begin():
        assert book.verify(connection).ok
        connection.execute(text(statement))
        result = book.verify(connection)
        connection.rollback()
    assert result.chain_fault is None
    assert any(problem.startswith(named) for problem in result.problems), result.problems

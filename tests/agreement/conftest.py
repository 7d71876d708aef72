"""A small valid agreement that tests mutate one mistake at a time."""

from __future__ import annotations

import pytest

MINIMAL = """\
id: test-plan
title: A test plan
proposer: Test author
date: "2025-02"
summary: A plan used by the tests, with one term in each of two areas.
documents:
  - id: doc-a
    title: A document
    author: Someone
    date: "2025-02-01"
parties:
  - {id: UA, name: Ukraine}
  - {id: RU, name: Russia}
terms:
  - id: ceasefire.dmz
    area: ceasefire
    issue: dmz
    kind: rule
    label: Full DMZ
    summary: A full DMZ five miles wide along the line of contact.
    binds: [UA, RU]
    consent: [UA, RU]
    zone: {type: dmz, along: line_of_contact, width: 5 mi, regime: full}
    prohibits: [military_forces]
    sources: [{doc: doc-a, section: Ceasefire}]
  - id: territory.line
    area: territory
    issue: line
    kind: declaration
    label: Border on the line
    summary: The de facto border is the line of contact.
    binds: [UA, RU]
    consent: [UA, RU]
    parameters: {line: line_of_contact_at_ceasefire}
    sources: [{doc: doc-a}]
open:
  - {area: security, note: The document is silent on Ukraine's security.}
  - {area: relations, note: The document is silent on relations with Russia.}
  - {area: assurances, note: The document is silent on mutual assurances.}
  - {area: economic, note: The document is silent on economic terms.}
  - {area: humanitarian, note: The document is silent on humanitarian issues.}
  - {area: sequencing, note: The document does not say who signs what when.}
"""


@pytest.fixture
def minimal_yaml() -> str:
    return MINIMAL

"""Evidence grades: what an incident's sources establish, and which sources are independent.

An incident is **reported** when its evidence comes from one network of
sources, **corroborated** when two or more independent networks report it,
and **verified** when an observer patrol saw it, a party declared it itself,
or the mission (or the joint commission) ruled on it after investigation.

Independence is a property of the data, not of counting sources: sensors of
one network share their failure modes (the same ground conditions, the same
processing, the same operator), so two seismic sensors of one array seeing
one blast are one line of evidence. The network of a source is the one the
source registry names; a source the registry does not name is taken to
share a network with every other source of its type, the cautious reading.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import IntEnum

import numpy as np
from numpy.typing import NDArray

# Source types whose own report establishes an event: an observer patrol saw it, or the
# party declared it (its own notice or data exchange).
VERIFYING_TYPES = frozenset({"patrol", "notification", "data_exchange"})
AGGREGATE = "aggregate"  # the source type of a cap or exercise finding over a window


class Grade(IntEnum):
    """How well an incident is established; higher is stronger."""

    reported = 1
    corroborated = 2
    verified = 3

    @classmethod
    def named(cls, name: str) -> Grade:
        """The grade of this name, or an error listing the grades."""
        try:
            return cls[name]
        except KeyError:
            known = ", ".join(g.name for g in cls)
            raise ValueError(f"evidence grade {name!r}: use one of {known}") from None


# Source ids and types to network names, row by row.
Networks = Callable[[NDArray[np.str_], NDArray[np.str_]], NDArray[np.str_]]


def by_type(source_id: NDArray[np.str_], source_type: NDArray[np.str_]) -> NDArray[np.str_]:
    """Without a registry: one network per source type (the cautious reading)."""
    return np.asarray(source_type, dtype=np.str_)


def registered(networks: Mapping[str, str]) -> Networks:
    """Networks from a registry's source -> network map, by type for the rest."""

    def lookup(source_id: NDArray[np.str_], source_type: NDArray[np.str_]) -> NDArray[np.str_]:
        out = by_type(source_id, source_type).astype(object)
        for i, source in enumerate(source_id.tolist()):
            found = networks.get(source)
            if found:
                out[i] = found
        return out.astype(np.str_)

    return lookup


def grade_of(networks: int, verifying: bool) -> Grade:
    """The grade of evidence from this many independent networks, with or without a
    source that verifies alone."""
    if verifying:
        return Grade.verified
    return Grade.corroborated if networks >= 2 else Grade.reported


def grades(networks: NDArray[np.int64], verifying: NDArray[np.bool_]) -> NDArray[np.int8]:
    """`grade_of` over columns."""
    out = np.where(networks >= 2, int(Grade.corroborated), int(Grade.reported))
    return np.where(verifying, int(Grade.verified), out).astype(np.int8)


def established_at(
    source_id: NDArray[np.str_], source_type: NDArray[np.str_], networks: Networks
) -> int | None:
    """The first of an incident's findings, in their order, with which its evidence became
    corroborated or verified (None: it never did)."""
    seen: set[str] = set()
    network = networks(source_id, source_type)
    for i, (kind, name) in enumerate(zip(source_type.tolist(), network.tolist(), strict=True)):
        seen.add(name)
        if grade_of(len(seen), kind in VERIFYING_TYPES) >= Grade.corroborated:
            return i
    return None

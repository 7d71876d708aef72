"""Place names as plans spell them, reduced to one key for every lookup.

Plans name places the way their sources spell them (Donetsk, Donets'k,
"Donetsk oblast", Zaporizhzhia or Zaporizhzhya, Czech Republic or Czechia), so
every lookup of a region or a country compares normalised keys: accents,
apostrophes, spaces and hyphens dropped, generic words (oblast, region,
republic ...) ignored, y read as i and doubled letters single.
"""

from __future__ import annotations

import re
import unicodedata

_GENERIC = frozenset({
    "oblast", "oblasti", "region", "province", "krai", "kray", "respublika", "republic",
    "autonomous", "of", "the",
})  # fmt: skip
# Spellings Natural Earth lacks, to the Natural Earth name (a region's or a country's).
ALIASES: dict[str, str] = {
    "Kyiv City": "Kiev City", "Dnipro": "Dnipropetrovs'k", "Czech Republic": "Czechia",
    "South Caucasus": "Caucasus",
}  # fmt: skip


def normalise(name: str) -> str:
    """The lookup key of a place name: 'Donets'k oblast' and 'Donetsk' give 'donetsk'."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    words = re.split(r"[\s\-_.,]+", re.sub(r"['`]", "", text))
    key = "".join(w for w in words if w and w not in _GENERIC).replace("y", "i")
    return re.sub(r"(.)\1+", r"\1", key)


def canonical(name: str) -> str:
    """The Natural Earth name behind an alias, or the name itself."""
    return _ALIAS_KEYS.get(normalise(name), name)


_ALIAS_KEYS = {normalise(alias): target for alias, target in ALIASES.items()}

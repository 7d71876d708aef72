"""The gazetteer: front-line towns where they are, "N km SW of X" right on hand-made
points, the oblast of a point, names in three languages."""

from __future__ import annotations

import csv
import io
from importlib import resources

import pytest

from accord.geo.geodesy import GEOD
from accord.geo.places import (
    PLACES_FILE,
    Place,
    Places,
    cyrillic_names,
    derive,
    load_places,
    region_at,
    region_name,
)

# Front-line towns by the national transliteration, with their published centres
# (lon, lat, to about a kilometre) and oblast.
TOWNS = {
    "Avdiivka": (37.75, 48.14, "Donets'k"),
    "Bakhmut": (38.00, 48.595, "Donets'k"),
    "Horlivka": (38.05, 48.30, "Donets'k"),
    "Pokrovsk": (37.18, 48.28, "Donets'k"),
    "Kupiansk": (37.61, 49.71, "Kharkiv"),
    "Huliaipole": (36.26, 47.66, "Zaporizhzhya"),
    "Nova Kakhovka": (33.36, 46.76, "Kherson"),
    "Belgorod": (36.59, 50.60, "Belgorod"),
}


def _km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    return float(GEOD.inv(lon1, lat1, lon2, lat2)[2]) / 1000.0


def _moved(lon: float, lat: float, bearing: float, km: float) -> tuple[float, float]:
    lon2, lat2, _ = GEOD.fwd(lon, lat, bearing, km * 1000.0)
    return float(lon2), float(lat2)


@pytest.mark.parametrize("name", sorted(TOWNS))
def test_front_line_towns_are_where_they_are(name):
    lon, lat, region = TOWNS[name]
    place = load_places().find(name)
    assert _km(place.lon, place.lat, lon, lat) < 3.0
    assert place.region == region
    assert place.population > 10_000
    # The nearest place to the town's own point is the town itself.
    assert load_places().nearest(place.lon, place.lat).place == place


def test_names_in_three_languages_and_any_spelling():
    places = load_places()
    horlivka = places.find("Horlivka")
    assert (horlivka.label("en"), horlivka.label("uk"), horlivka.label("ru")) == (
        "Horlivka", "Горлівка", "Горловка",
    )  # fmt: skip
    assert places.find("Горловка") == places.find("Горлівка") == horlivka
    assert places.find("Kupyansk") == places.find("Kupiansk") == places.find("Куп’янськ")
    assert places.find("Bakhmut").label("uk") == "Бахмут"
    with pytest.raises(ValueError, match=r"unknown place 'Horlivkaax'.*Horlivka"):
        places.find("Horlivkaax")
    with pytest.raises(ValueError, match="unknown language 'de'"):
        horlivka.label("de")


def _grid() -> Places:
    """Three hand-made places far from any shipped one, on a 20 km grid."""
    town = Place(1, "Town", "Місто", "Город", 50_000, "Kharkiv", 36.0, 49.0)
    lon2, lat2 = _moved(36.0, 49.0, 90.0, 20.0)
    village = Place(2, "Village", "", "", 800, "Kharkiv", lon2, lat2)
    lon3, lat3 = _moved(36.0, 49.0, 0.0, 20.0)
    hamlet = Place(3, "Hamlet", "Хутір", "", 1_200, "Kharkiv", lon3, lat3)
    return Places([town, village, hamlet])


@pytest.mark.parametrize(
    ("bearing", "direction"),
    [(0, "N"), (22.4, "N"), (22.6, "NE"), (45, "NE"), (90, "E"), (135, "SE"), (180, "S"),
     (225, "SW"), (270, "W"), (315, "NW"), (337.6, "N"), (359.9, "N")],
)  # fmt: skip
def test_distance_and_direction_from_the_nearest_place(bearing, direction):
    lon, lat = _moved(36.0, 49.0, bearing, 3.0)
    nearest = _grid().nearest(lon, lat)
    assert nearest.place.name == "Town"
    assert nearest.distance_km == pytest.approx(3.0, abs=1e-6)
    assert nearest.bearing_deg == pytest.approx(bearing % 360.0, abs=1e-6)
    assert nearest.direction == direction


def test_nearest_can_skip_small_places():
    grid = _grid()
    lon, lat = _moved(36.0, 49.0, 90.0, 17.0)  # 3 km west of the village
    assert grid.nearest(lon, lat).place.name == "Village"
    bigger = grid.nearest(lon, lat, min_population=1_000)
    assert (bigger.place.name, bigger.direction) == ("Town", "E")
    assert bigger.distance_km == pytest.approx(17.0, abs=1e-6)
    with pytest.raises(ValueError, match="no place of 100000 people"):
        grid.nearest(lon, lat, min_population=100_000)
    with pytest.raises(ValueError, match="not a position"):
        grid.nearest(200.0, 49.0)


def test_labels_fall_back_to_english():
    grid = _grid()
    assert [p.label("uk") for p in grid.places] == ["Місто", "Village", "Хутір"]
    assert [p.label("ru") for p in grid.places] == ["Город", "Village", "Hamlet"]


def test_places_in_a_box_most_populous_first():
    grid = _grid()
    assert [p.name for p in grid.within((35.9, 48.9, 36.5, 49.3))] == ["Town", "Hamlet", "Village"]
    assert [p.name for p in grid.within((35.9, 48.9, 36.5, 49.3), limit=1)] == ["Town"]
    assert grid.within((30.0, 45.0, 31.0, 46.0)) == []
    shipped = load_places().within((37.5, 48.0, 38.2, 48.7), limit=3)
    assert [p.name for p in shipped] == ["Donetsk", "Makiyivka", "Horlivka"]
    with pytest.raises(ValueError, match="not a box"):
        grid.within((37.0, 49.0, 36.0, 50.0))


def test_oblast_of_a_point():
    assert region_at(37.80, 48.02).name == "Donets'k"
    assert region_at(39.30, 48.57).name == "Luhans'k"
    assert region_at(36.19, 51.73).name == "Kursk"
    assert region_at(34.0, 43.5) is None  # the Black Sea
    assert region_name("Donets'k") == "Donetsk oblast"
    assert region_name("Donets'k", "uk") == "Донецька область"
    assert region_name("Kursk", "ru") == "Курская область"
    with pytest.raises(KeyError, match="unknown region"):
        region_name("Atlantis")


def test_every_place_lies_in_its_region_and_the_file_is_small():
    raw = (resources.files("accord.geo") / "data" / PLACES_FILE).read_bytes()
    assert len(raw) < 400_000
    places = load_places()
    assert len(places) > 3000
    rows = list(csv.DictReader(io.StringIO(raw.decode())))
    sample = rows[:: len(rows) // 50]
    for row in sample:
        region = region_at(float(row["lon"]), float(row["lat"]))
        assert region is None or region.name == row["region"], row
    countries = {p.country for p in places.places}
    assert countries == {"UKR", "RUS"}


def test_ukrainian_and_russian_names_chosen_from_untagged_alternates():
    bakhmut = ["Artemivsk", "Артемовск", "Артемівськ", "Бахмут", "Бахмут балһсн", "Бахмуд"]
    assert cyrillic_names("Bakhmut", bakhmut) == ("Бахмут", "Бахмут")
    kupiansk = ["Купенко", "Купенск", "Купецкій", "Купьянск", "Купянск", "Купянськ",
                "Купјанск", "Куп’янськ"]  # fmt: skip
    uk, ru = cyrillic_names("Kupyansk", kupiansk)
    assert uk == "Куп’янськ"
    assert ru in {"Купянск", "Купьянск"}
    # Belarusian, Kyrgyz and Bulgarian spellings are not taken for Russian or Ukrainian.
    assert cyrillic_names("Kyiv", ["Кіеў", "Кыив", "Киев", "Київ"]) == ("Київ", "Киев")
    assert cyrillic_names("Sevastopol", ["Севастопол", "Севастополь"]) == (
        "Севастополь", "Севастополь",
    )  # fmt: skip
    # Russian's own spelling over the Ukrainian name in Russian letters, but not a
    # Belarusian one.
    assert cyrillic_names("Chernivtsi", ["Чернівці", "Чернивци", "Черновцы", "Чарнаўцы"]) == (
        "Чернівці", "Черновцы",
    )  # fmt: skip
    assert cyrillic_names("Odesa", ["Одеса", "Одесса"]) == ("Одеса", "Одесса")
    assert cyrillic_names("Donetsk", ["Данецк", "Донецк", "Донецьк"]) == ("Донецьк", "Донецк")
    assert cyrillic_names("Belgorod", ["Белгород", "Белгарад"], russian_place=True) == (
        "", "Белгород",
    )  # fmt: skip
    # A Ukrainian spelling is never taken for the Russian name.
    assert cyrillic_names("Prymorske", ["Приморське"]) == ("Приморське", "")
    assert cyrillic_names("Nowhere", ["Nowhere", "Nirgendwo"]) == ("", "")


def test_derive_keeps_the_theatre_above_the_thresholds():
    def record(gid, name, lon, lat, pop, alternates=()):
        return {"geonameid": gid, "name": name, "longitude": lon, "latitude": lat,
                "population": pop, "alternatenames": list(alternates)}  # fmt: skip

    cities = {
        "1": record(1, "Horlivka", 38.017, 48.300, 239_828, ["Горлівка", "Горловка"]),
        "2": record(2, "Small", 37.5, 48.2, 900),  # under Ukraine's 1,000
        "3": record(3, "Belgorod", 36.581, 50.603, 345_289, ["Белгород", "Бєлгород"]),
        "4": record(4, "Grayvoron", 35.681, 50.479, 4_900),  # under Russia's 5,000
        "5": record(5, "Minsk", 27.567, 53.900, 2_000_000),  # outside the shipped regions
        "6": record(6, "Offshore", 34.0, 43.5, 10_000),  # at sea
        "7": record(7, "Skadovsk", 32.90978, 46.11313, 17_915),  # just off the 1:50m coast
    }
    rows = list(csv.DictReader(io.StringIO(derive(cities))))
    assert [(r["name"], r["region"]) for r in rows] == [
        ("Horlivka", "Donets'k"), ("Belgorod", "Belgorod"), ("Skadovsk", "Kherson"),
    ]  # fmt: skip
    assert (rows[0]["name_uk"], rows[0]["name_ru"]) == ("Горлівка", "Горловка")
    assert (rows[1]["name_uk"], rows[1]["name_ru"]) == ("Бєлгород", "Белгород")

"""Admin-1 regions: every spelling finds its oblast, outlines tile their country, sizes
match the published figures."""

from __future__ import annotations

from collections import defaultdict

import pytest
import shapely

from accord.geo import load_borders
from accord.geo.projection import area_km2
from accord.geo.regions import Gazetteer, load_regions, normalise

# Each oblast of Ukraine (and Crimea, Sevastopol, Kyiv city) by its Natural Earth
# name, with the spellings plans and sources use for it.
UKRAINE = {
    "Cherkasy": ["Cherkasy oblast", "Cherkasy Oblast"],
    "Chernihiv": ["Chernihiv oblast"],
    "Chernivtsi": ["Chernivtsi Oblast"],
    "Crimea": ["Autonomous Republic of Crimea", "Republic of Crimea", "Krim"],
    "Dnipropetrovs'k": ["Dnipropetrovsk", "Dnipropetrovsk oblast", "Dnipro"],
    "Donets'k": ["Donetsk", "Donets'k", "Donetsk oblast", "Donetsk Oblast", "DONETSK"],
    "Ivano-Frankivs'k": ["Ivano-Frankivsk", "Ivano Frankivsk oblast"],
    "Kharkiv": ["Kharkiv oblast", "Khar'kov"],
    "Kherson": ["Kherson oblast"],
    "Khmel'nyts'kyy": ["Khmelnytskyi", "Khmelnytskyi oblast", "Khmelnytskyy"],
    "Kiev": ["Kyiv oblast", "Kiev Oblast", "Kyiv region"],
    "Kiev City": ["Kyiv City", "Kyiv city"],
    "Kirovohrad": ["Kirovohrad oblast", "Kirovograd"],
    "L'viv": ["Lviv", "Lviv oblast", "L'vov"],
    "Luhans'k": ["Luhansk", "Luhansk oblast", "Lugansk"],
    "Mykolayiv": ["Mykolaiv", "Mykolaiv oblast"],
    "Odessa": ["Odesa", "Odesa oblast"],
    "Poltava": ["Poltava oblast"],
    "Rivne": ["Rivne oblast", "Rovno"],
    "Sevastopol": ["Sevastopol'"],
    "Sumy": ["Sumy oblast"],
    "Ternopil'": ["Ternopil", "Ternopil oblast"],
    "Transcarpathia": ["Zakarpattia", "Zakarpattia oblast"],
    "Vinnytsya": ["Vinnytsia", "Vinnytsia oblast"],
    "Volyn": ["Volyn oblast", "Volhynia"],
    "Zaporizhzhya": ["Zaporizhzhia", "Zaporizhzhya", "Zaporizhia", "Zaporizhzhia oblast"],
    "Zhytomyr": ["Zhytomyr oblast", "Zhitomir"],
}
RUSSIA = ["Belgorod", "Bryansk", "Kaliningrad", "Krasnodar", "Kursk", "Pskov", "Rostov",
          "Smolensk", "Voronezh"]  # fmt: skip


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer(load_borders())


@pytest.mark.parametrize("name", sorted(UKRAINE))
def test_every_oblast_resolves_by_each_spelling(gazetteer: Gazetteer, name: str) -> None:
    outline = load_regions()[name].geometry
    for spelling in [name, *UKRAINE[name]]:
        assert gazetteer.geometry(spelling).equals(outline), spelling


def test_ships_ukraine_and_russias_border_regions() -> None:
    by_country = defaultdict(set)
    for region in load_regions().values():
        by_country[region.country].add(region.name)
    assert by_country["UKR"] == set(UKRAINE)
    assert by_country["RUS"] == set(RUSSIA)


def test_no_key_names_two_places(gazetteer: Gazetteer) -> None:
    places = defaultdict(set)
    for spelling, target in gazetteer.spellings.items():
        places[normalise(spelling)].add(target)
    assert {k: v for k, v in places.items() if len(v) > 1} == {}


@pytest.mark.parametrize(
    ("name", "published_km2", "rel"),
    [
        ("Donets'k", 26_517, 0.05),
        ("Kursk", 29_997, 0.05),
        ("Zaporizhzhya", 27_180, 0.05),
        # Natural Earth's own Kherson outline is 26,177 km2 (8% under the official
        # figure, which counts the Dnipro's water); accord's derivation keeps it.
        ("Kherson", 28_461, 0.08),
    ],
)
def test_areas_match_published_figures(name: str, published_km2: float, rel: float) -> None:
    assert area_km2(load_regions()[name].geometry) == pytest.approx(published_km2, rel=rel)


@pytest.mark.parametrize(("iso", "names"), [("UKR", sorted(UKRAINE)), ("RUS", RUSSIA)])
def test_regions_tile_their_country_without_gaps_or_overlaps(iso: str, names: list[str]) -> None:
    country = load_borders().country(iso)
    parts = [load_regions()[n].geometry for n in names]
    union = shapely.union_all(parts)
    # Within the country, to the rounding of coordinates (1e-5 degree, about a metre,
    # along some 5,000 km of Russia's borders and coasts here).
    assert area_km2(shapely.difference(union, country)) < 2.0
    assert sum(area_km2(p) for p in parts) == pytest.approx(area_km2(union), abs=5.0)
    if iso == "UKR":  # all of Ukraine's regions are shipped: they fill it
        assert area_km2(shapely.difference(country, union)) < 1.0


def test_czech_republic_is_czechia(gazetteer: Gazetteer) -> None:
    assert gazetteer.geometry("Czech Republic").equals(load_borders().country("CZE"))
    assert load_borders().by_name("Czech Republic") == "CZE"  # verify's hosts read this
    assert load_borders().by_name("North Macedonia") == "MKD"


def test_unknown_region_names_the_nearest_known_names(gazetteer: Gazetteer) -> None:
    nearest = r"^unknown region 'Donetsc': nearest known names: Donetsk"
    with pytest.raises(ValueError, match=nearest):
        gazetteer.geometry("Donetsc")


def test_seas_hold_no_land_and_have_their_size(gazetteer: Gazetteer) -> None:
    black_sea = gazetteer.geometry("Black Sea")
    land = shapely.union_all([c.geometry for c in load_borders().countries.values()])
    assert area_km2(shapely.intersection(black_sea, land)) < 1.0
    assert area_km2(black_sea) == pytest.approx(436_400, rel=0.05)  # without the Sea of Azov
    assert gazetteer.geometry("Baltic Sea").contains(shapely.Point(20.0, 56.0))


def test_groups_are_their_published_countries(gazetteer: Gazetteer) -> None:
    borders = load_borders()
    eastern = gazetteer.geometry("Eastern Europe")  # UN M49: Poland is in, Estonia is not
    assert eastern.contains(borders.country("POL").representative_point())
    assert not eastern.intersects(borders.country("EST").representative_point())
    assert gazetteer.geometry("South Caucasus").equals(gazetteer.geometry("Caucasus"))
    assert gazetteer.geometry("Central Asia").equals(borders.country("KAZ"))  # on the map

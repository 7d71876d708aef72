"""The controlled vocabulary of a settlement: areas, issues and kinds.

Fixed lists rather than free text so that terms from different plans land on
the same row of a comparison and the same rule in the compiler.
"""

from __future__ import annotations

from enum import StrEnum


class Area(StrEnum):
    """The areas of a settlement, in the order a comparison shows them."""

    territory = "territory"
    ceasefire = "ceasefire"
    security = "security"
    relations = "relations"
    assurances = "assurances"
    economic = "economic"
    humanitarian = "humanitarian"
    sequencing = "sequencing"


AREA_TITLES: dict[Area, str] = {
    Area.territory: "Territory",
    Area.ceasefire: "Ceasefire",
    Area.security: "Ukraine's security",
    Area.relations: "Relations with Russia (US-Russia, NATO-Russia)",
    Area.assurances: "Ukraine-Russia mutual assurances",
    Area.economic: "Economic",
    Area.humanitarian: "Humanitarian",
    Area.sequencing: "Sequencing",
}

# Issues of each area, in display order, with a short title for table rows.
ISSUES: dict[Area, dict[str, str]] = {
    Area.territory: {
        "line": "Line / border",
        "recognition": "Recognition",
        "crimea": "Crimea",
        "swap": "Land swaps",
        "withdrawal": "Withdrawals",
        "reunification": "Reunification",
        "residents": "Residents' rights",
        "constitution": "Constitution",
    },
    Area.ceasefire: {
        "dmz": "DMZ",
        "monitoring": "Monitoring",
        "peacekeeping": "Peacekeepers",
        "pre_ceasefire": "Before talks",
    },
    Area.security: {
        "alignment": "Alignment",
        "nato_accession": "NATO accession",
        "guarantees": "Guarantees",
        "foreign_troops": "Foreign troops",
        "military_aid": "Military aid",
        "aid_limits": "Aid limits",
        "defence_industry": "Defence industry",
        "force_size": "Force size",
        "nuclear": "Nuclear status",
        "missiles": "Missiles",
        "eu_membership": "EU membership",
        "elections": "Elections",
    },
    Area.relations: {
        "us_posture": "US posture",
        "russian_posture": "Russian posture",
        "nato_expansion": "NATO expansion",
        "missiles": "Missiles",
        "bombers_warships": "Bombers/ships",
        "exercises": "Exercises",
        "force_caps": "Force caps",
        "treaties": "Treaties",
        "nuclear": "Nuclear weapons",
        "kaliningrad": "Kaliningrad",
        "baltics": "Baltic states",
        "sanctions": "Sanctions",
        "frozen_assets": "Frozen assets",
        "partnership": "Partnership",
        "spheres_of_influence": "Spheres/buffer",
    },
    Area.assurances: {
        "deployment_limits": "Deploy limits",
        "foreign_forces": "Foreign forces",
        "non_use_of_force": "Non-use of force",
        "dispute_resolution": "Disputes",
        "monitoring": "Monitoring",
        "implementation": "Implementation",
    },
    Area.economic: {
        "minerals": "Minerals",
        "reconstruction": "Reconstruction",
        "trade": "Trade",
        "climate": "Climate",
        "nuclear_plant": "Zaporizhzhia NPP",
        "navigation": "Navigation",
    },
    Area.humanitarian: {
        "prisoners": "Prisoners",
        "occupied_residents": "Occupied areas",
        "minorities": "Minorities",
        "accountability": "Accountability",
        "amnesty": "Amnesty",
    },
    Area.sequencing: {
        "deals": "Deals",
    },
}


class TermKind(StrEnum):
    """What a term is, which decides how it is checked."""

    rule = "rule"
    obligation = "obligation"
    condition = "condition"
    declaration = "declaration"


TERM_KIND_NOTES: dict[TermKind, str] = {
    TermKind.rule: "verifiable on the map: a zone with prohibitions or caps",
    TermKind.obligation: "something to do by a deadline",
    TermKind.condition: "an incentive tied to compliance with other terms",
    TermKind.declaration: "a statement of status or intent",
}


class ZoneType(StrEnum):
    """What a zone is for: a demilitarised zone, a band, an exclusion zone, a region, ..."""

    dmz = "dmz"
    band = "band"
    exclusion = "exclusion"
    region = "region"
    held_area = "held_area"
    ceasefire_line = "ceasefire_line"


# What each zone kind is and the fields it needs, for people writing plans.
ZONE_TYPE_NOTES: dict[ZoneType, str] = {
    ZoneType.dmz: "along the line of contact, split between the sides; needs along, width, regime",
    ZoneType.band: "a depth from a named border (along: A-B) on one side or both; needs distance",
    ZoneType.exclusion: "an area closed to listed weapons; needs regions or a border and distance",
    ZoneType.region: "named regions or countries (outside: true for the rest); needs regions",
    ZoneType.held_area: "the part of named regions a party holds on a date; needs regions, held_by"
    " and on: DATE or at: EVENT",
    ZoneType.ceasefire_line: "the line of contact itself, with no zone around it",
}


class Event(StrEnum):
    """Events deadlines count from."""

    signature = "signature"
    ceasefire = "ceasefire"
    entry_into_force = "entry_into_force"
    invitation = "invitation"
    accession = "accession"


class IncentiveKind(StrEnum):
    """What a condition offers: sanctions relief, aid, frozen assets, membership, ..."""

    sanctions_relief = "sanctions_relief"
    military_aid = "military_aid"
    economic_aid = "economic_aid"
    frozen_assets = "frozen_assets"
    nato_membership = "nato_membership"
    meeting = "meeting"
    treaty_acceptance = "treaty_acceptance"


class LineBasis(StrEnum):
    """What the de facto border is drawn on."""

    line_of_contact_at_ceasefire = "line_of_contact_at_ceasefire"
    borders_1991 = "borders_1991"
    borders_2014 = "borders_2014"
    borders_2022 = "borders_2022"
    four_oblasts_claimed = "four_oblasts_claimed"
    negotiated = "negotiated"  # a line still to be agreed, on no stated basis


class Recognition(StrEnum):
    """How a territorial change is recognised: not at all, de facto or de jure."""

    none = "none"
    de_facto = "de_facto"
    de_jure = "de_jure"


class Alignment(StrEnum):
    """A state's security alignment after the settlement."""

    nato_membership = "nato_membership"
    armed_neutrality = "armed_neutrality"
    neutral_demilitarized = "neutral_demilitarized"
    european_guarantee = "european_guarantee"


class Accession(StrEnum):
    """Where a party's bid to join an alliance or union stands under a term."""

    granted = "granted"  # joins, or is invited to
    deferred = "deferred"  # later, on no fixed date
    barred = "barred"  # never


class AidCourse(StrEnum):
    """What becomes of military aid."""

    ended = "ended"
    limited = "limited"
    long_term = "long_term"


class AssetUse(StrEnum):
    """What becomes of frozen state assets."""

    kept_frozen = "kept_frozen"
    returned = "returned"
    confiscated = "confiscated"  # seized for the victim's reconstruction or reparations
    shared = "shared"  # split among beneficiaries by the term's shares


class TreatyKind(StrEnum):
    """Which security treaty a term commits the parties to."""

    new_security_treaty = "new_security_treaty"  # a new binding treaty on European security
    arms_control = "arms_control"  # existing arms-control instruments (Founding Act, CFE, INF)


class AmnestyScope(StrEnum):
    """Whom an amnesty covers, and whether war crimes are left out."""

    full = "full"  # every party, for every act in the war
    excluding_war_crimes = "excluding_war_crimes"


class Breach(StrEnum):
    """Acts by a party that start or end an obligation."""

    armed_attack = "armed_attack"
    missile_strike = "missile_strike"
    ceasefire_violation = "ceasefire_violation"


class Waterway(StrEnum):
    """The waters a navigation term applies to."""

    dnipro = "dnipro"
    black_sea = "black_sea"
    sea_of_azov = "sea_of_azov"


class CapUnit(StrEnum):
    """What a cap's limit counts."""

    troops = "troops"
    items = "items"  # weapons or vehicles of the cap's kind


class MilitaryItem(StrEnum):
    """Kinds of forces and weapons that rules prohibit or cap."""

    military_forces = "military_forces"
    personnel = "personnel"
    vehicle = "vehicle"
    armour = "armour"
    artillery = "artillery"
    mlrs = "mlrs"
    air_defence = "air_defence"
    missile_launcher = "missile_launcher"
    aircraft = "aircraft"
    drone = "drone"
    fortification = "fortification"
    firing = "firing"
    heavy_weapons = "heavy_weapons"
    short_range_missile = "short_range_missile"
    intermediate_range_missile = "intermediate_range_missile"
    long_range_missile = "long_range_missile"
    ballistic_missile = "ballistic_missile"
    cruise_missile = "cruise_missile"
    hypersonic_missile = "hypersonic_missile"
    heavy_bomber = "heavy_bomber"
    nuclear_capable_bomber = "nuclear_capable_bomber"
    warship = "warship"
    nuclear_weapon = "nuclear_weapon"
    tactical_nuclear_weapon = "tactical_nuclear_weapon"
    foreign_forces = "foreign_forces"
    exercise = "exercise"
    base = "base"


# Kinds coded by their position in `MilitaryItem`, so codes are the same in every batch
# and `KIND_CODES["mlrs"]` can be compared against a whole column.
KIND_NAMES: tuple[str, ...] = tuple(item.value for item in MilitaryItem)
KIND_CODES: dict[str, int] = {name: code for code, name in enumerate(KIND_NAMES)}

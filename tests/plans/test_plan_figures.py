"""The shipped plans: every term cites a listed document, every area is
covered or declared open, and a sample of each plan's terms carries the
figures its documents give."""

from __future__ import annotations

import pytest

from accord.agreement import Agreement, Area, Term
from accord.agreement.quantities import Bound
from accord.agreement.vocabulary import (
    Alignment,
    Event,
    IncentiveKind,
    LineBasis,
    MilitaryItem,
    Recognition,
    TermKind,
    ZoneType,
)
from accord.plans import load_plan, plan_ids

SHIPPED = [
    "defense-priorities-2025",
    "mcfaul-2024",
    "pry-grand-bargain-2022",
    "russia-drafts-2021",
    "russia-plan",
    "ukraine-plan",
    "us-framework-2025",
]
FOUR_OBLASTS = ["Donetsk", "Luhansk", "Kherson", "Zaporizhzhia"]


def term(plan_id: str, term_id: str) -> Term:
    return load_plan(plan_id).term(term_id)


def test_every_plan_is_shipped() -> None:
    assert set(SHIPPED) <= set(plan_ids())


# --- every plan -------------------------------------------------------------


@pytest.mark.parametrize("plan_id", plan_ids())
def test_plan_id_matches_file(plan_id: str) -> None:
    assert load_plan(plan_id).id == plan_id


@pytest.mark.parametrize("plan_id", plan_ids())
def test_every_term_cites_a_listed_document(plan_id: str) -> None:
    plan = load_plan(plan_id)
    docs = {d.id for d in plan.documents}
    assert plan.terms
    for t in plan.terms:
        assert len(t.sources) >= 1, t.id
        for source in t.sources:
            assert source.doc in docs, (t.id, source.doc)
    for deal in plan.deals:
        for source in deal.sources:
            assert source.doc in docs, (deal.id, source.doc)


@pytest.mark.parametrize("plan_id", plan_ids())
def test_every_listed_document_is_cited(plan_id: str) -> None:
    plan = load_plan(plan_id)
    cited = {s.doc for t in plan.terms for s in t.sources}
    assert cited == {d.id for d in plan.documents}


def _covered(plan: Agreement) -> set[Area]:
    covered = {t.area for t in plan.terms}
    if plan.deals:
        covered.add(Area.sequencing)
    return covered


@pytest.mark.parametrize("plan_id", plan_ids())
def test_every_area_is_covered_or_open_never_both(plan_id: str) -> None:
    plan = load_plan(plan_id)
    covered = _covered(plan)
    declared = {o.area for o in plan.open}
    assert covered | declared == set(Area)
    assert covered & declared == set()
    for entry in plan.open:
        assert plan.open_note(entry.area) == entry.note
        assert "\n" not in entry.note


@pytest.mark.parametrize("plan_id", plan_ids())
def test_term_ids_follow_area_dot_topic(plan_id: str) -> None:
    for t in load_plan(plan_id).terms:
        area, _, topic = t.id.partition(".")
        assert area == t.area.value, t.id
        assert topic, t.id
        assert len(t.label) <= 40, t.id


def test_shared_topics_line_up_across_plans() -> None:
    for plan_id in ["mcfaul-2024", "us-framework-2025", "ukraine-plan", "russia-plan"]:
        plan = load_plan(plan_id)
        assert plan.term("security.alignment").issue == "alignment"
        assert plan.term("territory.line").issue == "line"
    for plan_id in ["russia-drafts-2021", "russia-plan", "pry-grand-bargain-2022"]:
        assert term(plan_id, "relations.us_posture").issue == "us_posture"
        assert term(plan_id, "relations.missiles").issue == "missiles"


def test_document_metadata() -> None:
    mcfaul = load_plan("mcfaul-2024").document("mcfaul-2024")
    assert (mcfaul.author, mcfaul.organisation, mcfaul.date) == (
        "Michael McFaul",
        "Foreign Affairs",
        "2024-12-17",
    )
    epoch = load_plan("us-framework-2025").document("epoch-2025")
    assert (epoch.author, epoch.organisation, epoch.date) == (None, "The Epoch Times", "2025-02")
    eurasia = load_plan("pry-grand-bargain-2022").document("pry-2022-eurasia")
    assert (eurasia.title, eurasia.author, eurasia.date) == (
        "Biden's Opportunity for Peace in Eurasia",
        "Peter Vincent Pry",
        "2022-01",
    )
    negotiate = load_plan("russia-drafts-2021").document("pry-2022-negotiate")
    assert (negotiate.title, negotiate.author, negotiate.date) == (
        "Negotiate Peace With Russia to Prevent War Over Ukraine",
        "Peter Vincent Pry",
        "2022-01",
    )
    dp = load_plan("defense-priorities-2025").document("dp-2025")
    assert (dp.organisation, dp.date) == ("Defense Priorities", "2025")


# --- Defense Priorities -----------------------------------------------------


def test_dp_dmz_is_full_5_miles_split_equally() -> None:
    dmz = term("defense-priorities-2025", "ceasefire.dmz")
    assert dmz.kind is TermKind.rule
    assert dmz.zone is not None and dmz.zone.width is not None
    assert dmz.zone.type is ZoneType.dmz
    assert dmz.zone.along == "line_of_contact"
    assert (dmz.zone.width.value, dmz.zone.width.unit) == (5, "mi")
    assert round(dmz.zone.width.km, 3) == 8.047
    assert dmz.zone.regime == "full"
    assert dmz.zone.split is None  # equal shares each side
    assert dmz.parameters.line_length is not None
    assert (dmz.parameters.line_length.value, dmz.parameters.line_length.bound) == (
        600,
        Bound.about,
    )


def test_dp_observers_fewer_than_500_unarmed() -> None:
    monitoring = term("defense-priorities-2025", "ceasefire.monitoring")
    observers = monitoring.parameters.observers
    assert observers is not None
    assert (observers.value, observers.bound) == (500, Bound.less_than)
    assert monitoring.parameters.observers_armed is False
    assert monitoring.parameters.remote_monitoring == ["drones", "sensors"]


def test_dp_russian_pull_back_100_miles() -> None:
    posture = term("defense-priorities-2025", "relations.russian_posture")
    assert posture.zone is not None and posture.zone.distance is not None
    assert (posture.zone.distance.value, posture.zone.distance.unit) == (100, "mi")
    assert posture.zone.along == "NATO-RU"
    assert posture.zone.side == "RU"
    assert term("defense-priorities-2025", "relations.us_posture").parameters.joined_after == 2000


def test_dp_aid_up_to_5_years() -> None:
    aid = term("defense-priorities-2025", "security.aid")
    assert aid.incentive is not None and aid.incentive.duration is not None
    assert (aid.incentive.duration.value, aid.incentive.duration.unit) == (5, "years")
    assert aid.incentive.duration.bound is Bound.at_most
    assert (aid.parameters.aid_lead_initial, aid.parameters.aid_lead_later) == ("US", "EUR")


def test_dp_300_billion_frozen_assets() -> None:
    assets = term("defense-priorities-2025", "relations.frozen_assets")
    assert assets.incentive is not None and assets.incentive.amount is not None
    amount = assets.incentive.amount
    assert (amount.amount, amount.currency, amount.bound) == (300e9, "USD", Bound.about)


# --- McFaul ------------------------------------------------------------------


def test_mcfaul_invitation_on_the_day_fighting_stops() -> None:
    invitation = term("mcfaul-2024", "security.nato_accession")
    assert invitation.kind is TermKind.obligation
    assert invitation.deadline is not None and invitation.deadline.within is not None
    assert invitation.deadline.after is Event.ceasefire
    assert invitation.deadline.within.days == 0
    assert invitation.binds == ["NATO"]


def test_mcfaul_fast_ratification_despite_hungary_and_slovakia() -> None:
    ratification = term("mcfaul-2024", "security.ratification")
    assert ratification.parameters.holdouts == ["HU", "SK"]
    assert ratification.parameters.ratification == "unanimity"
    plan = load_plan("mcfaul-2024")
    assert plan.party("HU").name == "Hungary"
    assert plan.party("SK").name == "Slovakia"


def test_mcfaul_land_for_membership() -> None:
    plan = load_plan("mcfaul-2024")
    assert plan.term("security.alignment").parameters.alignment is Alignment.nato_membership
    assert plan.term("territory.recognition").parameters.recognition is Recognition.none
    assert plan.term("territory.reunification").issue == "reunification"
    kursk = plan.term("territory.withdrawal")
    assert kursk.zone is not None
    assert (kursk.zone.type, kursk.zone.regions) == (ZoneType.region, ["Kursk"])
    assert kursk.binds == ["UA"]
    conditions = plan.term("security.nato_conditions")
    assert conditions.incentive is not None
    assert conditions.incentive.kind is IncentiveKind.nato_membership
    assert conditions.tied_to == ["territory.withdrawal", "territory.reunification"]
    assert plan.term("ceasefire.aid_first").issue == "pre_ceasefire"
    assert plan.term("humanitarian.residents").issue == "occupied_residents"


def test_mcfaul_sequence_aid_then_ceasefire_then_invitation() -> None:
    deals = {d.id: d for d in load_plan("mcfaul-2024").deals}
    assert deals["ceasefire"].after == ["us-aid"]
    assert deals["nato-invitation"].after == ["ceasefire"]
    assert deals["ratification"].after == ["nato-invitation"]


# --- The Epoch Times: the US framework ---------------------------------------


def test_epoch_minerals_about_500_billion() -> None:
    minerals = term("us-framework-2025", "economic.minerals")
    amount = minerals.parameters.amount
    assert amount is not None
    assert (amount.amount, amount.currency, amount.bound) == (500e9, "USD", Bound.about)
    aid = term("us-framework-2025", "security.aid")
    assert aid.incentive is not None
    assert aid.incentive.kind is IncentiveKind.military_aid
    assert aid.tied_to == ["economic.minerals"]


def test_epoch_no_nato_no_us_presence_guarantee_outside_article_5() -> None:
    plan = load_plan("us-framework-2025")
    assert plan.term("security.alignment").parameters.alignment is Alignment.european_guarantee
    assert plan.term("security.nato_accession").parameters.holdouts == ["HU"]
    assert plan.term("security.guarantees").parameters.contributors == [
        "European states",
        "non-European states",
    ]
    no_us = plan.term("security.foreign_troops")
    assert no_us.binds == ["US"]
    assert no_us.zone is not None and no_us.zone.regions == ["Ukraine"]


def test_epoch_territory_positions_are_to_negotiate() -> None:
    plan = load_plan("us-framework-2025")
    assert plan.term("territory.line").status == "to_negotiate"
    assert plan.term("territory.swap").parameters.regions == ["Kursk"]
    claim = plan.term("territory.withdrawal")
    assert claim.status == "to_negotiate"
    assert claim.parameters.line is LineBasis.four_oblasts_claimed
    assert claim.parameters.regions == FOUR_OBLASTS


# --- Russia's December 2021 drafts -------------------------------------------


def test_drafts_cite_pry_and_defense_priorities() -> None:
    plan = load_plan("russia-drafts-2021")
    for term_id in ["relations.nato_expansion", "relations.us_posture", "relations.missiles"]:
        assert {s.doc for s in plan.term(term_id).sources} == {"pry-2022-negotiate", "dp-2025"}


def test_drafts_post_1997_members_missiles_and_activity_ban() -> None:
    plan = load_plan("russia-drafts-2021")
    posture = plan.term("relations.us_posture")
    assert posture.parameters.joined_after == 1997
    assert posture.parameters.countries is not None and len(posture.parameters.countries) == 14
    missiles = plan.term("relations.missiles")
    assert missiles.prohibits == [
        MilitaryItem.intermediate_range_missile,
        MilitaryItem.ballistic_missile,
    ]
    assert plan.term("relations.bombers_warships").prohibits == [
        MilitaryItem.heavy_bomber,
        MilitaryItem.warship,
    ]
    activity = plan.term("relations.exercises")
    assert activity.zone is not None
    assert activity.zone.regions == ["Eastern Europe", "Caucasus", "Central Asia"]
    assert {d.id: d.signatories for d in plan.deals} == {
        "us-russia": ["US", "RU"],
        "nato-russia": ["NATO", "RU"],
    }


# --- Pry's grand bargain -----------------------------------------------------


def test_pry_baltic_neutrality_is_the_austrian_fallback() -> None:
    neutrality = term("pry-grand-bargain-2022", "relations.baltic_neutrality")
    assert neutrality.status == "fallback"
    assert neutrality.parameters.precedent == "Austrian State Treaty 1955"
    assert neutrality.parameters.countries == ["Estonia", "Latvia", "Lithuania"]


def test_pry_crimea_recognised_de_jure_and_federal_constitution() -> None:
    plan = load_plan("pry-grand-bargain-2022")
    crimea = plan.term("territory.crimea")
    assert crimea.parameters.recognition is Recognition.de_jure
    assert crimea.parameters.regions == ["Crimea"]
    assert plan.term("territory.constitution").parameters.constitutional is True


def test_pry_nuclear_trade_and_kaliningrad() -> None:
    plan = load_plan("pry-grand-bargain-2022")
    tactical = plan.term("relations.nuclear")
    assert tactical.prohibits == [MilitaryItem.tactical_nuclear_weapon]
    assert tactical.zone is not None and tactical.zone.regions == ["Europe"]
    assert tactical.requires == ["relations.kaliningrad_nuclear", "relations.nuclear_stationing"]
    kaliningrad = plan.term("relations.kaliningrad_nuclear")
    assert kaliningrad.zone is not None and kaliningrad.zone.regions == ["Kaliningrad"]
    assert MilitaryItem.nuclear_weapon in kaliningrad.prohibits
    assert plan.term("relations.kaliningrad").requires == ["relations.baltics"]
    assert plan.term("relations.missiles").prohibits == [MilitaryItem.intermediate_range_missile]
    assert plan.term("relations.us_posture").requires == [
        "relations.cfe",
        "relations.russian_posture",
    ]
    assert {s.doc for s in plan.term("security.aid").sources} == {
        "pry-2022-negotiate",
        "pry-2022-eurasia",
    }


# --- Ukraine's and Russia's own plans ----------------------------------------


def test_ukraine_200000_peacekeepers_and_nato_now() -> None:
    plan = load_plan("ukraine-plan")
    peacekeepers = plan.term("ceasefire.peacekeeping").parameters.peacekeepers
    assert peacekeepers is not None
    assert (peacekeepers.value, peacekeepers.bound) == (200_000, Bound.at_least)
    assert plan.term("security.alignment").parameters.alignment is Alignment.nato_membership
    assert plan.term("territory.recognition").parameters.recognition is Recognition.none
    assert plan.term("territory.line").parameters.line is LineBasis.borders_2014
    assert plan.term("security.aid").parameters.aid_types == [
        "longer-range missiles",
        "tanks",
        "fighter jets",
    ]


def test_russia_four_oblasts_and_demilitarised_ukraine() -> None:
    plan = load_plan("russia-plan")
    line = plan.term("territory.line")
    assert line.parameters.line is LineBasis.four_oblasts_claimed
    assert line.parameters.regions == FOUR_OBLASTS
    withdrawal = plan.term("territory.withdrawal")
    assert withdrawal.zone is not None and withdrawal.zone.regions == FOUR_OBLASTS
    assert plan.term("territory.crimea").parameters.regions == ["Crimea"]
    alignment = plan.term("security.alignment").parameters.alignment
    assert alignment is Alignment.neutral_demilitarized
    force = plan.term("security.force")
    assert [(c.item, c.limit.value) for c in force.caps] == [(MilitaryItem.military_forces, 0)]
    assert plan.term("security.foreign_troops").prohibits == [MilitaryItem.foreign_forces]


def test_mcfaul_kursk_withdrawal_is_due_by_accession() -> None:
    withdrawal = term("mcfaul-2024", "territory.withdrawal")
    assert withdrawal.deadline is not None
    assert withdrawal.deadline.by is Event.accession


def test_pry_no_russian_nuclear_weapons_outside_russia() -> None:
    rule = term("pry-grand-bargain-2022", "relations.nuclear_stationing")
    assert rule.zone is not None
    assert (rule.zone.regions, rule.zone.outside) == (["Russia"], True)
    assert rule.prohibits == [MilitaryItem.nuclear_weapon]


def test_us_framework_marks_the_sides_positions() -> None:
    assert term("us-framework-2025", "territory.withdrawal").position_of == "RU"
    assert term("us-framework-2025", "territory.swap").position_of == "UA"
    assert term("us-framework-2025", "territory.line").parameters.line is LineBasis.negotiated

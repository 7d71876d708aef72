"""The dashboard in headless Chromium, on a hand-made store whose data lies months
before today: signing in and out without the token in any address or log line,
the map on the data's own days, the queue's filters, sort and reasons.

Needs Debian's `chromium` and `chromium-driver` (scripts/browser.sh installs them).
Without them the test skips locally and fails in CI.
"""

from __future__ import annotations

import colorsys
import datetime as dt
import json
import logging
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session
from tests.service.conftest import NOON, Seeded, incident_row, seed, serving
from tests.support import missing

from accord.service.app import create_app
from accord.service.settings import ServiceSettings
from accord.store import Store, open_store
from accord.store.database import WRITE
from accord.verify.workflow import TransitionLog, incident_ref, parse_ref

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.common.exceptions import (  # noqa: E402
    NoSuchElementException,
    StaleElementReferenceException,
)
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402


def _binaries() -> tuple[str, str]:
    chromium = os.environ.get("ACCORD_CHROMIUM") or shutil.which("chromium")
    driver = os.environ.get("ACCORD_CHROMEDRIVER") or shutil.which("chromedriver")
    if chromium and driver:
        return chromium, driver
    missing("chromium and chromedriver are missing; source scripts/browser.sh")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium, driver = _binaries()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1400,900",
    ):
        options.add_argument(flag)
    # The performance log holds every request the page made, with its headers.
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    service = webdriver.ChromeService(executable_path=driver)
    session = webdriver.Chrome(options=options, service=service)
    yield session
    session.quit()


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@dataclass
class Mission:
    url: str
    seeded: Seeded
    log: Collect
    earlier: list[str]  # incidents of 2026-08-29 (UA, S03) and 2026-08-26 (RU, S05)


def earlier_days(store: Store, seeded: Seeded) -> list[str]:
    """Two incidents days before the seeded ones, and verification's first step of the
    UA incident on the data's clock, so the store spans a week three months ago."""
    rows = [
        incident_row("UA", "T1", hours=-72, severity=3, kind="artillery", lon=37.2),
        incident_row("RU", "T2", hours=-149, severity=1, state="referred", lat=47.6),
    ]
    rows[0].sector, rows[1].sector = "S03", "S05"
    with Session(store.engine) as session:
        session.add_all(rows)
        session.commit()
        refs = [incident_ref(r.id) for r in rows]
    log = TransitionLog()
    detected = NOON - dt.timedelta(hours=1)
    log.add(parse_ref(seeded.ua), "", "detected", "detected: breach of ceasefire.dmz", detected)
    write(store, log)
    return refs


def write(store: Store, log: TransitionLog) -> None:
    """Store workflow steps as verification does, ledger included."""
    with store.engine.connect() as connection:
        connection = connection.execution_options(**WRITE)
        with connection.begin():
            log.flush(connection)


@pytest.fixture(scope="module")
def mission(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mission]:
    """A live server over a hand-made store, its access log (info level) collected."""
    path = tmp_path_factory.mktemp("dashboard") / "accord.db"
    collect = Collect()
    with open_store(f"sqlite:///{path}") as store:
        seeded = seed(store)
        earlier = earlier_days(store, seeded)
        with serving(create_app(ServiceSettings(), store), log_level="info") as url:
            for name in ("uvicorn.access", "uvicorn.error"):
                logging.getLogger(name).addHandler(collect)
            yield Mission(url, seeded, collect, earlier)
            for name in ("uvicorn.access", "uvicorn.error"):
                logging.getLogger(name).removeHandler(collect)


def waiting(browser: Any, seconds: float = 20) -> WebDriverWait:  # type: ignore[type-arg]
    # The dashboard redraws its table as data arrives: an element found may be gone by
    # the click, so each step finds its element afresh until it holds.
    ignored = (NoSuchElementException, StaleElementReferenceException)
    return WebDriverWait(browser, seconds, ignored_exceptions=ignored)


def sign_in(browser: Any, url: str, token: str) -> None:
    browser.get_log("browser")  # what earlier pages logged
    browser.get(f"{url}/dashboard/")
    browser.execute_script("sessionStorage.clear()")
    browser.get(f"{url}/dashboard/")
    waiting(browser).until(lambda b: b.find_element(By.ID, "token").is_displayed())
    browser.find_element(By.ID, "token").send_keys(token)
    browser.find_element(By.CSS_SELECTOR, "#login button").click()
    waiting(browser).until(lambda b: b.find_element(By.ID, "sign-out").is_displayed())
    ready(browser)


def ready(browser: Any) -> None:
    """Wait until the dashboard has loaded everything the role may see."""
    script = "return document.body.dataset.ready"
    waiting(browser).until(lambda b: b.execute_script(script) == "yes")


def requests_made(browser: Any) -> list[dict[str, Any]]:
    """Every request the page sent since the last call: url and headers."""
    sent = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            sent.append(message["params"]["request"])
    return sent


def severe(browser: Any) -> list[dict[str, Any]]:
    return [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]


def test_sign_in_and_out_keep_the_token_out_of_addresses_and_logs(
    browser: Any, mission: Mission
) -> None:
    token = mission.seeded.tokens["analyst"]
    browser.get_log("performance")
    sign_in(browser, mission.url, token)
    assert browser.find_element(By.ID, "who").text == "analyst (analyst)"
    waiting(browser).until(lambda b: b.find_element(By.ID, f"row-{mission.seeded.ua}"))
    assert browser.find_element(By.ID, "token").get_attribute("value") == ""
    sent = requests_made(browser)
    api = [r for r in sent if "/api/" in r["url"]]
    assert any(r["headers"].get("Authorization") == f"Bearer {token}" for r in api)
    assert all(token not in r["url"] for r in sent) and token not in browser.current_url

    browser.find_element(By.ID, "sign-out").click()
    wait = waiting(browser)
    wait.until(lambda b: b.find_element(By.ID, "who").text == "public")
    wait.until(lambda b: b.find_element(By.ID, "queue-status").text == "sign in to see incidents")
    assert browser.find_element(By.ID, "login").is_displayed()
    assert browser.execute_script("return sessionStorage.length") == 0
    assert browser.find_elements(By.CSS_SELECTOR, "#queue tbody tr") == []
    assert severe(browser) == []
    # The page's own request function, asked for who is signed in, goes without a token.
    status = browser.execute_async_script(
        "const done = arguments[0]; api('/api/me').catch((e) => done(e.status));"
    )
    assert status == 401
    after = [r for r in requests_made(browser) if "/api/" in r["url"]]
    assert f"{mission.url}/api/me" in [r["url"] for r in after]
    assert all("Authorization" not in r["headers"] for r in after)
    browser.get_log("browser")  # the 401 just asked for


def test_a_token_in_the_address_is_refused_and_not_logged(browser: Any, mission: Mission) -> None:
    token = mission.seeded.tokens["liaison:UA"]
    reply = httpx.get(f"{mission.url}/dashboard/?token={token}")
    assert reply.status_code == 400
    assert "never taken from the address" in reply.json()["detail"]
    assert token not in reply.text
    api = httpx.get(f"{mission.url}/api/incidents?access_token={token}")
    assert api.status_code == 400
    browser.get(f"{mission.url}/dashboard/?token={token}")
    assert "Authorization: Bearer" in browser.find_element(By.TAG_NAME, "body").text
    logged = "\n".join(mission.log.lines)
    assert "/dashboard/?token=[redacted]" in logged
    assert all(secret not in logged for secret in mission.seeded.tokens.values())


def test_a_wrong_token_is_told_and_forgotten(browser: Any, mission: Mission) -> None:
    browser.get(f"{mission.url}/dashboard/")
    browser.find_element(By.ID, "token").send_keys("acc_not-a-token")
    browser.find_element(By.CSS_SELECTOR, "#login button").click()
    wait = waiting(browser)
    wait.until(lambda b: "sign-in refused" in b.find_element(By.ID, "login-status").text)
    assert browser.find_element(By.ID, "who").text == "public"
    assert browser.execute_script("return sessionStorage.length") == 0


def test_every_step_asks_for_a_reason_and_cancel_sends_nothing(
    browser: Any, mission: Mission
) -> None:
    sign_in(browser, mission.url, mission.seeded.tokens["analyst"])
    wait = waiting(browser)
    wait.until(lambda b: len(b.find_elements(By.CSS_SELECTOR, ".incident-marker")) >= 1)
    ref = mission.seeded.ru
    headers = mission.seeded.headers("analyst")
    dialog = browser.find_element(By.ID, "reason-dialog")

    def click(b: Any) -> bool:
        b.find_element(By.ID, f"row-{ref}").find_element(
            By.CSS_SELECTOR, ".action-referred"
        ).click()
        return True

    browser.get_log("performance")
    wait.until(click)
    assert dialog.is_displayed() and "detected → referred" in dialog.text
    browser.find_element(By.ID, "reason").send_keys("   ")
    browser.find_element(By.ID, "reason-send").click()
    assert browser.find_element(By.ID, "reason-error").text == "give the reason for this step"
    browser.find_element(By.ID, "reason-cancel").click()
    # The click is handled once the page's main thread is free (the zones may still be
    # drawing), so wait for the dialog to go rather than look at once.
    wait.until(lambda b: not dialog.is_displayed())
    sent = [r for r in requests_made(browser) if r["url"].endswith("/transition")]
    assert sent == []
    still = httpx.get(f"{mission.url}/api/incidents/{ref}", headers=headers).json()
    assert still["state"] == "detected"

    wait.until(click)
    browser.find_element(By.ID, "reason").send_keys("artillery near the DMZ; HQ to decide")
    browser.find_element(By.ID, "reason-send").click()
    wait.until(lambda b: "referred" in b.find_element(By.ID, f"row-{ref}").text)
    wait.until(lambda b: not dialog.is_displayed())  # closes once the step is sent
    after = httpx.get(f"{mission.url}/api/incidents/{ref}", headers=headers).json()
    assert after["state"] == "referred"
    assert after["history"][-1]["reason"] == "artillery near the DMZ; HQ to decide"
    assert after["history"][-1]["actor"] == "analyst:analyst"
    assert severe(browser) == []


def queue_column(browser: Any, column: int) -> list[str]:
    rows = browser.find_elements(By.CSS_SELECTOR, "#queue tbody tr")
    return [r.find_elements(By.TAG_NAME, "td")[column].text for r in rows]


def choose(browser: Any, select: str, value: str) -> None:
    Select(browser.find_element(By.ID, select)).select_by_value(value)


def test_queue_filters_and_sorts(browser: Any, mission: Mission) -> None:
    sign_in(browser, mission.url, mission.seeded.tokens["analyst"])
    seeded, (ua_earlier, ru_earlier) = mission.seeded, mission.earlier
    assert browser.find_element(By.CSS_SELECTOR, "#queue thead").text.startswith(
        "first seen (data time) incident sector state kind party severity"
    )
    ids = queue_column(browser, 1)
    assert len(ids) == 5 and ids[-1] == ru_earlier  # newest first
    times = queue_column(browser, 0)
    assert times == sorted(times, reverse=True) and times[0] == "2026-09-01 11:00Z"
    choose(browser, "sort", "oldest")
    assert queue_column(browser, 1) == ids[::-1]
    choose(browser, "sort", "severity")
    ranks = [("low", "medium", "high", "critical").index(s) for s in queue_column(browser, 6)]
    assert ranks == sorted(ranks, reverse=True) and queue_column(browser, 1)[0] == ua_earlier

    choose(browser, "filter-sector", "S05")
    assert queue_column(browser, 1) == [ru_earlier]
    assert browser.find_element(By.ID, "queue-shown").text == "1 shown"
    choose(browser, "filter-sector", "")
    choose(browser, "filter-party", "RU")
    assert set(queue_column(browser, 1)) == {seeded.ru, seeded.published_ru, ru_earlier}
    choose(browser, "filter-state", "referred")
    assert ru_earlier in queue_column(browser, 1)
    assert set(queue_column(browser, 3)) == {"referred"}
    options = browser.find_elements(By.CSS_SELECTOR, "#filter-sector option")
    assert [o.text for o in options] == ["all", "S03", "S05", "S07"]


def test_public_view_asks_only_for_what_the_public_may_see(browser: Any, mission: Mission) -> None:
    """Signed out, the dashboard shows the zones and asks for nothing it would be refused:
    no 401 in the console."""
    browser.get(f"{mission.url}/dashboard/")
    browser.execute_script("sessionStorage.clear()")
    browser.get_log("browser")  # what earlier pages logged
    browser.get(f"{mission.url}/dashboard/")
    wait = waiting(browser)
    wait.until(lambda b: b.find_element(By.ID, "who").text == "public")
    status = "sign in to see incidents"
    wait.until(lambda b: b.find_element(By.ID, "queue-status").text == status)
    wait.until(lambda b: len(b.find_elements(By.CSS_SELECTOR, "path.leaflet-interactive")) > 0)
    assert browser.find_elements(By.CSS_SELECTOR, ".incident-marker") == []
    assert severe(browser) == []


def slide_to(browser: Any, moment: dt.datetime) -> None:
    """Move the time slider to the hour ending at `moment`, as a user's drag would."""
    browser.execute_script(
        "const s = document.getElementById('slider');"
        "s.value = String((arguments[0] - Number(s.dataset.start)) / 3600e3);"
        "s.dispatchEvent(new Event('input')); s.dispatchEvent(new Event('change'));",
        int(moment.timestamp() * 1000),
    )


def chart_titles(browser: Any, box: str) -> list[str]:
    titles = browser.find_elements(By.CSS_SELECTOR, f"#{box} rect title")
    return [t.get_attribute("textContent") for t in titles]


def test_map_and_charts_run_on_the_data_s_days(browser: Any, mission: Mission) -> None:
    """The store's data lies three months before today: the slider opens on its last
    hour, and the map, per-day chart and compliance panel follow the slider."""
    sign_in(browser, mission.url, mission.seeded.tokens["analyst"])
    today = dt.datetime.now(dt.UTC).date().isoformat()
    label = browser.find_element(By.ID, "slider-value").text
    assert label == "2026-09-01 12:00Z: 3 incidents"  # the last seen ends 11:05
    markers = browser.find_elements(By.CSS_SELECTOR, ".incident-marker")
    assert len(markers) == 3
    heading = browser.find_element(By.ID, "compliance-heading").text
    assert heading == "Compliance, 2026-08-26 to 2026-09-01" and today not in heading
    headers = mission.seeded.headers("analyst")
    for party in ("UA", "RU"):
        shown = chart_titles(browser, f"compliance-{party}")
        assert [t[:10] for t in shown] == [f"2026-08-{d}" for d in range(26, 32)] + ["2026-09-01"]
        for title in shown:
            day = title[:10]
            figures = httpx.get(f"{mission.url}/api/compliance/{party}?day={day}", headers=headers)
            assert title == f"{day}: {figures.json()['current']['index']:.2f}"
    per_day = chart_titles(browser, "per-day-RU")
    assert per_day[0] == "2026-08-26: 1" and per_day[-1] == "2026-09-01: 2"
    assert sum(int(t.split(": ")[1]) for t in chart_titles(browser, "per-day-UA")) == 2

    slide_to(browser, dt.datetime(2026, 8, 29, 13, tzinfo=dt.UTC))
    wait = waiting(browser)
    wait.until(lambda b: b.find_element(By.ID, "compliance-heading").text.endswith("2026-08-29"))
    assert browser.find_element(By.ID, "slider-value").text == "2026-08-29 13:00Z: 1 incident"
    titles = [
        m.get_attribute("title") for m in browser.find_elements(By.CSS_SELECTOR, ".incident-marker")
    ]
    assert titles == [mission.earlier[0]]
    wait.until(lambda b: len(chart_titles(b, "compliance-RU")) == 7)
    assert chart_titles(browser, "compliance-RU")[-1].startswith("2026-08-29: ")
    assert severe(browser) == []


def test_history_keeps_data_time_apart_from_when_steps_were_taken(
    browser: Any, mission: Mission
) -> None:
    """Verification's steps carry the data's time; a person's only when it was taken.
    A step verification writes after the analyst's, about an earlier data time, comes
    after it: the history runs in the order it was written, its two clocks apart."""
    ref = mission.earlier[0]
    number = parse_ref(ref)
    seen = NOON - dt.timedelta(hours=72)
    log = TransitionLog()
    log.add(number, "", "detected", "detected: breach of ceasefire.dmz", seen)
    store = mission.seeded.store
    write(store, log)
    done = httpx.post(
        f"{mission.url}/api/incidents/{ref}/transition",
        json={"state": "confirmed", "reason": "two patrols saw it"},
        headers=mission.seeded.headers("analyst"),
    )
    assert done.status_code == 200, done.text
    log.add(number, "confirmed", "confirmed", "evidence raised: a third source", seen)
    write(store, log)

    sign_in(browser, mission.url, mission.seeded.tokens["analyst"])
    waiting(browser).until(lambda b: b.find_element(By.CSS_SELECTOR, f"#row-{ref} a.open")).click()
    waiting(browser).until(
        lambda b: len(b.find_elements(By.CSS_SELECTOR, "#history tbody tr")) == 3
    )
    rows = [
        [c.text for c in r.find_elements(By.TAG_NAME, "td")]
        for r in browser.find_elements(By.CSS_SELECTOR, "#history tbody tr")
    ]
    assert [r[0] for r in rows] == ["2026-08-29 12:00Z", "-", "2026-08-29 12:00Z"]
    taken = [r[1] for r in rows]
    assert taken == sorted(taken) and taken[0][:10] == dt.datetime.now(dt.UTC).date().isoformat()
    assert [r[2] for r in rows] == [
        "new → detected",
        "detected → confirmed",
        "confirmed → confirmed",
    ]
    assert rows[1][3:] == ["analyst:analyst", "two patrols saw it"]


def _hue(colour: str) -> float:
    """The hue of #RRGGBB in degrees (0 red, 120 green, 240 blue)."""
    red, green, blue = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return colorsys.rgb_to_hsv(red, green, blue)[0] * 360


def test_party_colours_are_the_defined_neutral_ones(browser: Any, mission: Mission) -> None:
    """Markers and charts draw each party in the page's one colour table, and neither
    party is in the blue or red of the friend/hostile convention."""
    sign_in(browser, mission.url, mission.seeded.tokens["analyst"])
    colours = browser.execute_script("return PARTY_COLOUR")
    for party in ("UA", "RU"):
        hue = _hue(colours[party])
        assert not (hue < 20 or hue > 340), f"{party} {colours[party]} is red"
        assert not 190 < hue < 260, f"{party} {colours[party]} is blue"
    assert colours["UA"] != colours["RU"]
    party_of = {mission.seeded.ua: "UA", mission.seeded.ru: "RU"}
    fills = {}
    for marker in browser.find_elements(By.CSS_SELECTOR, ".incident-marker"):
        ref = marker.get_attribute("title")
        frame = marker.find_element(By.CSS_SELECTOR, "svg [fill]:not([fill='none'])")
        fills[ref] = frame.get_attribute("fill").upper()
        if ref in party_of:  # and its letters beside the frame
            assert party_of[ref] in marker.find_element(By.TAG_NAME, "svg").text
    assert {ref: fills[ref] for ref in party_of} == {
        ref: colours[party].upper() for ref, party in party_of.items()
    }
    for party in ("UA", "RU"):
        bars = browser.find_elements(By.CSS_SELECTOR, f"#compliance-{party} rect.bar")
        assert bars and {b.get_attribute("fill") for b in bars} == {colours[party]}
    assert severe(browser) == []


def legend_entries(browser: Any) -> list[str]:
    rows = browser.find_elements(By.CSS_SELECTOR, "#legend .entry")
    return [r.get_attribute("data-entry") for r in rows]


def test_the_legend_lists_what_the_map_draws_and_a_scale_shows(
    browser: Any, mission: Mission
) -> None:
    """Every zone the API serves by its term; the parties and states of the symbols
    shown now, following the slider; and a metric scale."""
    sign_in(browser, mission.url, mission.seeded.tokens["analyst"])
    zones = httpx.get(f"{mission.url}/api/zones", timeout=None).json()["features"]
    headers = mission.seeded.headers("analyst")
    routes = httpx.get(f"{mission.url}/api/patrols", headers=headers).json()["features"]

    def expected() -> list[str]:
        shown = [
            httpx.get(f"{mission.url}/api/incidents/{m.get_attribute('title')}", headers=headers)
            for m in browser.find_elements(By.CSS_SELECTOR, ".incident-marker")
        ]
        incidents = [r.json() for r in shown]
        assert incidents
        parties = sorted({i["party"] or "undetermined" for i in incidents})
        states = sorted({i["state"] for i in incidents})
        return (
            [f"zone:{f['properties']['term']}" for f in zones]
            + (["patrols"] if routes else [])
            + [f"party:{p}" for p in parties]
            + [f"state:{s}" for s in states]
        )

    wait = waiting(browser)
    wait.until(lambda b: legend_entries(b) == expected())
    assert {"party:UA", "party:RU"} <= set(legend_entries(browser))
    # Zones in words, as the API labels them, never by a term's id or raw kind.
    rows = browser.find_elements(By.CSS_SELECTOR, "#legend .entry")
    words = {r.get_attribute("data-entry"): r.text.strip() for r in rows}
    for f in zones:
        text = words[f"zone:{f['properties']['term']}"]
        assert text == f["properties"]["label"] and text, f["properties"]
        assert f["properties"]["term"] not in text and "." not in text.split()[0]
    assert "towns" not in legend_entries(browser)  # the whole front: no town labels
    assert browser.find_elements(By.CSS_SELECTOR, ".town-label") == []
    slide_to(browser, dt.datetime(2026, 8, 29, 13, tzinfo=dt.UTC))
    wait.until(lambda b: len(b.find_elements(By.CSS_SELECTOR, ".incident-marker")) == 1)
    entries = legend_entries(browser)
    assert entries == expected() and "party:RU" not in entries
    scale = browser.find_element(By.CSS_SELECTOR, ".leaflet-control-scale-line").text
    assert scale.endswith(" km") or scale.endswith(" m"), scale
    assert browser.find_elements(By.CSS_SELECTOR, ".leaflet-control-scale-line") != []
    assert "mi" not in browser.find_element(By.CSS_SELECTOR, ".leaflet-control-scale").text
    assert severe(browser) == []


def test_towns_are_labelled_when_zoomed_in(browser: Any, mission: Mission) -> None:
    """Zoomed in on Kramatorsk the gazetteer's towns there are labelled, at most the
    dashboard's limit of them and listed in the legend; zoomed out they go."""
    browser.get(f"{mission.url}/dashboard/")
    wait = waiting(browser)
    wait.until(lambda b: b.execute_script("return document.body.dataset.ready") == "yes")
    browser.execute_script("map.setView([48.73, 37.57], 9)")
    labels = lambda b: [t.text for t in b.find_elements(By.CSS_SELECTOR, ".town-label")]  # noqa: E731
    wait.until(lambda b: "Kramatorsk" in labels(b))
    shown = labels(browser)
    most = browser.execute_script("return MOST_TOWNS")
    bounds = browser.execute_script("return map.getBounds().toBBoxString()")
    served = httpx.get(f"{mission.url}/api/places", params={"bbox": bounds, "limit": 500})
    in_view = [f["properties"]["name"] for f in served.json()["features"]]
    assert len(in_view) > most and len(shown) == most  # the most populous, no more
    assert sorted(shown) == sorted(in_view[:most]) and "Kharkiv" not in shown
    towns = browser.find_element(By.CSS_SELECTOR, '#legend [data-entry="towns"]').text
    assert towns == f"towns: the {most} most populous in view (GeoNames)"
    browser.execute_script("map.setView([48.3, 36.5], 6)")
    wait.until(lambda b: labels(b) == [] and "towns" not in legend_entries(b))
    assert severe(browser) == []


def open_daily(browser: Any) -> tuple[str, str]:
    """Click the daily report button: the address it asked for, and the report's title."""
    browser.get_log("performance")
    button = browser.find_element(By.ID, "daily-button")
    label = button.text
    button.click()
    waiting(browser).until(lambda b: b.find_element(By.ID, "report").is_displayed())
    asked = [r["url"] for r in requests_made(browser) if "/api/reports/daily" in r["url"]]
    browser.switch_to.frame(browser.find_element(By.ID, "report"))
    try:
        title = waiting(browser).until(lambda b: b.execute_script("return document.title"))
    finally:
        browser.switch_to.default_content()
    assert len(asked) == 1
    return label + " " + asked[0], title


@pytest.mark.parametrize(
    ("role", "button", "query", "edition"),
    [
        ("liaison:UA", "UA edition", "&party=UA", "UA edition"),
        ("liaison:RU", "RU edition", "&party=RU", "RU edition"),
        ("analyst", "mission edition", "&edition=mission", None),  # the mission edition's title
        ("observer", "public edition", "", "Public edition"),
        ("public", "public edition", "", "Public edition"),
    ],
)
def test_the_daily_report_button_opens_the_role_s_edition(
    browser: Any, mission: Mission, role: str, button: str, query: str, edition: str | None
) -> None:
    """A liaison reads its party's edition, mission staff the mission-wide one, an
    observer and the public the public one, for the slider's day."""
    if role == "public":
        browser.get(f"{mission.url}/dashboard/")
        browser.execute_script("sessionStorage.clear()")
        browser.get(f"{mission.url}/dashboard/")
        ready(browser)
    else:
        sign_in(browser, mission.url, mission.seeded.tokens[role])
    asked, title = open_daily(browser)
    assert asked.startswith(f"Daily report ({button}) ")
    assert asked.endswith(f"/api/reports/daily?date=2026-09-01{query}")
    if edition is not None:
        assert title.endswith(edition), title
    assert severe(browser) == []

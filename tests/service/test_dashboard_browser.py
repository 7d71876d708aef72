"""The dashboard in headless Chromium, on a hand-made store whose data lies months
before today: signing in and out without the token in any address or log line,
the map on the data's own days, the queue's filters, sort and reasons.

Needs Debian's `chromium` and `chromium-driver` (scripts/browser.sh installs them).
Without them the test skips locally and fails in CI.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from tests.service.conftest import Seeded, seed, serving
from tests.support import missing

from accord.service.app import create_app
from accord.service.settings import ServiceSettings
from accord.store import open_store

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.common.exceptions import (  # noqa: E402
    NoSuchElementException,
    StaleElementReferenceException,
)
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


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


@pytest.fixture(scope="module")
def mission(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mission]:
    """A live server over a hand-made store, its access log (info level) collected."""
    path = tmp_path_factory.mktemp("dashboard") / "accord.db"
    collect = Collect()
    with open_store(f"sqlite:///{path}") as store:
        seeded = seed(store)
        with serving(create_app(ServiceSettings(), store), log_level="info") as url:
            for name in ("uvicorn.access", "uvicorn.error"):
                logging.getLogger(name).addHandler(collect)
            yield Mission(url, seeded, collect)
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
    assert [r["url"] for r in after] == [f"{mission.url}/api/me"]
    assert "Authorization" not in after[0]["headers"]
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


def test_analyst_confirms_an_incident_on_the_map(browser: Any, mission: Mission) -> None:
    sign_in(browser, mission.url, mission.seeded.tokens["analyst"])
    wait = waiting(browser)
    wait.until(lambda b: len(b.find_elements(By.CSS_SELECTOR, ".incident-marker")) >= 1)
    ref = mission.seeded.ua

    def confirm(b: Any) -> bool:
        row = b.find_element(By.ID, f"row-{ref}")
        row.find_element(By.CSS_SELECTOR, "button.action-confirmed").click()
        return True

    wait.until(confirm)
    wait.until(lambda b: "confirmed" in b.find_element(By.ID, f"row-{ref}").text)
    headers = mission.seeded.headers("analyst")
    after = httpx.get(f"{mission.url}/api/incidents/{ref}", headers=headers)
    assert after.json()["state"] == "confirmed"
    assert after.json()["history"][-1]["reason"] == "confirmed by an analyst on the dashboard"
    assert severe(browser) == []


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

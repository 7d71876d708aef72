"""The dashboard in headless Chromium: it loads without console errors, shows the
incidents on the map, and an analyst confirms an incident from the queue.

Needs Debian's `chromium` and `chromium-driver` (scripts/browser.sh installs them).
Without them the test skips locally and fails in CI.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from tests.service.conftest import Live
from tests.support import missing

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
def browser() -> Iterator[object]:
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
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = webdriver.ChromeService(executable_path=driver)
    session = webdriver.Chrome(options=options, service=service)
    yield session
    session.quit()


def test_analyst_confirms_an_incident_on_the_map(browser, live: Live) -> None:  # type: ignore[no-untyped-def]
    token = live.seeded.tokens["analyst"]
    browser.get(f"{live.url}/dashboard/?token={token}")
    # The dashboard redraws its table as it polls: a row found may be gone by the click,
    # so each step finds its element afresh until it holds.
    wait = WebDriverWait(
        browser, 30, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)
    )
    wait.until(lambda b: len(b.find_elements(By.CSS_SELECTOR, ".incident-marker")) >= 1)
    assert browser.find_element(By.ID, "who").text.startswith("analyst")
    ref = live.seeded.ua

    def confirm(b: Any) -> bool:
        row = b.find_element(By.ID, f"row-{ref}")
        row.find_element(By.CSS_SELECTOR, "button.action-confirmed").click()
        return True

    wait.until(confirm)
    wait.until(lambda b: "confirmed" in b.find_element(By.ID, f"row-{ref}").text)
    after = httpx.get(f"{live.url}/api/incidents/{ref}", headers=live.seeded.headers("analyst"))
    assert after.json()["state"] == "confirmed"
    assert after.json()["history"][-1]["reason"] == "confirmed by an analyst on the dashboard"
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []


def test_public_view_asks_only_for_what_the_public_may_see(browser, live: Live) -> None:  # type: ignore[no-untyped-def]
    """Signed out, the dashboard shows the zones and asks for nothing it would be refused:
    no 401 in the console."""
    browser.get(f"{live.url}/dashboard/")
    browser.execute_script("sessionStorage.clear()")
    browser.get_log("browser")  # what earlier pages logged
    browser.get(f"{live.url}/dashboard/")
    wait = WebDriverWait(browser, 30)
    wait.until(lambda b: b.find_element(By.ID, "who").text == "public")
    status = "sign in to see incidents"
    wait.until(lambda b: b.find_element(By.ID, "queue-status").text == status)
    wait.until(lambda b: len(b.find_elements(By.CSS_SELECTOR, "path.leaflet-interactive")) > 0)
    assert browser.find_elements(By.CSS_SELECTOR, ".incident-marker") == []
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []

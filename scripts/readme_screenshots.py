"""The README's screenshots of the dashboard and the daily report, taken the same
way every time.

    bash scripts/main.sh --quiet          # the main job's week, into accord-output/
    source scripts/browser.sh             # headless Chromium and its driver
    .venv/bin/python scripts/readme_screenshots.py [--store accord-output/mission.db]

It copies the store (so the analyst token it makes never enters the real one),
serves the copy with `accord serve`, signs in as an analyst in headless Chromium
at a fixed window size, and writes docs/images/dashboard.png (the map with its
legend and scale, the incident queue) and docs/images/dashboard-towns.png (the
map zoomed in on the line, the towns labelled). Then it asks the server for
the mission's edition of the daily report of the data's third day and writes
its first two screens as docs/images/daily-report-page-1.png and -2.png. The
tests do not run it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from accord.service.auth import Role, create_token
from accord.store import open_store

WINDOW = (1400, 900)  # CSS pixels, device scale 1: the PNGs' size
TOWNS_VIEW = ((48.55, 37.75), 9)  # centre (lat, lon) and zoom: the line east of Kramatorsk
WAIT_S = 120.0  # the first /api/zones builds the zones, which takes a while


def copy_store(source: Path, folder: Path) -> str:
    """An SQLite copy of the store (the online backup, so a WAL is included)."""
    if not source.is_file():
        sys.exit(f"{source}: no such store; run `bash scripts/main.sh --quiet` first")
    target = folder / "mission.db"
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return f"sqlite:///{target}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def serve(url: str, port: int) -> subprocess.Popen[bytes]:
    """`accord serve` on the copy, once it answers."""
    accord = shutil.which("accord", path=str(Path(sys.executable).parent)) or "accord"
    server = subprocess.Popen(
        [accord, "serve", "--host", "127.0.0.1", "--port", str(port), "--database", url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"accord serve stopped (exit {server.returncode})")
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/span", timeout=2).raise_for_status()
            return server
        except httpx.HTTPError:
            time.sleep(0.5)
    server.terminate()
    sys.exit(f"accord serve did not answer within {WAIT_S:.0f} s")


def browser(window: tuple[int, int] = WINDOW) -> Any:
    chromium = os.environ.get("ACCORD_CHROMIUM") or shutil.which("chromium")
    driver = os.environ.get("ACCORD_CHROMEDRIVER") or shutil.which("chromedriver")
    if not (chromium and driver):
        sys.exit("chromium and chromedriver are missing; source scripts/browser.sh")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"):
        options.add_argument(flag)
    options.add_argument(f"--window-size={window[0]},{window[1]}")
    options.add_argument("--force-device-scale-factor=1")
    return webdriver.Chrome(options=options, service=webdriver.ChromeService(driver))


def until(session: Any, script: str) -> None:
    WebDriverWait(session, WAIT_S).until(lambda s: s.execute_script(script))


def shoot(base: str, token: str, out: Path) -> None:
    session = browser()
    try:
        session.get(f"{base}/dashboard/")
        session.find_element(By.ID, "token").send_keys(token)
        session.find_element(By.CSS_SELECTOR, "#login button").click()
        until(session, "return document.body.dataset.ready === 'yes'")
        until(session, "return document.querySelector('#legend [data-entry^=\"zone:\"]')")
        session.save_screenshot(str(out / "dashboard.png"))
        (lat, lon), zoom = TOWNS_VIEW
        session.execute_script(
            "map.setView([arguments[0], arguments[1]], arguments[2])", lat, lon, zoom
        )
        until(session, "return document.querySelector('#legend [data-entry=\"towns\"]')")
        session.save_screenshot(str(out / "dashboard-towns.png"))
    finally:
        session.quit()


REPORT_WINDOW = (1000, 1300)  # about an A4 page at the report's print width


def shoot_report(base: str, token: str, out: Path) -> str:
    """The mission edition of the daily report of the data's third day, two screens."""
    headers = {"Authorization": f"Bearer {token}"}
    span = httpx.get(f"{base}/api/span", headers=headers, timeout=WAIT_S).json()
    if span["first_day"] is None:
        sys.exit("the store holds no incidents to report on")
    day = (dt.date.fromisoformat(span["first_day"]) + dt.timedelta(days=2)).isoformat()
    query = {"date": day, "edition": "mission"}
    answer = httpx.get(f"{base}/api/reports/daily", params=query, headers=headers, timeout=WAIT_S)
    answer.raise_for_status()
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "daily.html"
        page.write_text(answer.text, encoding="utf-8")
        session = browser(REPORT_WINDOW)
        try:
            session.get(page.as_uri())
            session.save_screenshot(str(out / "daily-report-page-1.png"))
            session.execute_script("window.scrollTo(0, arguments[0])", REPORT_WINDOW[1])
            session.save_screenshot(str(out / "daily-report-page-2.png"))
        finally:
            session.quit()
    return day


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, default=Path("accord-output/mission.db"))
    parser.add_argument("--out", type=Path, default=Path("docs/images"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        url = copy_store(args.store, Path(folder))
        with open_store(url) as store:
            token = create_token(store, Role.analyst, name="screenshots")[1]
        port = free_port()
        server = serve(url, port)
        try:
            shoot(f"http://127.0.0.1:{port}", token, args.out)
            day = shoot_report(f"http://127.0.0.1:{port}", token, args.out)
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"wrote the dashboard and the daily report of {day} to {args.out}")


if __name__ == "__main__":
    main()

#!/usr/bin/env bash
# The whole test suite: lint, types, tests. Installs what it needs itself.
set -euo pipefail
source "$(dirname "$0")/_venv.sh" test,scale
cd "$ROOT"
echo "== services (PostgreSQL, Mosquitto)"
source "$ROOT/scripts/services.sh"
echo "== browser (Chromium, ChromeDriver) and PDF libraries"
source "$ROOT/scripts/browser.sh"
echo "== GDAL (ogr2ogr, ogrinfo) for the OGC API tests"; source "$ROOT/scripts/gdal.sh"
echo "== ruff"
ruff check src tests benchmarks
ruff format --check src tests benchmarks
echo "== mypy"
mypy
echo "== pytest"
# pytest exits 5 when it collects nothing; that is a failure here too.
# One worker per core (ACCORD_TEST_WORKERS=0 runs in this process); work-stealing
# keeps both busy when a few long end-to-end tests land on one worker.
exec python -m pytest -n "${ACCORD_TEST_WORKERS:-auto}" --dist worksteal --durations=25 "$@"

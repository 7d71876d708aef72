#!/usr/bin/env bash
# The whole test suite: lint, types, tests. Installs what it needs itself.
set -euo pipefail
source "$(dirname "$0")/_venv.sh" test
cd "$ROOT"
echo "== ruff"
ruff check .
ruff format --check .
echo "== mypy"
mypy
echo "== pytest"
# pytest exits 5 when it collects nothing; that is a failure here too.
exec python -m pytest "$@"

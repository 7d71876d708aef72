#!/usr/bin/env bash
# The main job on the embedded default: shipped plans and data, SQLite, no network.
set -euo pipefail
source "$(dirname "$0")/_venv.sh" ""
cd "$ROOT"
exec accord run "$@"

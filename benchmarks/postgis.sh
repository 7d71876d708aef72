#!/usr/bin/env bash
# PostGIS for the zone-classification benchmark (benchmarks/bench_classify.py).
#
#   source benchmarks/postgis.sh   # exports ACCORD_BENCH_POSTGIS_URL
#   bash benchmarks/postgis.sh     # prints the export line instead
#
# Starts the local PostgreSQL cluster through scripts/services.sh, installs the
# Debian PostGIS package matching its major version (postgresql-<N>-postgis-3)
# when missing, and enables the `postgis` extension in a dedicated database
# (ACCORD_BENCH_DB, default accord_bench) owned by the `accord` role. Needs root
# the first time (apt-get, CREATE EXTENSION as the postgres superuser); a second
# call only checks and prints the URL. Listens on 127.0.0.1 only.
#
# Settings (environment): ACCORD_PG_PORT (55432), ACCORD_BENCH_DB (accord_bench).

_accord_postgis() {
  local here port db user="accord" password="accord"
  here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  port="${ACCORD_PG_PORT:-55432}"
  db="${ACCORD_BENCH_DB:-accord_bench}"

  _pgs_say() { echo "postgis: $*" >&2; }
  _pgs_psql() { runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$port" "$@"; }

  # shellcheck source=../scripts/services.sh
  source "$here/../scripts/services.sh" >/dev/null || return 1
  if [ -z "${ACCORD_TEST_POSTGRES_URL:-}" ]; then
    _pgs_say "PostgreSQL is not running"
    return 1
  fi

  local version
  version=$(pg_lsclusters -h 2>/dev/null | awk -v p="$port" '$3 == p {print $1}' | head -n 1)
  if [ -z "$version" ]; then
    _pgs_say "no PostgreSQL cluster on port $port"
    return 1
  fi

  local pkg="postgresql-$version-postgis-3"
  if [ ! -e "/usr/share/postgresql/$version/extension/postgis.control" ]; then
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
      _pgs_say "missing $pkg; run as root on Debian or install it yourself"
      return 1
    fi
    _pgs_say "installing $pkg (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    local policy
    policy=$(apt-cache policy "$pkg")
    if [[ "$policy" != *"Candidate: "[0-9]* ]]; then
      _pgs_say "no Debian package $pkg"
      return 1
    fi
    apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null || return 1
  fi

  local exists
  exists=$(_pgs_psql -tAc "select 1 from pg_database where datname = '$db'") || return 1
  if [ "$exists" != 1 ]; then
    _pgs_say "creating database $db"
    _pgs_psql -c "create database $db owner $user" || return 1
  fi
  _pgs_psql -d "$db" \
    -c "set client_min_messages = warning" -c "create extension if not exists postgis" || return 1

  export ACCORD_BENCH_POSTGIS_URL="postgresql://$user:$password@127.0.0.1:$port/$db"
  echo "export ACCORD_BENCH_POSTGIS_URL=$ACCORD_BENCH_POSTGIS_URL"
}

if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
  # Sourced: a failure is only a warning; the benchmark then skips PostGIS.
  _accord_postgis >/dev/null || echo "postgis: not available; the benchmark will skip it" >&2
  unset -f _accord_postgis _pgs_say _pgs_psql
else
  set -euo pipefail
  _accord_postgis
fi

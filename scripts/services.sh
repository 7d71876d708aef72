#!/usr/bin/env bash
# Local PostgreSQL and Mosquitto (MQTT broker) for the test suite and demos.
#
#   source scripts/services.sh   # exports ACCORD_TEST_POSTGRES_URL and ACCORD_TEST_MQTT_URL
#   bash scripts/services.sh     # prints the export lines instead
#
# Installs the Debian packages `postgresql` and `mosquitto` when missing, then
# starts a dedicated PostgreSQL cluster and a broker, both listening on
# 127.0.0.1 only. Needs root (or the packages already installed and the
# services already running). Does nothing but print the URLs when both are up,
# so a second call returns at once. No systemd needed: pg_ctlcluster and
# `mosquitto -d` start the daemons directly.
#
# Settings (environment): ACCORD_PG_PORT (55432), ACCORD_MQTT_PORT (51883),
# ACCORD_SERVICES_DIR (/var/tmp/accord-services: broker config, data, logs).
# Stop them: pg_ctlcluster <version> accord stop; kill "$(cat $ACCORD_SERVICES_DIR/mosquitto/mosquitto.pid)".

_accord_services() {
  local pg_port="${ACCORD_PG_PORT:-55432}"
  local mqtt_port="${ACCORD_MQTT_PORT:-51883}"
  local dir="${ACCORD_SERVICES_DIR:-/var/tmp/accord-services}"
  local cluster="accord"
  local user="accord" password="accord" database="accord"

  _say() { echo "services: $*" >&2; }
  _port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
  _as_postgres() { runuser -u postgres -- "$@"; }

  local need=()
  compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null || need+=(postgresql)
  command -v mosquitto >/dev/null || need+=(mosquitto)
  if [ "${#need[@]}" -gt 0 ]; then
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
      _say "missing ${need[*]}; run as root on Debian or install them yourself"
      return 1
    fi
    _say "installing ${need[*]} (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null || return 1
  fi

  if ! _port_open "$pg_port"; then
    local version
    version=$(basename "$(dirname "$(dirname "$(ls -d /usr/lib/postgresql/*/bin/pg_ctl \
      | sort -V | tail -n 1)")")")
    if ! pg_lsclusters -h 2>/dev/null | awk '{print $1, $2}' | grep -qx "$version $cluster"; then
      _say "creating PostgreSQL $version cluster '$cluster' on port $pg_port"
      pg_createcluster -p "$pg_port" "$version" "$cluster" >/dev/null || return 1
    fi
    pg_ctlcluster "$version" "$cluster" start || return 1
    local i
    for i in $(seq 1 50); do
      _port_open "$pg_port" && break
      sleep 0.2
    done
    if ! _as_postgres psql -p "$pg_port" -tAc "select 1 from pg_roles where rolname = '$user'" \
      | grep -q 1; then
      _as_postgres psql -q -p "$pg_port" \
        -c "create role $user login createdb password '$password'" || return 1
      _as_postgres psql -q -p "$pg_port" -c "create database $database owner $user" || return 1
    fi
  fi

  if ! _port_open "$mqtt_port"; then
    mkdir -p "$dir/mosquitto"
    chmod 0777 "$dir/mosquitto"
    cat >"$dir/mosquitto.conf" <<EOF
listener $mqtt_port 127.0.0.1
allow_anonymous true
persistence true
persistence_location $dir/mosquitto/
max_inflight_messages 1000
max_queued_messages 1000000
log_dest file $dir/mosquitto/mosquitto.log
pid_file $dir/mosquitto/mosquitto.pid
EOF
    _say "starting mosquitto on port $mqtt_port"
    mosquitto -d -c "$dir/mosquitto.conf" || return 1
    local j
    for j in $(seq 1 50); do
      _port_open "$mqtt_port" && break
      sleep 0.1
    done
  fi

  export ACCORD_TEST_POSTGRES_URL="postgresql+psycopg://$user:$password@127.0.0.1:$pg_port/$database"
  export ACCORD_TEST_MQTT_URL="mqtt://127.0.0.1:$mqtt_port"
  echo "export ACCORD_TEST_POSTGRES_URL=$ACCORD_TEST_POSTGRES_URL"
  echo "export ACCORD_TEST_MQTT_URL=$ACCORD_TEST_MQTT_URL"
}

if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
  # Sourced: a failure is fatal in CI (tests must not run without the services)
  # and only a warning elsewhere (the tests that need them skip).
  if ! _accord_services; then
    echo "services: could not start PostgreSQL and Mosquitto" >&2
    unset -f _accord_services _say _port_open _as_postgres
    if [ -n "${CI:-}" ]; then return 1; fi
  fi
  unset -f _accord_services _say _port_open _as_postgres
else
  set -euo pipefail
  _accord_services
fi

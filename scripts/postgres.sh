#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 on 127.0.0.1 for the test suite, installing it from Debian when missing,
# and prints the connection URL. Usage: eval "$(bash scripts/postgres.sh)"  (exports AQYL_TEST_POSTGRES_URL).
set -euo pipefail
PORT=${AQYL_PG_PORT:-55432}
DATA=${AQYL_PG_DATA:-/tmp/aqyl-pg-$PORT}
URL="postgres://aqyl:aqyl@127.0.0.1:$PORT/aqyl_test"
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

log() { echo "postgres.sh: $*" >&2; }

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  log "installing postgresql-15 from Debian"
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql-15 >&2
fi
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)

# PostgreSQL refuses to run as root: run it as the 'postgres' user Debian's package creates.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT"; then
  log "already running on port $PORT"
else
  if [ ! -f "$DATA/PG_VERSION" ]; then
    rm -rf "$DATA"; mkdir -p "$DATA"
    [ "$(id -u)" = 0 ] && chown postgres "$DATA"
    pw=$(mktemp); echo aqyl > "$pw"; chmod 644 "$pw"
    as_pg "$BIN/initdb" -D "$DATA" -U aqyl --pwfile="$pw" --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >&2 \
      || as_pg "$BIN/initdb" -D "$DATA" -U aqyl --pwfile="$pw" --auth=scram-sha-256 -E UTF8 --locale=C >&2
    rm -f "$pw"
  fi
  as_pg "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -o "-p $PORT -h 127.0.0.1 -k /tmp -c fsync=off" start >&2
fi
if ! PGPASSWORD=aqyl "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U aqyl -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='aqyl_test'" | grep -q 1; then
  PGPASSWORD=aqyl "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U aqyl -d postgres -qc "CREATE DATABASE aqyl_test" >&2
fi
echo "export AQYL_TEST_POSTGRES_URL=$URL"

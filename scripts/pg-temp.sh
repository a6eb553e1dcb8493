#!/usr/bin/env bash
# Start a throwaway PostgreSQL server (Debian's packages) for tests: scripts/pg-temp.sh DIR PORT
# Prints the SQLAlchemy URL of an empty database `coachline_test`. Stop it with: pg_ctl -D DIR/data stop
set -euo pipefail
dir=${1:?usage: pg-temp.sh DIR PORT}
port=${2:-55432}
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
export PGOPTIONS="-c client_min_messages=warning"
run() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
mkdir -p "$dir"
[ "$(id -u)" = 0 ] && chown postgres "$dir"
if [ ! -f "$dir/data/PG_VERSION" ]; then
  run "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 >/dev/null
fi
run "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" -w start >/dev/null
run "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -qAtc "DROP DATABASE IF EXISTS coachline_test" >/dev/null
run "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -qAtc "CREATE DATABASE coachline_test" >/dev/null
echo "postgresql+psycopg://postgres@127.0.0.1:$port/coachline_test"

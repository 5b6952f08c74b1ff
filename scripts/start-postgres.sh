#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster (Debian's postgresql package) in a temporary folder on a free loopback port,
# for the prediction-log tests. Prints two lines that can be eval'ed:
#   export LEADPREDICT_TEST_POSTGRES='Host=127.0.0.1;Port=...;Username=postgres;Database=postgres'
#   export LEADPREDICT_TEST_POSTGRES_DIR=/tmp/leadpredict-pg.XXXX
# Stop it (and delete the folder) with:  bash scripts/start-postgres.sh stop "$LEADPREDICT_TEST_POSTGRES_DIR"
# Runs the server as the 'postgres' OS user when started as root (PostgreSQL refuses to run as root).
set -euo pipefail

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "start-postgres: PostgreSQL is not installed (apt-get install postgresql)" >&2
  exit 2
fi

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ "${1:-}" = "stop" ]; then
  dir=${2:?usage: start-postgres.sh stop DIR}
  case "$dir" in /tmp/leadpredict-pg.*) ;; *) echo "start-postgres: refusing to stop $dir" >&2; exit 2 ;; esac
  as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  exit 0
fi

dir=$(mktemp -d /tmp/leadpredict-pg.XXXXXX)
chmod 755 "$dir"
[ "$(id -u)" -eq 0 ] && chown postgres "$dir"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
       || echo $((20000 + RANDOM % 40000)))
if ! as_pg "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1; then
  echo "start-postgres: initdb failed:" >&2; cat "$dir/initdb.log" >&2; rm -rf "$dir"; exit 1
fi
if ! as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
     -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null; then
  echo "start-postgres: the server did not start:" >&2; cat "$dir/server.log" >&2; rm -rf "$dir"; exit 1
fi
echo "export LEADPREDICT_TEST_POSTGRES='Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres;Pooling=true'"
echo "export LEADPREDICT_TEST_POSTGRES_DIR=$dir"

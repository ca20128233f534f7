#!/usr/bin/env bash
# A throwaway PostgreSQL server from Debian's package, for the integration tests of .ci/run.
#   .ci/postgres.sh start   installs postgresql if needed, starts a server on a free local port
#                           as the unprivileged user "postgres", prints its connection URL
#   .ci/postgres.sh stop    stops it and removes its folder
set -euo pipefail
STATE=${WORKBENCH_PG_DIR:-/tmp/workbench-ci-postgres}
bin_dir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "${1:-}" in
  start)
    if [ -z "$(bin_dir)" ]; then
      echo "installing Debian's postgresql for the integration tests" >&2
      apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null
    fi
    BIN=$(bin_dir)
    rm -rf "$STATE" && mkdir -p "$STATE/socket"
    [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$STATE"
    PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
    as_postgres "$BIN/initdb" -D "$STATE/data" -U postgres -A trust -E UTF8 --no-locale --no-sync >"$STATE/initdb.log" 2>&1 \
      || { cat "$STATE/initdb.log" >&2; exit 1; }
    as_postgres "$BIN/pg_ctl" -D "$STATE/data" -l "$STATE/server.log" -w -t 60 \
      -o "-p $PORT -k $STATE/socket -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null \
      || { cat "$STATE/server.log" >&2; exit 1; }
    echo "$PORT" >"$STATE/port"
    echo "postgresql://postgres@127.0.0.1:$PORT/postgres"
    ;;
  stop)
    BIN=$(bin_dir)
    if [ -n "$BIN" ] && [ -d "$STATE/data" ]; then as_postgres "$BIN/pg_ctl" -D "$STATE/data" -m fast -w stop >/dev/null 2>&1 || true; fi
    rm -rf "$STATE"
    ;;
  *)
    echo "usage: .ci/postgres.sh start|stop" >&2
    exit 2
    ;;
esac

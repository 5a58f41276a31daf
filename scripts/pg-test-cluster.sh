#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests and benchmarks, run as an unprivileged user.
#
#   scripts/pg-test-cluster.sh start DIR [--fast]   # prints the server's SQLAlchemy URL
#   scripts/pg-test-cluster.sh stop DIR              # stops it (nothing to do if it is down)
#
# DIR is created (it must not hold a cluster already) and holds data/, the socket and
# server.log; remove it after `stop`. The server listens on 127.0.0.1 on a free port only,
# with a random password (scram-sha-256), with the settings the deployment guide recommends
# (see `options` below); `--fast` turns fsync off (tests: nothing here has
# to survive a machine crash; benchmarks keep the defaults). Run as root, the server runs as
# PG_TEST_USER (default: the `postgres` account the Debian packages create), since PostgreSQL
# refuses to run as root. The binaries are taken from PG_BIN, else the newest
# /usr/lib/postgresql/*/bin, else PATH. PostGIS: apt-get install postgresql-15-postgis-3.
set -euo pipefail

usage() {
  echo "usage: $0 start DIR [--fast] | stop DIR" >&2
  exit 64
}

[[ $# -ge 2 ]] || usage
command=$1
dir=$2
fast=${3:-}

if [[ -z "${PG_BIN:-}" ]]; then
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [[ -z "$PG_BIN" ]]; then
    PG_BIN=$(dirname "$(command -v initdb || echo /nonexistent/initdb)")
  fi
fi
[[ -x "$PG_BIN/initdb" && -x "$PG_BIN/pg_ctl" ]] || {
  echo "PostgreSQL introuvable (initdb, pg_ctl) : apt-get install postgresql" >&2
  exit 69
}

as_server_user() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u "${PG_TEST_USER:-postgres}" -- "$@"
  else
    "$@"
  fi
}

case "$command" in
  start)
    [[ ! -e "$dir/data" ]] || {
      echo "$dir/data existe déjà : arrêtez ce cluster (stop) et videz le dossier" >&2
      exit 73
    }
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    chmod 711 "$dir"
    mkdir -p "$dir/run"
    password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
    umask 077
    printf '%s\n' "$password" >"$dir/run/password"
    if [[ $(id -u) -eq 0 ]]; then
      chown -R "${PG_TEST_USER:-postgres}" "$dir/run" "$dir/run/password"
      as_server_user test -w "$dir/run" || {
        echo "$dir n'est pas accessible à ${PG_TEST_USER:-postgres} : choisissez un dossier dont les parents lui sont ouverts (chmod o+x)" >&2
        exit 77
      }
      mkdir -m 700 "$dir/data"
      chown "${PG_TEST_USER:-postgres}" "$dir/data"
    fi
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_server_user "$PG_BIN/initdb" -D "$dir/data" -U geo --pwfile="$dir/run/password" \
      --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 --no-sync \
      >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 70; }
    # The settings README "Deploying" recommends for many small queries from several app
    # processes: memory for the store's working set, the planner told storage is fast, no
    # parallel workers (they cost more than they give when every core already serves a query).
    options="-p $port -k $dir/run -c listen_addresses=127.0.0.1 -c max_connections=200"
    options="$options -c shared_buffers=256MB -c random_page_cost=1.1"
    options="$options -c max_parallel_workers_per_gather=0"
    if [[ "$fast" == "--fast" ]]; then
      options="$options -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    fi
    as_server_user "$PG_BIN/pg_ctl" -D "$dir/data" -o "$options" -l "$dir/run/server.log" -w -t 60 \
      start >/dev/null || { cat "$dir/run/server.log" >&2; exit 70; }
    echo "$port" >"$dir/port"
    echo "postgresql+psycopg://geo:$password@127.0.0.1:$port/postgres"
    ;;
  stop)
    if [[ -f "$dir/data/postmaster.pid" ]]; then
      as_server_user "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w -t 60 stop >/dev/null \
        || true
    fi
    ;;
  *)
    usage
    ;;
esac

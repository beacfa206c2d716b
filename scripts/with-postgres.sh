#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL server on loopback, then removes it.
#   scripts/with-postgres.sh npm run test:integration
# The command sees SWIFTCLOUD_TEST_DATABASE_URL (and DATABASE_URL) naming the server.
# Needs Debian's postgresql package. PostgreSQL refuses to run as root, so as root the
# server runs as the postgres user.
set -euo pipefail

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bindir" ]; then
  echo "with-postgres: PostgreSQL is not installed (apt-get install postgresql)" >&2
  exit 1
fi
port=${SWIFTCLOUD_PG_PORT:-54329}
dir=$(mktemp -d /tmp/swiftcloud-pg.XXXXXX)
as_owner=()
if [ "$(id -u)" = 0 ]; then
  chown postgres:postgres "$dir"
  as_owner=(runuser -u postgres --)
fi

cleanup() {
  "${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

"${as_owner[@]}" "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
"${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-h 127.0.0.1 -p $port -k $dir -c max_connections=300 -c fsync=off" start >/dev/null \
  || { cat "$dir/server.log" >&2; exit 1; }

export SWIFTCLOUD_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
export DATABASE_URL="$SWIFTCLOUD_TEST_DATABASE_URL"
echo "with-postgres: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
"$@"

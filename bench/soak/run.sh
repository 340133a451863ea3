#!/usr/bin/env bash
# `make soak`: Drey under faults, on loopback, with a release build. About 15-18 minutes:
#   kill -9 during comment load (SQLite, then PostgreSQL), slow and hostile clients (both), then the soak
#   (SOAK_MINUTES, default 10) on two blogs sending each other Webmentions (A on SQLite, B on PostgreSQL).
# Prints the figures; exits non-zero only when a check fails. SOAK_ONLY="kill9 hostile mixed" picks parts.
set -euo pipefail
cd "$(dirname "$0")/../.."
export SOAK_MINUTES=${SOAK_MINUTES:-10}
PARTS=${SOAK_ONLY:-"kill9 hostile mixed"}

# A separate build folder, as bench/run.sh: never waits on (or disturbs) the debug build.
echo "building release (swift build -c release --scratch-path .build-release)…"
build_log=$(mktemp /tmp/drey-soak-build.XXXXXX)
if ! swift build -c release --scratch-path .build-release >"$build_log" 2>&1; then
  grep -E "error" "$build_log" | head -20 >&2; rm -f "$build_log"; exit 1
fi
rm -f "$build_log"
export DREY=$PWD/.build-release/release/drey
[[ -x "$DREY" ]] || { echo "no release binary at $DREY" >&2; exit 1; }
export DREY_THEMES_DIR=${DREY_THEMES_DIR:-$PWD/Themes}

source scripts/pg-throwaway.sh
pg_throwaway_start
trap pg_throwaway_stop EXIT
export SOAK_PG_URL=$DREY_TEST_POSTGRES_URL SOAK_PSQL=$PG_BIN/psql

echo "Drey soak $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
status=0
for part in $PARTS; do
  case $part in
    kill9|hostile)
      for db in sqlite postgres; do python3 "bench/soak/$part.py" "$db" || status=1; done ;;
    mixed)
      python3 bench/soak/mixed.py || status=1 ;;
    *) echo "unknown part $part (kill9, hostile, mixed)" >&2; exit 2 ;;
  esac
done
[[ $status -eq 0 ]] && echo "soak: every check passed" || echo "soak: some checks FAILED (see FAIL lines above)"
exit $status

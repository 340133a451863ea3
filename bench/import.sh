#!/usr/bin/env bash
# Import benchmark: a generated WXR of 10,000 posts and 100,000 threaded comments (bench/wxr-gen),
# imported by a release build into an empty blog on SQLite and on a throwaway PostgreSQL (which,
# like the test cluster, runs with fsync off: its figure is an upper bound on speed).
# Prints wall time and peak memory against the targets (< 30 s, < 250 MB on SQLite), and the
# time Python's expat takes merely to read the same file, as a peer measured in the same run.
#
#   bash bench/import.sh            # POSTS=… COMMENTS=… to change the size
set -euo pipefail
cd "$(dirname "$0")/.."
POSTS=${POSTS:-10000}
COMMENTS=${COMMENTS:-100000}
mkdir -p bench/results
FILE=bench/results/wxr-${POSTS}-${COMMENTS}.xml
if [[ ! -s $FILE ]]; then
  echo "generating $FILE" >&2
  python3 bench/wxr-gen "$FILE" --posts "$POSTS" --comments "$COMMENTS"
fi
swift build -c release --scratch-path .build-release --product drey >&2
BIN=.build-release/release/drey
SIZE_MB=$(( $(stat -c %s "$FILE") / 1048576 ))

measure() {  # label, then environment assignments for the import
  local label=$1; shift
  local dir; dir=$(mktemp -d /tmp/drey-bench.XXXXXX)
  /usr/bin/time -f "%e %M" -o "$dir/time" env "$@" "$BIN" import wordpress "$FILE" --data "$dir/data" >"$dir/summary"
  local secs kb
  read -r secs kb <"$dir/time"
  local mb=$(( kb / 1024 ))
  printf '%-10s %7.1f s  (target 30 s: %4.2fx)   peak RSS %4d MB  (target 250 MB: %4.2fx)\n' \
    "$label" "$secs" "$(python3 -c "print($secs / 30)")" "$mb" "$(python3 -c "print($mb / 250)")"
  grep -E "^(posts|comments)" "$dir/summary" | sed 's/^/           /'
  rm -rf "$dir"
}

expat_secs=$(python3 - "$FILE" <<'PY'
import sys, time, xml.parsers.expat
p = xml.parsers.expat.ParserCreate(namespace_separator=" ")
p.StartElementHandler = lambda n, a: None
p.CharacterDataHandler = lambda d: None
start = time.time()
with open(sys.argv[1], "rb") as f:
    p.ParseFile(f)
print("%.1f" % (time.time() - start))
PY
)

echo "import of $FILE ($SIZE_MB MB: $POSTS posts, $COMMENTS comments), $(nproc) cores"
printf '%-10s %7.1f s  (reading the XML alone, no database)\n' "expat" "$expat_secs"
measure sqlite
# shellcheck source=../scripts/pg-throwaway.sh
source scripts/pg-throwaway.sh
pg_throwaway_start
trap pg_throwaway_stop EXIT
"$PG_BIN/psql" "$DREY_TEST_POSTGRES_URL" -q -c "CREATE DATABASE drey_bench"
measure postgres "DATABASE_URL=${DREY_TEST_POSTGRES_URL%/postgres}/drey_bench"

#!/usr/bin/env bash
# Runs the browser tests N times in a row (default 20) against the debug build, stopping at the first failing run,
# to show they are not flaky. Prints how many runs passed.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
python=$(bash scripts/python-env.sh)
# The same build `make test` makes (tests included), so neither rebuilds the other's modules.
swift build --build-tests
mkdir -p test-artifacts
for ((i = 1; i <= runs; i++)); do
  if ! "$python" -m pytest -q -p no:cacheprovider Tests/browser; then
    echo "browser tests: run $i of $runs FAILED ($((i - 1)) passed before it)" >&2
    exit 1
  fi
  echo "browser tests: run $i of $runs passed" >&2
done
echo "browser tests passed $runs runs in a row"

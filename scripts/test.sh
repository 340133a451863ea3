#!/usr/bin/env bash
# The whole test suite: starts a throwaway PostgreSQL cluster unless DREY_TEST_POSTGRES_URL is given,
# then runs every Swift test (SQLite and PostgreSQL alike; the Swift tests call the Python clients).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --test

if [[ -z "${DREY_TEST_POSTGRES_URL:-}" ]]; then
  source scripts/pg-throwaway.sh
  pg_throwaway_start
  trap pg_throwaway_stop EXIT
fi
export DREY_TEST_POSTGRES_URL
export DREY_SHARED_DIR="${DREY_SHARED_DIR:-$(cd .. && pwd)/shared}"
mkdir -p test-artifacts

swift build --build-tests
swift test --skip-build "$@"
# The admin in a real browser: headless Chromium through Selenium, against a real `drey serve`.
python3 -m pytest -q Tests/browser

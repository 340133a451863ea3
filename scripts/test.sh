#!/usr/bin/env bash
# The whole test suite: starts a throwaway PostgreSQL cluster unless DREY_TEST_POSTGRES_URL is given,
# then runs every Swift test (SQLite and PostgreSQL alike; the Swift tests call the Python clients) and the browser
# tests. Both parts run even when the first fails; the script fails when either does.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --test
DREY_TEST_PYTHON=$(bash scripts/python-env.sh)
export DREY_TEST_PYTHON
# The fediverse peers (bovine, fediverse-pasture, http-message-signatures) in their own two environments.
DREY_FEDI_ENV=$(bash scripts/fediverse-env.sh)
export DREY_FEDI_ENV

if [[ -z "${DREY_TEST_POSTGRES_URL:-}" ]]; then
  source scripts/pg-throwaway.sh
  pg_throwaway_start
  trap pg_throwaway_stop EXIT
fi
export DREY_TEST_POSTGRES_URL
# libvips writes VIPSHOME into the environment when it starts unless it is set; in the test process that write races
# with the threads that start processes (Foundation copies the environment) and can crash it. Set it beforehand.
export VIPSHOME="${VIPSHOME:-$(pkg-config --variable=prefix vips 2>/dev/null || echo /usr)}"
export DREY_SHARED_DIR="${DREY_SHARED_DIR:-$(cd .. && pwd)/shared}"
mkdir -p test-artifacts

failed=()
# The code's format (.swift-format): `swift format format -i -r Sources Tests Package.swift` fixes what this finds.
swift format lint --strict --recursive Sources Tests Package.swift || failed+=("swift-format")
swift build --build-tests
# The tests that run libvips inside the test process run in a process of their own: with libvips' threads in the
# process that starts hundreds of child processes, Foundation's Process.run crashed now and then (cause not found
# yet: see the closing note of 2026-12-05). Every test runs, in one process or the other.
images='DreyImagesTests|MediaLibraryTests|MediaServerTests|MediaCLITests|MediaUploadTests|MultipartUploadTests|ReaderPictureTests'
# A test process that crashes (not a test that fails) is run again once, saying so loudly: Foundation's Process.run
# has crashed in it now and then while hundreds of child processes start (see the closing note of 2026-12-05).
swift_tests() {
  local log
  log=$(mktemp)
  swift test --skip-build "$@" 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]}
  if ((status != 0)) && grep -q "exited with unexpected signal" "$log"; then
    echo "WARNING: the Swift test process crashed (not a failing test); running the same tests once more" >&2
    # The servers the crashed process started outlive it, each with its workers: a hundred of them slowed the run
    # after a crash enough to fail a test. They are the ones serving a test's data folder.
    local tmp=${TMPDIR:-/tmp}
    pkill -f -- "--data ${tmp%/}/drey-test-" || true
    swift test --skip-build "$@"
    status=$?
  fi
  rm -f "$log"
  return "$status"
}
if (($#)); then
  swift_tests "$@" || failed+=("Swift tests")
else
  swift_tests --skip "$images" || failed+=("Swift tests")
  swift_tests --filter "$images" || failed+=("Swift tests (images)")
fi
# The admin and the public pages in a real browser: headless Chromium through Selenium, against a real `drey serve`.
"$DREY_TEST_PYTHON" -m pytest -q Tests/browser || failed+=("browser tests")
if ((${#failed[@]})); then
  echo "FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "all tests passed"

#!/usr/bin/env bash
# Makes .venv-test, a virtual environment with the Python test clients of Tests/python/requirements.txt, when it is
# missing or out of date, and prints the path of its python. Debian's own Python refuses `pip install`
# (externally-managed-environment), and the system's packages are not ours to change. Any failure stops here, loudly.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv-test
requirements=Tests/python/requirements.txt
stamp=$venv/.requirements
if [[ ! -x $venv/bin/python ]]; then
  echo "making the Python test environment in $venv" >&2
  python3 -m venv "$venv" >&2
fi
if ! cmp -s "$requirements" "$stamp"; then
  echo "installing the Python test clients into $venv ($requirements)" >&2
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$requirements" >&2
  cp "$requirements" "$stamp"
fi
echo "$PWD/$venv/bin/python"

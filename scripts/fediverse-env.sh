#!/usr/bin/env bash
# Makes the two virtual environments of the fediverse peers the tests start on loopback, when missing or out of date,
# and prints their folder. Two, because bovine 0.5.19's RFC 9421 check needs http-sf 1.0.7 while
# http-message-signatures (the RFC 9421 verifier with Mastodon's rules) needs a newer one (see shared/peers/fediverse).
#   .venv-fedi/AP   bovine-herd, fediverse-pasture (one_actor, verify_actor), fediverse-pasture-inputs
#   .venv-fedi/SIG  http-message-signatures
# PyPI only, versions pinned. Any failure stops here, loudly.
set -euo pipefail
cd "$(dirname "$0")/.."
root=.venv-fedi
make_env() {
  local name=$1
  shift
  local venv=$root/$name
  local want="$*"
  if [[ -x $venv/bin/python && -f $venv/.pins && "$(cat "$venv/.pins")" == "$want" ]]; then return; fi
  echo "making the fediverse peers' environment $venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv" >&2
  # shellcheck disable=SC2068
  "$venv/bin/python" -m pip install -q --disable-pip-version-check $@ >&2
  echo "$want" >"$venv/.pins"
}
make_env AP bovine-herd==0.5.19 bovine==0.5.19 bovine-store==0.5.19 fediverse-pasture==0.2.25 fediverse-pasture-inputs==0.3.0 \
  apkit==0.3.8 hypercorn==0.18.0 http-sf==1.0.7
make_env SIG http-message-signatures==3.0.0 requests==2.32.5 cryptography==50.0.2
echo "$PWD/$root"

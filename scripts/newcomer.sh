#!/usr/bin/env bash
# Does what a newcomer does, to check the quick start before a release: clones this repository into a temporary
# folder beside a copy of ../shared, runs `make test`, then `make run` in the background with its output to a file,
# and reaches the admin through the link `make run` prints: chooses the demo administrator's password there, signs
# in, and opens the dashboard. Takes about twenty minutes (two builds and the whole suite).
#   scripts/newcomer.sh [--skip-test]     (--skip-test: only the `make run` half)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
skip_test=0
[[ "${1:-}" == "--skip-test" ]] && skip_test=1

work=$(mktemp -d "${TMPDIR:-/tmp}/drey-newcomer.XXXXXX")
server=""
cleanup() {
  # `make run` runs in its own process group: stopping the group stops make and the `drey serve` it started.
  if [[ -n "$server" ]] && kill -0 "$server" 2>/dev/null; then
    kill -- "-$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*" >&2; }
fail() { echo "newcomer: FAILED: $*" >&2; exit 1; }

step "clone into $work/drey, beside a copy of ../shared"
git clone -q "$here" "$work/drey"
cp -a "$here/../shared" "$work/shared"
cd "$work/drey"

if ((skip_test == 0)); then
  step "make test"
  make test || fail "make test"
fi

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
step "make run PORT=$port (output to run.log)"
setsid make run PORT="$port" >run.log 2>&1 &
server=$!
base="http://127.0.0.1:$port"
# The release build and the demo come first: up to 30 minutes on a slow machine.
for _ in $(seq 1 1800); do
  grep -q "/admin/setup?token=" run.log 2>/dev/null && break
  kill -0 "$server" 2>/dev/null || { cat run.log >&2; fail "make run stopped"; }
  sleep 1
done
grep -q "The blog:  $base/" run.log || { cat run.log >&2; fail "make run did not name the blog's address"; }
grep -q "The admin: $base/admin/" run.log || { cat run.log >&2; fail "make run did not name the admin's address"; }
link=$(grep -o "$base/admin/setup?token=[A-Za-z0-9_-]*" run.log | tail -1)
[[ -n "$link" ]] || { cat run.log >&2; fail "make run printed no way into the admin"; }
echo "the way in: $link" >&2

step "reach the admin through that link"
python3 - "$base" "$link" <<'PY'
import http.cookiejar, re, sys, urllib.parse, urllib.request
base, link = sys.argv[1], sys.argv[2]
jar = http.cookiejar.CookieJar()
web = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
page = web.open(link).read().decode()
email = re.search(r'name="email" type="email" value="([^"]+)"', page).group(1)
csrf = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
token = link.split("token=")[1]
password = "newcomer-password-1"
form = lambda d: urllib.parse.urlencode(d).encode()
page = web.open(base + "/admin/setup", form({"_csrf": csrf, "token": token, "password": password, "password2": password})).read().decode()
assert "Sign in" in page, page[:500]
page = web.open(base + "/admin/login", form({"_csrf": csrf, "email": email, "password": password})).read().decode()
assert "Dashboard" in page, page[:500]
home = web.open(base + "/").read().decode()
assert 'class="admin-bar"' in home, "no admin bar on the blog for the signed-in administrator"
print(f"signed in as {email}; the dashboard and the admin bar are there")
PY
echo "newcomer: the quick start works" >&2

#!/usr/bin/env bash
# Drey's page-serving benchmark, with its peers measured in the same run:
#   nginx serving the very bytes of Drey's pages as static files (the physical limit here),
#   and the WordPress peer in ../shared/peers/wordpress when it is running.
# Prints, in one invocation, every figure issue 12 asks for: requests/s, p50 and p99 per target with the ratios
# (cached post, home and feed against nginx on the same bytes; a signed-in reader's cached post; uncached post and
# home), time to first answer, idle RSS, RSS with 10,000 pages cached, and how the rates scale with comments (0, 22,
# 300) and posts (30 and 10,000: home, archive page 50, search). Never pass/fail.
#
#   bash bench/run.sh                 # DURATION=8s for the main targets, SHORT=3s for the scaling rows, SCALE=0 to skip them
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-8s}
SHORT=${SHORT:-3s}
SCALE=${SCALE:-1}
CONNECTIONS=${CONNECTIONS:-32}
PORT=${PORT:-8095}
NOCACHE_PORT=$((PORT + 1))
STATIC_PORT=$((PORT + 2))
WORK=$(mktemp -d /tmp/drey-bench.XXXXXX)
STATIC=$(mktemp -d /tmp/drey-bench-static.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [[ -f "$WORK/nginx.pid" ]] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  rm -rf "$WORK" "$STATIC"
}
trap cleanup EXIT

command -v wrk >/dev/null || { [[ $(id -u) -eq 0 ]] && apt-get install -y -qq wrk >/dev/null; }
command -v nginx >/dev/null || { [[ $(id -u) -eq 0 ]] && apt-get install -y -qq nginx-light >/dev/null; }
for p in $PORT $NOCACHE_PORT $STATIC_PORT; do
  if (echo >/dev/tcp/127.0.0.1/$p) 2>/dev/null; then echo "port $p is taken; set PORT=" >&2; exit 1; fi
done

# A separate build folder, so a benchmark never waits on (or disturbs) the debug build.
swift build -c release --scratch-path .build-release --product drey >/dev/null
DREY=$PWD/.build-release/release/drey

serve() {  # data port [serve args…] -> pid in $served
  local data=$1 port=$2
  shift 2
  $DREY serve --data "$data" --port "$port" "$@" >"$WORK/serve-$port.log" 2>&1 &
  served=$!
  pids+=("$served")
  until curl -s -o /dev/null "http://127.0.0.1:$port/"; do
    kill -0 "$served" 2>/dev/null || { echo "drey serve on port $port exited:" >&2; cat "$WORK/serve-$port.log" >&2; exit 1; }
    sleep 0.01
  done
  # An old server still holding the port would have answered for it: the new one must still be running.
  sleep 0.3
  kill -0 "$served" 2>/dev/null || { echo "drey serve on port $port exited:" >&2; cat "$WORK/serve-$port.log" >&2; exit 1; }
}
stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
rss_mb() { awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$1/status"; }
path_of() { curl -s -o /dev/null -w '%{redirect_url}' "http://127.0.0.1:$1/?p=$2" | sed -E 's#^https?://[^/]+##'; }

$DREY demo --data "$WORK/data" >/dev/null
# Readers may sign in by email, so a signed-in reader's page can be measured.
$DREY site set readers_enabled 1 --data "$WORK/data" >/dev/null
$DREY signin email on --data "$WORK/data" >/dev/null

# Time to first answer, from process start.
start=$(date +%s.%N)
serve "$WORK/data" $PORT
serve_pid=$served
first=$(python3 -c "print(round($(date +%s.%N) - $start, 3))")
sleep 1
idle_rss=$(rss_mb $serve_pid)
serve "$WORK/data" $NOCACHE_PORT --no-cache
main_nocache_pid=$served

post_path=$(path_of $PORT 1)
# A reader signs in by email, as a reader does: the message (logged, no SMTP here) carries the link's token.
curl -s -o /dev/null -d "email=bench-reader@example.org&return_to=/" "http://127.0.0.1:$PORT/signin/email"
for _ in $(seq 100); do grep -q 'signin/email/confirm?token=' "$WORK/serve-$PORT.log" && break; sleep 0.1; done
token=$(grep -o 'signin/email/confirm?token=[A-Za-z0-9_%-]*' "$WORK/serve-$PORT.log" | tail -1 | cut -d= -f2)
reader_cookie=$(curl -s -D - -o /dev/null -d "token=$token" "http://127.0.0.1:$PORT/signin/email/confirm" |
  tr -d '\r' | awk -F'[ ;]' 'tolower($1) == "set-cookie:" && $2 ~ /^drey_reader=/ {print $2}')
signed_in=$(curl -s -H "Cookie: $reader_cookie" "http://127.0.0.1:$PORT$post_path" | grep -c 'Signed in as' || true)

# nginx serving the same bytes: the post page, the home page and the feed, as Drey sends them.
for target in "$post_path" / /feed/; do
  mkdir -p "$STATIC/static$target"
  curl -s "http://127.0.0.1:$PORT$target" -o "$STATIC/static${target}index.html"
done
# nginx's workers do not run as root: they must be able to read the copies (mktemp's folder is 0700), or every answer
# is a 403 of 153 bytes and the "limit" is measured on the wrong thing. Only the copies are opened to them: the work
# folder keeps the blog's database and the sign-in token in the server's log.
chmod 755 "$STATIC"
chmod -R a+rX "$STATIC/static"
cat >"$WORK/nginx.conf" <<NGINX
worker_processes 2;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  default_type text/html;
  server { listen 127.0.0.1:$STATIC_PORT; root $STATIC/static; index index.html; }
}
NGINX
nginx -c "$WORK/nginx.conf"
for _ in $(seq 50); do (echo >/dev/tcp/127.0.0.1/$STATIC_PORT) 2>/dev/null && break; sleep 0.1; done
for target in "$post_path" / /feed/; do
  answer=$(curl -s -o /dev/null -w '%{http_code} %{size_download}' "http://127.0.0.1:$STATIC_PORT$target" || echo "no answer")
  size=$(stat -c %s "$STATIC/static${target}index.html")
  [[ "$answer" == "200 $size" ]] || { echo "nginx answers $target with '$answer', not '200 $size': the static limit would be wrong" >&2; exit 1; }
done

: >"$WORK/rates"
run() {  # name url [duration] [wrk args…] -> prints "rps p50 p99"
  local name=$1 url=$2 duration=${3:-$DURATION}
  shift 3 || shift $#
  local out rps p50 p99
  # Once first, so a cached target is measured cached (and a server still busy starting up has settled).
  curl -s -o /dev/null -m 120 "$@" "$url" 2>/dev/null || true
  out=$(wrk -t2 -c"$CONNECTIONS" -d"$duration" --latency --timeout 30s "$@" "$url")
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  # A rate of errors is no rate: wrk counts them, and the figure is left out of every ratio.
  if [[ $out == *"Non-2xx or 3xx responses"* ]]; then
    echo "  $name: $(echo "$out" | grep -E 'Non-2xx' | tr -s ' ') — not counted" >&2
    rps="errors"
  fi
  if [[ $out == *"Socket errors"* ]]; then echo "  $name: $(echo "$out" | grep 'Socket errors' | tr -s ' ')" >&2; fi
  printf '  %-44s %12s %10s %10s\n' "$name" "$rps" "$p50" "$p99"
  echo "$name|$rps" >>"$WORK/rates"
}
rate() { awk -F'|' -v n="$1" '$1 == n {print $2}' "$WORK/rates"; }
ratio() {
  local a b
  a=$(rate "$1")
  b=$(rate "$2")
  [[ -n "$a" && -n "$b" ]] || return 1
  # A row of errors has no ratio.
  if [[ "$a" =~ ^[0-9.]+$ && "$b" =~ ^[0-9.]+$ ]]; then python3 -c "print(str(round($a / $b, 2)) + 'x')"; else echo "none (error answers)"; fi
}

echo "Drey benchmark $(date -u +%Y-%m-%dT%H:%MZ) — wrk -t2 -c$CONNECTIONS -d$DURATION, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "first answer after start: ${first}s; idle RSS: ${idle_rss} MB (target < 60 MB)"
printf '  %-44s %12s %10s %10s\n' target "requests/s" p50 p99
run "nginx static post page" "http://127.0.0.1:$STATIC_PORT$post_path"
run "drey post page (cached)" "http://127.0.0.1:$PORT$post_path"
run "drey post page (cached, signed-in reader)" "http://127.0.0.1:$PORT$post_path" "$DURATION" -H "Cookie: $reader_cookie"
run "nginx static home" "http://127.0.0.1:$STATIC_PORT/"
run "drey home (cached)" "http://127.0.0.1:$PORT/"
run "nginx static feed" "http://127.0.0.1:$STATIC_PORT/feed/"
run "drey /feed/ (cached)" "http://127.0.0.1:$PORT/feed/"
run "drey post page, 22 comments (no cache)" "http://127.0.0.1:$NOCACHE_PORT$post_path"
run "drey home (no cache)" "http://127.0.0.1:$NOCACHE_PORT/"

wp_post=/2008/01/27/on-pamphlets-printing-presses-and-long-winters/
if [[ -f ../shared/peers/wordpress/setup.sh ]] && curl -s -o /dev/null -m 5 "http://127.0.0.1:8081$wp_post"; then
  run "wordpress post page" "http://127.0.0.1:8081$wp_post"
else
  echo "  wordpress peer: not running (bash ../shared/peers/wordpress/setup.sh to install it); no WordPress ratio"
fi
echo "RSS of the cached server after the run: $(rss_mb $serve_pid) MB"
[[ $signed_in -gt 0 ]] || echo "WARNING: the reader's sign-in failed; the signed-in row measured a guest"

echo "ratios (targets: cached ≥ 0.7× nginx, signed-in ≥ 0.5×, uncached post ≥ 1,500/s, uncached home ≥ 2,000/s):"
echo "  post page (cached) / nginx static:      $(ratio 'drey post page (cached)' 'nginx static post page')"
echo "  post page (signed in) / nginx static:   $(ratio 'drey post page (cached, signed-in reader)' 'nginx static post page')"
echo "  home (cached) / nginx static:           $(ratio 'drey home (cached)' 'nginx static home')"
echo "  /feed/ (cached) / nginx static:         $(ratio 'drey /feed/ (cached)' 'nginx static feed')"
w=$(ratio 'drey post page (cached)' 'wordpress post page' || true)
[[ -n "$w" ]] && echo "  post page (cached) / wordpress:         ${w}"
w=$(ratio 'drey post page, 22 comments (no cache)' 'wordpress post page' || true)
[[ -n "$w" ]] && echo "  post page (no cache) / wordpress:       ${w}"
stop $serve_pid
stop $main_nocache_pid

[[ $SCALE == 1 ]] || exit 0

# Scaling: the same post page with 0, 22 and 300 comments; lists with 30 and 10,000 posts.
import_blog() {  # name wxr-gen args… -> data folder $WORK/$name
  local name=$1
  shift
  python3 bench/wxr-gen "$@" "$WORK/$name.xml"
  $DREY import wordpress "$WORK/$name.xml" --data "$WORK/$name" >/dev/null
}
echo
echo "scaling (wrk -d$SHORT): requests/s cached | uncached"
import_blog comments --per-post 0,22,300
serve "$WORK/comments" $PORT
cached_pid=$served
serve "$WORK/comments" $NOCACHE_PORT --no-cache
nocache_pid=$served
for n in 0 1 2; do
  path=$(path_of $PORT $((10 + n)))
  count=$(echo "0 22 300" | cut -d' ' -f$((n + 1)))
  run "post, $count comments (cached)" "http://127.0.0.1:$PORT$path" "$SHORT" >/dev/null
  run "post, $count comments (no cache)" "http://127.0.0.1:$NOCACHE_PORT$path" "$SHORT" >/dev/null
  printf '  %-36s %10s | %10s\n' "post with $count comments" "$(rate "post, $count comments (cached)")" "$(rate "post, $count comments (no cache)")"
done
stop $cached_pid
stop $nocache_pid

for posts in 30 10000; do
  import_blog "posts-$posts" --posts $posts --comments $((posts * 2))
  serve "$WORK/posts-$posts" $PORT
  cached_pid=$served
  serve "$WORK/posts-$posts" $NOCACHE_PORT --no-cache
  nocache_pid=$served
  page=50
  [[ $posts -lt 500 ]] && page=$(((posts + 9) / 10))
  for target in "home|/" "archive page $page|/page/$page/" "search|/?s=harbour"; do
    name=${target%%|*}
    url=${target#*|}
    run "$posts posts: $name (cached)" "http://127.0.0.1:$PORT$url" "$SHORT" >/dev/null
    run "$posts posts: $name (no cache)" "http://127.0.0.1:$NOCACHE_PORT$url" "$SHORT" >/dev/null
    printf '  %-36s %10s | %10s\n' "$posts posts: $name" "$(rate "$posts posts: $name (cached)")" "$(rate "$posts posts: $name (no cache)")"
  done
  if [[ $posts == 10000 ]]; then
    # Every post once: 10,000 distinct pages through the cache, which keeps what fits its byte limit.
    python3 - "$PORT" <<'PY'
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]))
for i in range(10, 10010):
    c.request("GET", "/?p=%d" % i)
    r = c.getresponse(); r.read()
    loc = r.getheader("Location")
    if loc:
        c.request("GET", "/" + loc.split("://", 1)[1].split("/", 1)[1])
        c.getresponse().read()
PY
    metrics=$(curl -s "http://127.0.0.1:$PORT/metrics")
    entries=$(echo "$metrics" | awk '/^drey_page_cache_entries/ {print int($2)}')
    bytes=$(echo "$metrics" | awk '/^drey_page_cache_bytes/ {print int($2 / 1048576)}')
    at_once=$(rss_mb $cached_pid)
    # The server gives a burst's freed memory back half a second after the burst (MemoryTrim.whenQuiet).
    sleep 2
    echo "  after 10,000 distinct post pages: RSS $(rss_mb $cached_pid) MB two seconds later ($at_once MB right after the last page; target < 150 MB); cache holds $entries pages, $bytes MB (limit 64 MB, --cache-size)"
  fi
  stop $cached_pid
  stop $nocache_pid
done

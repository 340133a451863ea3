#!/usr/bin/env bash
# Drey's page-serving benchmark, with its peers measured in the same run:
#   nginx serving the very bytes of Drey's post page as a static file (the physical limit here),
#   and the WordPress peer in ../shared/peers/wordpress when it is installed.
# Prints requests/s, p50 and p99 per target and the ratios. Never pass/fail.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
PORT=${PORT:-8095}
NOCACHE_PORT=$((PORT + 1))
STATIC_PORT=$((PORT + 2))
WORK=$(mktemp -d /tmp/drey-bench.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [[ -f "$WORK/nginx.pid" ]] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

command -v wrk >/dev/null || { [[ $(id -u) -eq 0 ]] && apt-get install -y -qq wrk >/dev/null; }
command -v nginx >/dev/null || { [[ $(id -u) -eq 0 ]] && apt-get install -y -qq nginx-light >/dev/null; }
for p in $PORT $NOCACHE_PORT $STATIC_PORT; do
  if (echo >/dev/tcp/127.0.0.1/$p) 2>/dev/null; then echo "port $p is taken; set PORT=" >&2; exit 1; fi
done

# A separate build folder, so a benchmark never waits on (or disturbs) the debug build.
swift build -c release --scratch-path .build-release >/dev/null
DREY=.build-release/release/drey
$DREY demo --data "$WORK/data" >/dev/null

# Time to first answer, from process start.
start=$(date +%s.%N)
$DREY serve --data "$WORK/data" --port $PORT >"$WORK/serve.log" 2>&1 &
pids+=($!); serve_pid=$!
until curl -s -o /dev/null "http://127.0.0.1:$PORT/"; do sleep 0.01; done
first=$(python3 -c "print(round($(date +%s.%N) - $start, 3))")
sleep 1
idle_rss=$(awk '/VmRSS/ {print $2}' /proc/$serve_pid/status)

$DREY serve --data "$WORK/data" --port $NOCACHE_PORT --no-cache >"$WORK/nocache.log" 2>&1 &
pids+=($!)
until curl -s -o /dev/null "http://127.0.0.1:$NOCACHE_PORT/"; do sleep 0.01; done

post_path=$(curl -s -o /dev/null -w '%{redirect_url}' "http://127.0.0.1:$PORT/?p=1" | sed -E 's#^https?://[^/]+##')
curl -s "http://127.0.0.1:$PORT$post_path" -o "$WORK/post.html"

# nginx serving the same bytes.
mkdir -p "$WORK/static$post_path"
cp "$WORK/post.html" "$WORK/static${post_path}index.html"
cat >"$WORK/nginx.conf" <<NGINX
worker_processes 2;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  default_type text/html;
  server { listen 127.0.0.1:$STATIC_PORT; root $WORK/static; index index.html; }
}
NGINX
nginx -c "$WORK/nginx.conf"

run() {  # name url -> "rps p50 p99"
  local out
  out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency --timeout 30s "$2")
  local rps p50 p99
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  printf '%-28s %12s %10s %10s\n' "$1" "$rps" "$p50" "$p99"
  echo "$1 $rps" >>"$WORK/rates"
}

echo "Drey benchmark $(date -u +%Y-%m-%dT%H:%MZ) — wrk -t2 -c$CONNECTIONS -d$DURATION, $(nproc) cores"
echo "first answer after start: ${first}s; idle RSS: $((idle_rss / 1024)) MB"
printf '%-28s %12s %10s %10s\n' target "requests/s" p50 p99
run "nginx static post page" "http://127.0.0.1:$STATIC_PORT$post_path"
run "drey post page (cached)" "http://127.0.0.1:$PORT$post_path"
run "drey home (cached)" "http://127.0.0.1:$PORT/"
run "drey /feed/ (cached)" "http://127.0.0.1:$PORT/feed/"
run "drey post page (no cache)" "http://127.0.0.1:$NOCACHE_PORT$post_path"

wp_post=/2008/01/27/on-pamphlets-printing-presses-and-long-winters/
if [[ -f ../shared/peers/wordpress/setup.sh ]] && curl -s -o /dev/null -m 5 "http://127.0.0.1:8081$wp_post"; then
  run "wordpress post page" "http://127.0.0.1:8081$wp_post"
else
  echo "wordpress peer: not running (bash ../shared/peers/wordpress/setup.sh to install it); no WordPress ratio"
fi

rate() { awk -v n="$1 " 'index($0, n) == 1 {print $NF}' "$WORK/rates"; }
ratio() { local a b; a=$(rate "$1"); b=$(rate "$2"); [[ -n "$a" && -n "$b" ]] && python3 -c "print(round($a / $b, 2))"; }
echo "ratios:"
echo "  post page (cached) / nginx static: $(ratio 'drey post page (cached)' 'nginx static post page')x"
w=$(ratio 'drey post page (cached)' 'wordpress post page' || true)
[[ -n "$w" ]] && echo "  post page (cached) / wordpress:    ${w}x"
echo "  post page no cache:                $(rate 'drey post page (no cache)') requests/s"

#!/usr/bin/env bash
# Fediverse fan-out benchmark: a blog with FOLLOWERS followers on HOSTS servers publishes a post, and `drey serve`
# (its own workers, the real delivery path: one signed POST per unique inbox, shared inboxes first, per-host limits)
# delivers the Create and the blog's Announce to a loopback sink (bench/fediverse-sink.py: one server per loopback
# address 127.0.x.y, all answering 202 at once). Measured with wrk on the cached page of an older post: the page rate
# before publishing and in slices while the deliveries go out, how long the fan-out took, and how many deliveries
# arrived. Never pass/fail. SQLite only (the followers are seeded with SQL).
#
#   bash bench/fediverse-fanout.sh                                    # 5,000 followers on 500 hosts, release build
#   BIN=.build/debug/drey FOLLOWERS=200 HOSTS=20 bash bench/fediverse-fanout.sh   # a quick try
#
# SHARED=0 gives every follower a personal inbox (one delivery per follower, as servers without shared inboxes get).
# Loopback is refused to fetches in production; `--allow-fetch 127.0.0.0/8` lets this run reach the sink, as the
# tests' `--allow-fetch 127.0.0.1` does.
set -euo pipefail
cd "$(dirname "$0")/.."
FOLLOWERS=${FOLLOWERS:-5000}
HOSTS=${HOSTS:-500}
SHARED=${SHARED:-1}
WORKERS=${WORKERS:-2}
CONNECTIONS=${CONNECTIONS:-32}
BASELINE=${BASELINE:-10}   # seconds of wrk before publishing
SLICE=${SLICE:-3}          # seconds per wrk slice during the fan-out
TIMEOUT=${TIMEOUT:-900}    # the most the fan-out is waited for, in seconds
if [[ -z ${BIN:-} ]]; then
  swift build -c release --scratch-path .build-release --product drey >&2
  BIN=.build-release/release/drey
fi
WORK=$(mktemp -d /tmp/drey-bench-fanout.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
SINK_PORT=$(free_port)
DATA=$WORK/data
BASE=http://127.0.0.1:$PORT

"$BIN" migrate --data "$DATA" >/dev/null
"$BIN" site set home_url "$BASE" --data "$DATA" >/dev/null
"$BIN" user add --email ada@example.org --name "Ada Lovelace" --login ada --role administrator --data "$DATA" >/dev/null
echo "The engine weaves algebraic patterns, as the Jacquard loom weaves flowers and leaves." >"$WORK/post.md"
"$BIN" post new --title "Fan-out baseline" --date "2024-05-01 10:00" --file "$WORK/post.md" --data "$DATA" >/dev/null
post_path=/2024/05/01/fan-out-baseline/

# The followers and their cached actors, as the inbox would have stored them after their Follow.
python3 - "$DATA/drey.sqlite" "$FOLLOWERS" "$HOSTS" "$SINK_PORT" "$SHARED" <<'PY'
import sqlite3, sys, time
db, followers, hosts, port, shared = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5] == "1"
c = sqlite3.connect(db)
site = c.execute("SELECT id FROM sites ORDER BY id LIMIT 1").fetchone()[0]
now = time.time()
for i in range(followers):
    j = i % hosts
    host = f"127.0.{1 + j // 250}.{1 + j % 250}:{port}"
    uri = f"http://{host}/users/u{i}"
    shared_inbox = f"http://{host}/inbox"
    c.execute(
        "INSERT INTO fedi_remote_actors (uri, key_id, inbox, shared_inbox, name, handle, url, fetched_at) VALUES (?,?,?,?,?,?,?,?)",
        (uri, uri + "#main-key", uri + "/inbox", shared_inbox, f"Follower {i}", f"u{i}@{host}", uri, now))
    c.execute(
        "INSERT INTO fedi_followers (site_id, actor, remote_uri, inbox, follow_id, created_at) VALUES (?,?,?,?,?,?)",
        (site, "blog", uri, shared_inbox if shared else uri + "/inbox", uri + "#follow", now))
c.commit()
PY
inboxes=$((SHARED == 1 ? (HOSTS < FOLLOWERS ? HOSTS : FOLLOWERS) : FOLLOWERS))
expected=$((2 * inboxes)) # the author's Create and the blog's Announce, to each inbox

python3 bench/fediverse-sink.py "$HOSTS" "$SINK_PORT" "$WORK/sink-ready" &
pids+=($!)
"$BIN" serve --port "$PORT" --data "$DATA" --allow-fetch 127.0.0.0/8 --workers "$WORKERS" >"$WORK/serve.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 600); do
  if [[ -s $WORK/sink-ready ]] && curl -fso /dev/null "$BASE/"; then break; fi
  sleep 0.1
done
curl -fso /dev/null "$BASE$post_path" || { echo "drey serve did not start:" >&2; cat "$WORK/serve.log" >&2; exit 1; }
curl -fso /dev/null "$BASE$post_path"
stats() { curl -fs "http://127.0.1.1:$SINK_PORT/_stats" || echo '{"count": 0, "hosts": 0}'; }
field() { python3 -c "import json, sys; v = json.loads(sys.argv[1]).get(sys.argv[2]); print(v if v is not None else '')" "$1" "$2"; }
rps() { wrk -t2 -c"$CONNECTIONS" -d"$1"s --timeout 30s "$BASE$post_path" | awk '/Requests\/sec/ {print $2}'; }

echo "fediverse fan-out $(date -u +%Y-%m-%dT%H:%MZ): $FOLLOWERS followers on $HOSTS hosts ($inboxes inboxes, shared=$SHARED)," \
  "$WORKERS workers, binary $BIN, $(nproc) cores; wrk -t2 -c$CONNECTIONS on the cached post page"
before=$(rps "$BASELINE")
echo "before publishing:   $before requests/s"

t0=$(date +%s.%N)
"$BIN" post new --title "Fan-out $(date +%s)" --file "$WORK/post.md" --data "$DATA" >/dev/null
slices=()
count=0
while true; do
  slices+=("$(rps "$SLICE")")
  s=$(stats)
  count=$(field "$s" count)
  count=${count:-0}
  (( count >= expected )) && break
  if python3 -c "import sys, time; sys.exit(0 if time.time() - float(sys.argv[1]) > float(sys.argv[2]) else 1)" "$t0" "$TIMEOUT"; then
    echo "gave up waiting after ${TIMEOUT}s"
    break
  fi
done
s=$(stats)
python3 - "$before" "$t0" "$s" "$expected" "${slices[@]}" <<'PY'
import json, sys
before, t0, stats, expected = float(sys.argv[1]), float(sys.argv[2]), json.loads(sys.argv[3]), int(sys.argv[4])
slices = [float(x) for x in sys.argv[5:] if x]
mean = sum(slices) / len(slices) if slices else 0
print(f"during the fan-out:  {mean:.2f} requests/s on average over {len(slices)} slices (lowest {min(slices, default=0):.2f});"
      f" {mean / before:.2f}x the rate before")
last = stats.get("last")
took = f"{last - t0:.1f} s from publishing to the last delivery" if last else "nothing arrived"
print(f"fan-out:             {stats['count']} of {expected} deliveries arrived at {stats['hosts']} hosts; {took}")
PY
left=$("$BIN" jobs list --state queued --data "$DATA" 2>/dev/null | grep -c "ap.deliver" || true)
echo "deliveries still queued: $left"

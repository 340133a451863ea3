"""The soak: minutes of mixed load on two blogs that send each other Webmentions; memory sampled every 10 s.

Blog A is on SQLite, blog B on PostgreSQL (when a cluster is given), so one run covers both databases.
Load: cached page views, uncached renders (search, paging past the cache, pages just invalidated by a comment),
feeds, guest comments through the form, moderation from the CLI, and new posts on each blog linking to the
other, which the job workers turn into Webmentions."""
import collections
import os
import random
import threading
import time
import uuid

from common import PG_URL, Blog, Commenter, Failures, log, percentile, post_paths, request

MINUTES = float(os.environ.get("SOAK_MINUTES", "10"))
SAMPLE_SECONDS = 10
GROWTH_LIMIT = 0.10
WORDS = ["garden", "kettle", "orchard", "sparrow", "bridge", "clover", "notebook", "winter", "thistle", "map"]


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.status = collections.Counter()
        self.errors = collections.Counter()
        self.latency = collections.defaultdict(list)
        self.fivexx = []

    def hit(self, kind, fn):
        t = time.perf_counter()
        try:
            status, headers, body = fn()
        except OSError as e:
            with self.lock:
                self.errors[f"{kind}: {type(e).__name__}"] += 1
            return None, None, None
        ms = (time.perf_counter() - t) * 1000
        with self.lock:
            self.status[(kind, status)] += 1
            self.latency[kind].append(ms)
            if status >= 500:
                self.fivexx.append((kind, status, body[:200]))
        return status, headers, body


def reader(blog, paths, stats, stop, cached):
    while not stop.is_set():
        if cached:
            path = random.choice(paths + ["/", "/feed/", "/comments/feed/", "/page/2/", random.choice(paths) + "feed/"])
            stats.hit("cached view" if "feed" not in path else "feed", lambda: request(blog.port, "GET", path))
        else:
            # Renders the cache does not hold: searches, deep archive pages, and post pages for a reader with a cookie.
            choice = random.random()
            if choice < 0.4:
                path = f"/?s={random.choice(WORDS)}+{random.choice(WORDS)}"
            elif choice < 0.7:
                path = f"/page/{random.randint(2, 4)}/"
            else:
                path = random.choice(paths)
            # Any pending-comment cookie makes the server render instead of using the cache.
            headers = {"Cookie": "drey_pending=not-a-signed-value"} if choice >= 0.7 else {}
            stats.hit("uncached view", lambda: request(blog.port, "GET", path, headers=headers))
        stop.wait(0.02)


def commenter(blog, paths, stats, stop, i, sent):
    c = Commenter(blog.port, paths, f"{blog.name}{i}", f"203.0.113.{i + 1}", 1)
    n = 0
    while not stop.is_set():
        path = random.choice(paths)
        status, _, body = stats.hit("comment form", lambda: request(blog.port, "GET", path))
        if status != 200:
            stop.wait(1)
            continue
        from common import read_form
        action, fields = read_form(body.decode("utf-8", "replace"))
        if not fields:
            stop.wait(1)
            continue
        stop.wait(1.5)
        n += 1
        marker = f"soak{uuid.uuid4().hex[:10]}"
        stats.hit("comment post", lambda: c.post(action, fields, marker, n))
        sent[0] += 1
        stop.wait(random.uniform(1, 3))


def moderator(blog, stats, stop, counts):
    """Approves most held comments and marks some as spam, from the CLI, as a person would from a terminal."""
    while not stop.is_set():
        try:
            pending = [c for c in blog.comments_pending(10)]
            for c in pending:
                action = "spam" if c["id"] % 5 == 0 else "approve"
                blog.cli("comment", action, str(c["id"]))
                counts[action] += 1
        except Exception as e:  # a CLI failure is a finding: count it, it is printed
            counts["errors"] += 1
            counts.setdefault("last_error", str(e)[:200])
        stop.wait(5)


def linker(a, b, a_paths, b_paths, stop, counts):
    """Every 30 s a new post on A links to a post on B, and the other way round; the workers send Webmentions."""
    n = 0
    while not stop.wait(30 if n else 5):
        n += 1
        for src, dst, dst_paths in ((a, b, b_paths), (b, a, a_paths)):
            target = dst.base + random.choice(dst_paths)
            try:
                src.cli("post", "new", "--title", f"Soak link {n} from {src.name}", "--file", "-",
                        input=f"Reading [this post on the other blog]({target}) today, note {n}.\n")
                counts["posts"] += 1
            except Exception as e:
                counts["errors"] += 1
                counts.setdefault("last_error", str(e)[:200])


def run(failures):
    db_b = "postgres" if PG_URL else "sqlite"
    log(f"soak: {MINUTES:g} minutes of mixed load on blog A (sqlite) and blog B ({db_b}), RSS every {SAMPLE_SECONDS}s")
    a = Blog("sqlite", "a", allow_fetch=True)
    b = Blog(db_b, "b", allow_fetch=True)
    for blog in (a, b):
        blog.relax_comment_limits(min_seconds=1)
        blog.set("comment_moderation", 1)  # every comment waits for the moderator
        blog.set("home_url", blog.base)
        blog.comments_pending = lambda limit, blog=blog: [
            __import__("json").loads(line) for line in
            blog.cli("comment", "list", "--status", "pending", "--json", "--limit", str(limit)).splitlines() if line.strip()]
        blog.start()
    a_paths, b_paths = post_paths(a.port), post_paths(b.port)
    stats = {a.name: Stats(), b.name: Stats()}
    stop = threading.Event()
    counts = collections.Counter()
    sent = [0]
    threads = []
    for blog, paths in ((a, a_paths), (b, b_paths)):
        s = stats[blog.name]
        threads += [threading.Thread(target=reader, args=(blog, paths, s, stop, True), daemon=True) for _ in range(3)]
        threads += [threading.Thread(target=reader, args=(blog, paths, s, stop, False), daemon=True) for _ in range(2)]
        threads += [threading.Thread(target=commenter, args=(blog, paths, s, stop, i, sent), daemon=True) for i in range(3)]
        threads.append(threading.Thread(target=moderator, args=(blog, s, stop, counts), daemon=True))
    threads.append(threading.Thread(target=linker, args=(a, b, a_paths, b_paths, stop, counts), daemon=True))
    for t in threads:
        t.start()

    samples = {a.name: [], b.name: []}
    start = time.time()
    end = start + MINUTES * 60
    while time.time() < end:
        for blog in (a, b):
            samples[blog.name].append((round(time.time() - start), blog.rss_kb()))
        time.sleep(max(0, min(SAMPLE_SECONDS, end - time.time())))
    for blog in (a, b):
        samples[blog.name].append((round(time.time() - start), blog.rss_kb()))
    stop.set()
    for t in threads:
        t.join(timeout=60)
    time.sleep(3)  # let the last Webmentions be verified

    received = {blog.name: len(blog.cli("linkbacks", "received", "--json", "--limit", "10000").splitlines()) for blog in (a, b)}
    sent_lb = {blog.name: len(blog.cli("linkbacks", "sent", "--json", "--limit", "10000").splitlines()) for blog in (a, b)}
    for blog in (a, b):
        blog.stop()

    baseline_at = min(60, MINUTES * 60 / 6)
    for blog in (a, b):
        st = stats[blog.name]
        curve = samples[blog.name]
        base = next(kb for t, kb in curve if t >= baseline_at)
        peak = max(kb for _, kb in curve)
        last = curve[-1][1]
        growth = (last - base) / base
        total = sum(st.status.values())
        print(f"soak blog {blog.name} ({blog.db}): {total} requests in {MINUTES:g} min "
              f"({total / (MINUTES * 60):.0f}/s), connection errors {sum(st.errors.values())}, 5xx {len(st.fivexx)}", flush=True)
        for kind in sorted(st.latency):
            lat = st.latency[kind]
            codes = {code: n for (k, code), n in st.status.items() if k == kind}
            print(f"  {kind:14s} {len(lat):6d}  p50 {percentile(lat, 50):7.1f} ms  p99 {percentile(lat, 99):7.1f} ms  {codes}", flush=True)
        print(f"  RSS: start {curve[0][1] / 1024:.1f} MB, at {baseline_at:.0f}s {base / 1024:.1f} MB, peak {peak / 1024:.1f} MB, "
              f"end {last / 1024:.1f} MB; growth after the first minute {growth * 100:+.1f}%", flush=True)
        print("  curve (s, MB): " + " ".join(f"{t}:{kb / 1024:.0f}" for t, kb in curve), flush=True)
        print(f"  Webmentions received {received[blog.name]}, linkbacks sent {sent_lb[blog.name]}", flush=True)
        failures.check(len(st.fivexx) == 0, f"soak {blog.name}: zero 5xx ({st.fivexx[:3]})")
        failures.check(sum(st.errors.values()) == 0, f"soak {blog.name}: no connection errors ({dict(st.errors)})")
        failures.check(growth < GROWTH_LIMIT, f"soak {blog.name}: RSS grows less than {GROWTH_LIMIT:.0%} after the first minute ({growth:+.1%})")
        failures.check(received[blog.name] > 0, f"soak {blog.name}: Webmentions from the other blog arrived ({received[blog.name]})")
    print(f"soak: comments sent {sent[0]}, moderated from the CLI: {counts['approve']} approved, {counts['spam']} spam; "
          f"cross-linking posts {counts['posts']}; CLI errors {counts['errors']} {counts.get('last_error', '')}", flush=True)
    failures.check(counts["errors"] == 0, "soak: the moderation and posting CLI commands all succeeded")


if __name__ == "__main__":
    import sys
    f = Failures()
    run(f)
    sys.exit(1 if f.items else 0)

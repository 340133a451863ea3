"""kill -9 during load: guest commenters post through the real form while `drey serve` is killed and restarted.

Every comment that got the success answer (the 303 back to the post) must be in the database exactly once.
A POST whose answer was lost to the kill is sent again, as a browser's "resend" would, with the same form
(same token): the server must store it if it was lost, or recognise the spent form if it was kept."""
import collections
import random
import threading
import time
import uuid

from common import Blog, Commenter, Failures, log, post_paths

COMMENTERS = 20
KILLS = 3
UP_SECONDS = 8  # load between kills


def run(db, failures):
    log(f"kill -9 during load, {db}: {COMMENTERS} guest commenters, {KILLS} SIGKILLs")
    blog = Blog(db, "kill9")
    blog.relax_comment_limits(min_seconds=1)
    blog.start()
    paths = post_paths(blog.port)
    if not failures.check(len(paths) > 0, f"{db}: the demo has posts with an open comment form ({len(paths)})"):
        blog.stop()
        return
    run_id = uuid.uuid4().hex[:8]
    stop = threading.Event()
    lock = threading.Lock()
    sent, acked, statuses, resends, gave_up = set(), set(), collections.Counter(), [0], [0]

    def commenter(i):
        c = Commenter(blog.port, paths, f"guest{i:02d}", f"198.51.100.{i + 1}", 1)
        n = 0
        while not stop.is_set():
            path = random.choice(paths)
            try:
                status, action, fields = c.fetch_form(path)
            except OSError:
                time.sleep(0.1)  # the server is down: a reader would reload
                continue
            if not fields:
                with lock:
                    statuses[f"GET {status}"] += 1
                continue
            time.sleep(1.2)  # past comment_form_min_seconds, as a person typing
            n += 1
            marker = f"soak{run_id}g{i:02d}n{n:04d}"
            with lock:
                sent.add(marker)
            deadline = time.time() + 60
            while True:
                try:
                    status, headers, _ = c.post(action, fields, marker, n)
                except OSError:
                    if time.time() > deadline:
                        with lock:
                            gave_up[0] += 1
                        break
                    with lock:
                        resends[0] += 1
                    time.sleep(0.2)
                    continue
                with lock:
                    statuses[f"POST {status}"] += 1
                    if status == 303:
                        acked.add(marker)
                break

    threads = [threading.Thread(target=commenter, args=(i,), daemon=True) for i in range(COMMENTERS)]
    for t in threads:
        t.start()
    downtime = []
    for k in range(KILLS):
        time.sleep(UP_SECONDS + random.random() * 2)
        blog.kill9()
        killed = time.time()
        log(f"  SIGKILL {k + 1}/{KILLS} (acknowledged so far: {len(acked)})")
        time.sleep(0.5)
        up = blog.start()
        downtime.append(up - killed)
    time.sleep(UP_SECONDS)
    stop.set()
    for t in threads:
        t.join(timeout=90)
    blog.stop()

    stored = collections.Counter()
    for comment in blog.comments():
        for marker in _markers(comment.get("text", ""), run_id):
            stored[marker] += 1
    lost = acked - set(stored)
    duplicated = {m for m, c in stored.items() if c > 1}
    unacked_stored = set(stored) - acked
    print(f"kill -9 during load ({db}): sent {len(sent)}, acknowledged {len(acked)}, stored {len(stored)}, "
          f"lost {len(lost)}, duplicated {len(duplicated)}; stored without an answer {len(unacked_stored)}; "
          f"resends after a dropped connection {resends[0]}, gave up {gave_up[0]}; "
          f"restart to listening {max(downtime):.2f}s at most", flush=True)
    print(f"  answers: {dict(sorted(statuses.items()))}", flush=True)
    failures.check(len(acked) > 0, f"{db}: comments were acknowledged under kill -9 ({len(acked)})")
    failures.check(not lost, f"{db}: no acknowledged comment lost ({sorted(lost)[:5]})")
    failures.check(not duplicated, f"{db}: no comment stored twice ({sorted(duplicated)[:5]})")
    failures.check(not (set(stored) - sent), f"{db}: nothing stored that was not sent")
    fivexx = sum(v for k, v in statuses.items() if k.split()[1].startswith("5"))
    failures.check(fivexx == 0, f"{db}: no 5xx answers ({fivexx})")


def _markers(text, run_id):
    import re
    return re.findall(rf"soak{run_id}g\d\dn\d{{4}}", text)


if __name__ == "__main__":
    import sys
    f = Failures()
    run(sys.argv[1] if len(sys.argv) > 1 else "sqlite", f)
    sys.exit(1 if f.items else 0)

"""What the soak scenarios share: a real `drey serve` on loopback, its database, and a browser-like client."""
import atexit
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.parse

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DREY = os.environ.get("DREY", os.path.join(ROOT, ".build-release", "release", "drey"))
PG_URL = os.environ.get("SOAK_PG_URL", "")  # a throwaway cluster's URL; each blog gets its own database in it
PSQL = os.environ.get("SOAK_PSQL", "psql")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def log(*parts):
    print(time.strftime("%H:%M:%S"), *parts, flush=True)


class Failures:
    """Checks that failed; the run goes on so every figure is printed, and the exit status says."""

    def __init__(self):
        self.items = []

    def check(self, ok, what):
        print(("  PASS  " if ok else "  FAIL  ") + what, flush=True)
        if not ok:
            self.items.append(what)
        return ok


_blogs = []


@atexit.register
def _cleanup():
    # No `drey serve` outlives the harness, whatever happened; SOAK_KEEP=1 keeps the data folders and logs.
    for blog in _blogs:
        if blog.proc and blog.proc.poll() is None:
            blog.proc.kill()
            blog.proc.wait()
        if not os.environ.get("SOAK_KEEP"):
            shutil.rmtree(blog.data, ignore_errors=True)


class Blog:
    """A demo blog in a temp folder, on SQLite or on a fresh database of the PostgreSQL cluster."""

    def __init__(self, db, name, allow_fetch=False):
        self.db = db
        self.name = name
        self.data = tempfile.mkdtemp(prefix=f"drey-soak-{name}-")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.allow_fetch = allow_fetch
        self.proc = None
        _blogs.append(self)
        self.env = dict(os.environ)
        self.env.pop("DATABASE_URL", None)
        if db == "postgres":
            if not PG_URL:
                raise SystemExit("SOAK_PG_URL is not set (bench/soak/run.sh starts a throwaway cluster)")
            dbname = re.sub(r"[^a-z0-9_]", "_", f"soak_{name}_{os.getpid()}_{self.port}".lower())
            subprocess.run([PSQL, PG_URL, "-q", "-c", f"CREATE DATABASE {dbname}"], check=True, capture_output=True)
            self.env["DATABASE_URL"] = PG_URL.rsplit("/", 1)[0] + "/" + dbname
        self.cli("demo")
        self.serve_log = open(os.path.join(self.data, "serve.log"), "a")

    def cli(self, *args, input=None, check=True):
        """Runs `drey <args> --data <folder>`; returns stdout."""
        argv = [DREY, *args[:2], "--data", self.data, *args[2:]] if args[0] in ("site", "comment", "jobs", "post", "linkbacks", "user") \
            else [DREY, args[0], "--data", self.data, *args[1:]]
        r = subprocess.run(argv, env=self.env, input=input, capture_output=True, text=True, timeout=120)
        if check and r.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed ({r.returncode}): {r.stderr.strip()}")
        return r.stdout

    def set(self, key, value):
        self.cli("site", "set", key, str(value))

    def relax_comment_limits(self, min_seconds=1):
        """Flood and rate limits off: the load comes from one machine, and the point is what the database keeps."""
        for key, value in [("comment_flood_seconds", 0), ("comment_rate_ip_per_hour", 0), ("comment_rate_email_per_hour", 0),
                           ("comment_form_min_seconds", min_seconds)]:
            self.set(key, value)

    def start(self, extra=()):
        argv = [DREY, "serve", "--data", self.data, "--port", str(self.port), *extra]
        if self.allow_fetch:
            argv += ["--allow-fetch", "127.0.0.1"]
        self.proc = subprocess.Popen(argv, env=self.env, stdout=self.serve_log, stderr=self.serve_log)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"drey serve exited with {self.proc.returncode}; see {self.serve_log.name}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return time.time()
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("drey serve did not listen within 60 s")

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self, timeout=60):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode if self.proc else None

    def rss_kb(self):
        try:
            with open(f"/proc/{self.proc.pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
        except OSError:
            return None

    def comments(self):
        """Every comment in the database, trash included (`drey comment list --json`)."""
        out = self.cli("comment", "list", "--json", "--limit", "1000000",
                       "--status", "pending", "--status", "approved", "--status", "spam", "--status", "trash")
        return [json.loads(line) for line in out.splitlines() if line.strip()]

    def jobs(self, state=None):
        args = ["jobs", "list", "--json", "--limit", "10000"] + (["--state", state] if state else [])
        return [json.loads(line) for line in self.cli(*args).splitlines() if line.strip()]


def request(port, method, path, body=None, headers=None, timeout=30):
    """One request on a fresh connection; returns (status, headers dict lower-cased, body bytes)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        data = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data
    finally:
        conn.close()


def post_paths(port, count=31):
    """The canonical paths of the demo's posts that show an open comment form (`/?p=N` redirects there)."""
    paths = []
    for n in range(1, count + 1):
        status, headers, _ = request(port, "GET", f"/?p={n}")
        if status in (301, 302, 303, 307, 308):
            path = urllib.parse.urlsplit(headers["location"]).path
            status, _, body = request(port, "GET", path)
            if status == 200 and b'id="commentform"' in body:
                paths.append(path)
    return paths


FIELD = re.compile(r'<input type="hidden" name="(comment_post_ID|comment_parent|drey_token)" value="([^"]*)"')
ACTION = re.compile(r'<form action="([^"]+)" method="post" id="commentform"')


def read_form(html):
    """The hidden fields a browser would send back, and the form's action path."""
    fields = dict(FIELD.findall(html))
    action = ACTION.search(html)
    if not action or "drey_token" not in fields:
        return None, None
    fields["hp_website"] = ""  # the honeypot, left empty as a person leaves it
    return urllib.parse.urlsplit(action.group(1).replace("&amp;", "&")).path, fields


class Commenter:
    """A guest reading a post and sending the comment form like a browser: GET, wait, POST the fields back."""

    def __init__(self, port, paths, who, xff, min_seconds):
        self.port, self.paths, self.who, self.xff, self.min_seconds = port, paths, who, xff, min_seconds

    def fetch_form(self, path):
        status, _, body = request(self.port, "GET", path, headers={"X-Forwarded-For": self.xff, "User-Agent": UA})
        if status != 200:
            return status, None, None
        action, fields = read_form(body.decode("utf-8", "replace"))
        return status, action, fields

    def post(self, action, fields, marker, n):
        form = dict(fields)
        form.update(author=f"Soak {self.who}", email=f"{self.who}-{n}@soak.test", url="",
                    comment=f"A thought on this post, number {n} from {self.who}. Marker {marker} ends here.")
        body = urllib.parse.urlencode(form)
        headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": self.xff, "User-Agent": UA}
        return request(self.port, "POST", action, body=body, headers=headers)


UA = "Mozilla/5.0 (X11; Linux x86_64) DreySoak/1.0"


def percentile(values, p):
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]

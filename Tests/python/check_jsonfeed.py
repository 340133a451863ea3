"""Checks a file against the rules of JSON Feed 1.1 (https://jsonfeed.org/version/1.1) with Python's own
json and datetime, and prints what it read as JSON. Exit status 1 with the problems when it breaks a rule."""
import json
import sys
from datetime import datetime
from urllib.parse import urlparse

problems = []
with open(sys.argv[1], encoding="utf-8") as f:
    feed = json.load(f)


def url(value, where):
    if not isinstance(value, str) or urlparse(value).scheme not in ("http", "https"):
        problems.append(f"{where} is not an http(s) URL: {value!r}")


def date(value, where):
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except Exception:
        problems.append(f"{where} is not an RFC 3339 date: {value!r}")


if feed.get("version") != "https://jsonfeed.org/version/1.1":
    problems.append("version is not https://jsonfeed.org/version/1.1")
if not isinstance(feed.get("title"), str) or not feed["title"]:
    problems.append("title is missing")
for key in ("home_page_url", "feed_url"):
    if key in feed:
        url(feed[key], key)
for hub in feed.get("hubs", []):
    if not hub.get("type") or not hub.get("url"):
        problems.append("a hub lacks type or url")
if not isinstance(feed.get("items"), list):
    problems.append("items is not a list")
ids = set()
for n, item in enumerate(feed.get("items", [])):
    if not isinstance(item.get("id"), str) or not item["id"]:
        problems.append(f"item {n} has no string id")
    if item.get("id") in ids:
        problems.append(f"item {n} repeats id {item.get('id')}")
    ids.add(item.get("id"))
    if "content_html" not in item and "content_text" not in item:
        problems.append(f"item {n} has neither content_html nor content_text")
    for key in ("date_published", "date_modified"):
        if key in item:
            date(item[key], f"item {n} {key}")
    if "url" in item:
        url(item["url"], f"item {n} url")
    for author in item.get("authors", []):
        if not author.get("name") and not author.get("url"):
            problems.append(f"item {n} has an empty author")
    if "author" in item:
        problems.append(f"item {n} uses the 1.0 field author")

print(json.dumps({"version": feed.get("version"), "items": len(feed.get("items", [])),
                  "titles": [i.get("title") for i in feed.get("items", [])], "problems": problems}))
sys.exit(1 if problems else 0)

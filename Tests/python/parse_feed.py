"""Parses a feed file with feedparser, as feed readers do, and prints what it saw as JSON.

Exit status 1 when feedparser flags the feed as malformed (bozo)."""
import json
import sys

import feedparser

feed = feedparser.parse(sys.argv[1])
result = {
    "bozo": int(feed.bozo),
    "bozo_exception": str(feed.get("bozo_exception", "")),
    "version": feed.version,
    "title": feed.feed.get("title", ""),
    "link": feed.feed.get("link", ""),
    "entries": [
        {
            "title": e.get("title", ""),
            "link": e.get("link", ""),
            "id": e.get("id", ""),
            "author": e.get("author", ""),
            "tags": [t.get("term", "") for t in e.get("tags", [])],
            "content": (e.get("content") or [{}])[0].get("value", ""),
            "summary": e.get("summary", ""),
        }
        for e in feed.entries
    ],
}
print(json.dumps(result))
sys.exit(1 if feed.bozo else 0)

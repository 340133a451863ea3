#!/usr/bin/env python3
"""Counts a WXR file the way WordPress's importer (WXR_Parser_SimpleXML) reads it.

An outside reader for Drey's exports: authors from /rss/channel/wp:author (keyed by login),
categories, tags, items and their comments, all in the namespace the document binds to `wp`.
Prints `name count` lines; exits 1 when WordPress would refuse the file.
"""
import re
import sys
import xml.etree.ElementTree as ET


def main(path):
    namespaces = {}
    for _, (prefix, uri) in ET.iterparse(path, events=["start-ns"]):
        namespaces.setdefault(prefix, uri)
    wp = namespaces.get("wp", "http://wordpress.org/export/1.1/")
    tree = ET.parse(path)
    root = tree.getroot()
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        print("not rss")
        return 1
    version = channel.findtext("{%s}wxr_version" % wp)
    if not version or not re.match(r"^\d+\.\d+$", version.strip()):
        print("missing/invalid WXR version")
        return 1
    authors = {}
    for a in channel.findall("{%s}author" % wp):
        authors[a.findtext("{%s}author_login" % wp) or ""] = a
    items = channel.findall("item")
    ids = set()
    comments = 0
    attachments = 0
    unresolved_comment_parents = 0
    for item in items:
        ids.add(item.findtext("{%s}post_id" % wp))
        if item.findtext("{%s}post_type" % wp) == "attachment":
            attachments += 1
        these = item.findall("{%s}comment" % wp)
        comments += len(these)
        comment_ids = {c.findtext("{%s}comment_id" % wp) for c in these}
        for c in these:
            parent = c.findtext("{%s}comment_parent" % wp) or "0"
            if parent != "0" and parent not in comment_ids:
                unresolved_comment_parents += 1
    unresolved = sum(
        1 for item in items
        if (item.findtext("{%s}post_parent" % wp) or "0") != "0" and item.findtext("{%s}post_parent" % wp) not in ids
    )
    print("version", version.replace(".", ""))
    print("authors", len(authors))
    print("categories", len(channel.findall("{%s}category" % wp)))
    print("tags", len(channel.findall("{%s}tag" % wp)))
    print("posts", len(items))
    print("attachments", attachments)
    print("comments", comments)
    print("unresolved_parents", unresolved)
    print("unresolved_comment_parents", unresolved_comment_parents)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

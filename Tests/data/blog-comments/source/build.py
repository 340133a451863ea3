#!/usr/bin/env python3
"""Builds ../comments.jsonl from the hand-written source files in this folder.

Each source line is `category || author || email || url || text` (foreign-spam.txt has `lang ||` first);
`# lang=xx label=ham|spam` lines set the language and label of the lines after them. In fields, `-` means empty
and an email of `@` is made from the author's name at an example domain. In text, `\\n` is a line break.
Ids are numbered in file order (files sorted by name); the fold is the id's number modulo 5, so every
category is spread over the five folds and a new line at the end never moves an old one.
"""
import json, os, re, sys, unicodedata

here = os.path.dirname(os.path.abspath(__file__))
domains = ["example.org", "example.net", "example.com", "mail.example", "post.example"]

def slug(name, n):
    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    ascii_ = re.sub(r"[^a-z0-9]+", ".", ascii_).strip(".")
    return ascii_ if len(ascii_) >= 2 else f"reader{n}"

rows, seen = [], set()
for fname in sorted(f for f in os.listdir(here) if f.endswith(".txt")):
    lang, label = None, None
    for raw in open(os.path.join(here, fname), encoding="utf-8"):
        line = raw.rstrip("\n")
        if not line.strip():
            continue
        if line.startswith("#"):
            for key, value in re.findall(r"(lang|label)=(\S+)", line):
                if key == "lang": lang = value
                else: label = value
            continue
        parts = line.split(" || ")
        row_lang = lang
        if fname == "foreign-spam.txt":
            row_lang, parts = parts[0], parts[1:]
        if len(parts) != 5:
            sys.exit(f"{fname}: bad line: {line}")
        category, author, email, url, text = [p.strip() for p in parts]
        n = len(rows) + 1
        author = "" if author == "-" else author
        if email == "@":
            email = f"{slug(author, n)}@{domains[n % len(domains)]}"
        email = "" if email == "-" else email
        url = "" if url == "-" else url
        text = text.replace("\\n", "\n")
        if text in seen:
            sys.exit(f"{fname}: duplicate text: {text}")
        seen.add(text)
        assert label in ("ham", "spam") and row_lang, (fname, line)
        rows.append({"id": f"b{n:04d}", "fold": n % 5, "lang": row_lang, "label": label, "category": category,
                     "author": author, "email": email, "url": url, "text": text})

with open(os.path.join(here, "..", "comments.jsonl"), "w", encoding="utf-8") as out:
    for r in rows:
        out.write(json.dumps(r, ensure_ascii=False) + "\n")

from collections import Counter
by = Counter((r["lang"] if r["lang"] in ("en", "de", "fr", "es", "ru", "el") else "other", r["label"]) for r in rows)
print(len(rows), "comments;", sum(r["label"] == "ham" for r in rows), "ham,", sum(r["label"] == "spam" for r in rows), "spam")
for k in sorted(by): print(*k, by[k])

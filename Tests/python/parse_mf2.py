"""Parses an HTML file with mf2py, as IndieWeb readers do, and prints the microformats it found as JSON.

Usage: parse_mf2.py FILE URL"""
import json
import sys

import mf2py

with open(sys.argv[1], encoding="utf-8") as f:
    parsed = mf2py.parse(doc=f.read(), url=sys.argv[2], metaformats=False)
print(json.dumps(parsed))

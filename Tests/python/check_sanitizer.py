#!/usr/bin/env python3
"""Check HTMLSanitizer output the way a browser will read it.

Usage: check_sanitizer.py OUTPUTS.jsonl

Each line of OUTPUTS.jsonl is {"policy": "comment" | "content", "payload": ..., "output": ...}.
Every output is parsed with html5lib (the WHATWG parsing algorithm, as browsers run it) and
every element, attribute and URL of the resulting tree is checked against the named policy.
The allowlists below mirror SanitizerPolicy.comment and SanitizerPolicy.content on purpose:
an independent copy, so a mistake on the Swift side shows up here instead of being trusted.

Prints one count line, then each violation; exits 1 when there is any, 2 on unusable input.
"""

import json
import re
import sys
from dataclasses import dataclass, field

import html5lib


@dataclass(frozen=True)
class Policy:
    elements: dict
    global_attributes: frozenset = frozenset()
    schemes: frozenset = frozenset({"http", "https", "mailto"})
    relative_urls: bool = False
    task_list_checkboxes: bool = False
    url_attributes: frozenset = field(default=frozenset({"href", "src", "cite"}))


def _elements(**spec):
    return {name: frozenset(attributes.split()) for name, attributes in spec.items()}


POLICIES = {
    # WordPress's comment allowlist ($allowedtags).
    "comment": Policy(
        elements=_elements(
            a="href title", abbr="title", b="", blockquote="cite", br="", cite="", code="",
            **{"del": "datetime"}, em="", i="", p="", q="cite", s="", strike="", strong="",
        ),
    ),
    "content": Policy(
        elements=_elements(
            a="href title rel name id", abbr="title", b="", blockquote="cite", br="", caption="",
            cite="", code="", dd="", **{"del": "cite datetime"}, details="open", dfn="title",
            div="", dl="", dt="", em="", figcaption="", figure="", h1="id", h2="id", h3="id",
            h4="id", h5="id", h6="id", hr="", i="",
            img="src alt title width height loading", ins="cite datetime", kbd="", li="value",
            mark="", ol="start reversed type", p="", pre="", q="cite", s="", samp="", small="",
            span="", strike="", strong="", sub="", summary="", sup="", table="", tbody="",
            td="colspan rowspan align", tfoot="", th="colspan rowspan align scope", thead="",
            time="datetime", tr="", u="", ul="", var="",
        ),
        global_attributes=frozenset({"class"}),
        relative_urls=True,
        task_list_checkboxes=True,
    ),
}

C0_AND_SPACE = "".join(chr(c) for c in range(0x21))
BROWSER_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
SERIALISED_TAG = re.compile(r"<\s*/?\s*([^\s/>]+)")


def url_violation(url, policy):
    """Why a browser could load something the policy forbids from this URL, or None."""
    # A browser strips C0 controls and spaces at both ends and tabs and newlines anywhere.
    browser_view = re.sub(r"[\t\n\r]", "", url.strip(C0_AND_SPACE))
    match = BROWSER_SCHEME.match(browser_view)
    if match:
        scheme = match.group(1).lower()
        if scheme not in policy.schemes:
            return f"URL scheme {scheme!r} not allowed"
    elif not policy.relative_urls:
        return "relative URL not allowed"
    # Belt and braces: with every space and control removed, whatever precedes the first colon
    # (if no / ? # comes first) must still be an allowed scheme.
    squeezed = "".join(ch for ch in url if ord(ch) > 0x20 and ord(ch) != 0x7F)
    head = re.split(r"[/?#\\]", squeezed, maxsplit=1)[0]
    if ":" in head and head.split(":", 1)[0].lower() not in policy.schemes:
        return f"URL {squeezed[:40]!r} has a disallowed scheme once spaces are removed"
    return None


def is_absolute(url):
    view = re.sub(r"[\t\n\r]", "", url.strip(C0_AND_SPACE))
    return bool(BROWSER_SCHEME.match(view)) or view[:2].replace("\\", "/") == "//"


def element_violations(element, policy):
    tag = element.tag
    if callable(tag):  # etree's Comment or ProcessingInstruction factory
        return ["comment or processing instruction in output"]
    attributes = dict(element.attrib)
    scripted = [n for n in attributes if n.lower().startswith("on") or n.lower() == "style"]
    reasons = [f"attribute {name!r} (script or style) on <{tag}>" for name in scripted]
    for name in scripted:
        del attributes[name]
    if tag == "input" and policy.task_list_checkboxes:
        extra = set(attributes) - {"type", "checked", "disabled"}
        if extra:
            reasons.append(f"attributes {sorted(extra)} on task-list <input>")
        if attributes.get("type", "").strip().lower() != "checkbox":
            reasons.append("<input> that is not a checkbox")
        if "disabled" not in attributes:
            reasons.append("task-list <input> not disabled")
        return reasons
    if tag not in policy.elements:
        return reasons + [f"element <{tag}> not allowed"]
    allowed = policy.elements[tag] | policy.global_attributes
    for name, value in attributes.items():
        if tag == "a" and name == "rel" and name not in allowed:
            # The sanitizer may add rel="nofollow ugc" even where authors cannot write rel.
            if not set(value.split()) <= {"nofollow", "ugc"}:
                reasons.append(f"rel={value!r} on <a> goes beyond the added nofollow ugc")
        elif name not in allowed:
            reasons.append(f"attribute {name!r} not allowed on <{tag}>")
        elif name in policy.url_attributes:
            problem = url_violation(value, policy)
            if problem:
                reasons.append(f"{problem} in <{tag} {name}>")
    href = attributes.get("href")
    if tag == "a" and href is not None and is_absolute(href):
        rel = set(attributes.get("rel", "").lower().split())
        if not {"nofollow", "ugc"} <= rel:
            written = attributes.get("rel")
            reasons.append(f"absolute link without rel=\"nofollow ugc\" (rel={written!r})")
    return reasons


def serialisation_violations(fragment, policy):
    """Tags visible in html5lib's own re-serialisation of the tree, checked by name only."""
    html = html5lib.serialize(
        fragment, tree="etree", quote_attr_values="always", escape_lt_in_attrs=True
    )
    allowed = set(policy.elements) | ({"input"} if policy.task_list_checkboxes else set())
    reasons = []
    if "<!--" in html:
        reasons.append("re-serialisation contains a comment")
    for match in SERIALISED_TAG.finditer(html):
        if match.group(1).lower() not in allowed:
            reasons.append(f"re-serialisation shows tag <{match.group(1)}>")
    return reasons


def check(record):
    policy = POLICIES[record["policy"]]
    fragment = html5lib.parseFragment(
        record["output"], treebuilder="etree", namespaceHTMLElements=False
    )
    reasons = []
    for element in fragment.iter():
        if element is not fragment:
            reasons.extend(element_violations(element, policy))
    reasons.extend(serialisation_violations(fragment, policy))
    return list(dict.fromkeys(reasons))


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    try:
        with open(argv[1], encoding="utf-8") as lines:
            records = [json.loads(line) for line in lines if line.strip()]
    except (OSError, ValueError) as error:
        print(f"cannot read {argv[1]}: {error}", file=sys.stderr)
        return 2
    unknown = {record.get("policy") for record in records} - set(POLICIES)
    if unknown or not records:
        print(f"no records, or unknown policies: {sorted(map(str, unknown))}", file=sys.stderr)
        return 2

    per_policy = {name: sum(r["policy"] == name for r in records) for name in POLICIES}
    policies_seen = [name for name, count in per_policy.items() if count]
    vectors = max(per_policy.values())
    failures = [(record, reason) for record in records for reason in check(record)]

    print(
        f"{vectors} vectors x {len(policies_seen)} policies: "
        f"{len(records)} checked, {len(failures)} violations"
    )
    for record, reason in failures:
        print(
            f"\n[{record['policy']}] {reason}\n"
            f"  payload: {record['payload']!r}\n"
            f"  output:  {record['output']!r}"
        )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

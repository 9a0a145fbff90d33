"""Labelled lines -> Result: the body joined, the dateline split off, metadata parsed.

The labels come from the model; this module only reads what each labelled line says.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from cleaner import patterns as p
from cleaner.result import Dateline, Line, Result

_SOURCE_CREDIT = re.compile(r"^\s*source\s*:\s*(?P<agency>.{2,60}?)\s*$", re.IGNORECASE)
_COPYRIGHT_CREDIT = re.compile(r"^\s*©\s*\d{4}\s+(?P<agency>[A-Z][\w&. ]{1,40}?)\.?\s*$")


def _agency_of_credit(line: str) -> str | None:
    """The agency a credit line names (`--IANS`, `SOURCE: Al Jazeera`, `© 2008 AFP`), if any."""
    agency = p.agency_of_signoff(line)
    if agency:
        return agency
    for pattern in (_SOURCE_CREDIT, _COPYRIGHT_CREDIT):
        m = pattern.match(line)
        if m:
            return m.group("agency").strip()
    return None


def _first(lines: Sequence[Line], label: str) -> str | None:
    for line in lines:
        if line.label == label:
            return line.text.strip()
    return None


def assemble(texts: Sequence[str], labels: Sequence[str], scores: Sequence[float]) -> Result:
    lines = [
        Line(text, str(label), float(score))
        for text, label, score in zip(texts, labels, scores, strict=True)
    ]
    result = Result(lines=lines)

    body: list[str] = []
    for line in lines:
        if line.label != "body":
            continue
        text = line.text.strip()
        if not body and result.dateline is None:
            found = p.match_dateline(text)
            if found is not None and text[found.end:].strip():
                result.dateline = Dateline(found.location, found.date, found.agency, found.raw)
                text = text[found.end:].strip()
        body.append(text)
    result.text = "\n".join(body)

    if result.dateline is None:
        stamp = _first(lines, "dateline")
        if stamp:
            found = p.match_dateline(stamp + " X")
            if found is not None:
                result.dateline = Dateline(found.location, found.date, found.agency, stamp)
            else:
                result.dateline = Dateline(date=stamp, raw=stamp)

    result.title = _first(lines, "title")
    result.standfirst = _first(lines, "standfirst")
    byline = _first(lines, "byline")
    result.byline = p.parse_byline(byline) if byline else None

    credits = [line.text.strip() for line in lines if line.label == "agency_credit"]
    result.agency = result.dateline.agency if result.dateline else None
    for credit in credits:
        if result.agency:
            break
        result.agency = _agency_of_credit(credit)

    result.editor_tags = [line.text.strip() for line in lines if line.label == "editor_tag"]
    result.summary = [
        p.strip_list_marker(line.text)
        for line in lines
        if line.label == "summary" and not p.SUMMARY_HEADER.match(line.text.strip())
    ]
    result.related = [
        p.strip_inline_related(line.text)
        for line in lines
        if line.label == "related" and not p.RELATED_HEADER.match(line.text.strip())
    ]
    result.editor_tags = [t for t in result.editor_tags if t]
    result.summary = [s for s in result.summary if s]
    result.related = [r for r in result.related if r]
    return result

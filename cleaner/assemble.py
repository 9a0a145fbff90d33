"""Labelled lines -> Result: the body joined, the dateline split off, metadata parsed.

The labels come from the model; this module only chooses which labelled lines each field
reads, and cleaner/metadata.py reads them:
- dateline: glued to one of the first body lines (`GLUE_REACH`), else a line labelled
  `dateline` that gives a place or a date, those of the story's header (`_header`) first,
  nearest the story first (a page's own date tops it, further up), and a stamp of when the
  story was published before one of when it was updated; a line of the header that is a
  place dateline alone, its agency named (`WASHINGTON (AFP)` read as `other`), comes before
  the labelled lines outside the header; else a date stamp in the header
  that the model took off under another label (`Posted : Mon, 31 Dec 2007` read as
  `other`), else one among the story's first lines that the model kept as body
  (`24. April 2020 | Pressemitteilungen` opening a press release: `_opening`), else the
  first line labelled `dateline` as written;
- agency: the dateline's, else the first credit that names one among the lines labelled
  `agency_credit`, then `byline` (`By IANS`, `..., AP Business Writer`), then `legal`
  (a copyright held by an agency of the table only: `© 2008 AFP`), then a line of the
  header (or right under the title) that says it is a byline (`Author : IANS` read as
  `other`), then one there that is an agency's name alone (`THE ASSOCIATED PRESS`, `(IANS)`),
  then a copyright held by an agency of the table among the lines taken off after the story
  (`Copyright © 2008 The Canadian Press. All rights reserved.` read as `other`);
- byline: a line that says it is a byline (`By`, `Von`, `Author:`) and names a person: one
  labelled `byline` first, then one of the header or of the two lines right under the title
  (`_under_title`) that the model took off under another label (`Author : Subhash K Jha`
  read as `other`); failing that, the first line labelled `byline` that names a person (a
  name alone, which a tag line can be: `Andy Murray` under `By Chris Wilson`);
- editor tags, summary, related: their labelled lines, headers and non-tags left out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from itertools import islice
from typing import NamedTuple, TypeVar

import numpy as np

from cleaner import metadata as md
from cleaner.clickbait import clickbait_scores
from cleaner.result import Dateline, Line, Result

T = TypeVar("T")


def _first(lines: Sequence[Line], label: str) -> str | None:
    for line in lines:
        if line.label == label:
            return line.text.strip()
    return None


def _first_reading(lines: Iterable[Line], parse: Callable[[str], T | None]) -> T | None:
    """The first non-None reading of `lines`, in their order."""
    return next(filter(None, (parse(line.text) for line in lines)), None)


def _first_parsed(lines: Sequence[Line], label: str, parse: Callable[[str], T | None]) -> T | None:
    """The first non-None reading of the lines labelled `label`."""
    return _first_reading((line for line in lines if line.label == label), parse)


#: Labels whose lines may hold other stories', readers' or a headline's names and dates: no
#: byline or date stamp is read there unless the model labelled it so.
_NOT_THIS_STORY = frozenset({"related", "comment", "title"})
#: How far above the body (non-blank lines) a byline or stamp the model did not label as one
#: is read. A story's byline stands by its title and first paragraph; further up a page, `by
#: Dan Di Sciullo` under a sidebar's column name credits another story (8 lines up on dev
#: pages, while the story's own bylines stood 0-6 lines up).
HEADER_REACH = 6
#: Lines below the first body line read as the header too (dev pages: `06.01.2022` under a
#: headline labelled body).
HEADER_BELOW = 2
#: Non-blank lines below the title read for a byline that says it is one (`By Adrian Shaw`):
#: a story's byline stands right under its headline, which on a whole page can be far above
#: the first body line (menus and a related box between them).
TITLE_BELOW = 2
#: Labels of lines not read for a credit that says what it is (`By Helen Ross`, an agency's
#: name alone, an agency's copyright): the story's own text, other stories' and readers'. A
#: line labelled `title` is read for one: a headline does not open with `By` and a name.
_NOT_A_CREDIT = frozenset({"body", "related", "comment"})


def _non_blank(lines: Iterable[Line], n: int) -> list[Line]:
    """The first `n` non-blank lines (without reading the rest: a page has thousands)."""
    return list(islice((line for line in lines if line.text.strip()), n))


def _index_of_first(lines: Sequence[Line], label: str) -> int | None:
    return next((i for i, line in enumerate(lines) if line.label == label), None)


def _around_start(lines: Sequence[Line]) -> list[Line]:
    """The lines taken off around the story's start that may belong to its header: up to
    `HEADER_REACH` + 1 non-blank lines above the first body line, nearest first, then
    `HEADER_BELOW` below it (when that first line is the headline kept as body, the stamp
    and byline come after it)."""
    first_body = _index_of_first(lines, "body")
    if first_body is None:
        return []
    above = _non_blank(reversed(lines[:first_body]), HEADER_REACH + 1)  # nearest first
    below = _non_blank(lines[first_body + 1:], HEADER_BELOW)
    return [line for line in [*above, *below] if line.label != "body"]


def _header(around: list[Line], excluded: frozenset[str] = _NOT_THIS_STORY) -> list[Line]:
    """The lines `_around_start` found but those labelled one of `excluded`."""
    return [line for line in around if line.label not in excluded]


#: Longest line of the story's opening read for a date stamp kept as body (the longest stamp
#: of the tests, `Written: 2023-11-07 15:03:30 / Updated: ...`, has 60 characters). The
#: story's paragraphs are not parsed: that doubled `assemble`'s time on articles.
OPENING_STAMP_MAX_CHARS = 80


def _opening(lines: Sequence[Line]) -> list[Line]:
    """The story's first body line and the `HEADER_BELOW` non-blank lines under it, those that
    are body and short enough to be a stamp the model kept in the text (`Stand: 28.04.2020
    18:00 Uhr` under a headline). Read for a date only: a stamp kept is still the story's date."""
    first_body = _index_of_first(lines, "body")
    if first_body is None:
        return []
    below = _non_blank(lines[first_body:], HEADER_BELOW + 1)
    return [line for line in below
            if line.label == "body" and len(line.text.strip()) <= OPENING_STAMP_MAX_CHARS]


def _under_title(lines: Sequence[Line]) -> list[Line]:
    """The lines taken off right below the first line labelled `title`, nearest first (a
    byline labelled `title` included: the marker says what it is)."""
    at = _index_of_first(lines, "title")
    if at is None:
        return []
    below = _non_blank(lines[at + 1:], TITLE_BELOW)
    return [line for line in below if line.label not in _NOT_A_CREDIT]


def _after_story(lines: Sequence[Line]) -> list[Line]:
    """The lines taken off after the last body line, but for other stories' and readers'."""
    last = max((i for i, line in enumerate(lines) if line.label == "body"), default=None)
    if last is None:
        return []
    return [line for line in lines[last + 1:] if line.label not in _NOT_A_CREDIT]


def _labelled_reading(lines: Iterable[Line]) -> md.ParsedDateline | None:
    """The first of `lines` labelled `dateline` that gives a place or a date; a stamp of when a
    story was published before one of when it was updated (`UPDATED: 8:49 am`)."""
    ordered = sorted((line for line in lines if line.label == "dateline"),
                     key=lambda line: md.is_update_stamp(line.text))
    parsed = (md.parse_dateline_line(line.text) for line in ordered)
    return next((p for p in parsed if p is not None and (p.location or p.date)), None)


def _stamp(lines: Sequence[Line], header: list[Line]) -> md.ParsedDateline | None:
    """The dateline when none is glued to the body (see the module's docstring)."""
    return (
        _labelled_reading(header)
        or _first_reading(header, md.parse_dateline_alone)
        or _labelled_reading(lines)
        or _first_reading(header, md.parse_stamp)
        or _first_reading(_opening(lines), md.parse_stamp)
        or _first_parsed(lines, "dateline", md.parse_dateline_line)
    )


def _dateline(found: md.ParsedDateline, reference: md.DateLike | None) -> Dateline:
    date_iso = md.iso_date(found.date, reference)
    date = found.date
    if date is not None and date_iso is None and md.ISO_DATE.fullmatch(date):
        date = None  # written the ISO way but no such day (2023-02-29): not a date; `raw` keeps it
    return Dateline(
        location=found.location,
        date=date,
        agency=found.agency,
        raw=found.raw,
        date_iso=date_iso,
    )


#: Body lines (the first ones) a dateline may be glued to: under a headline or a teaser kept
#: as body, the story's first paragraph is the second or third (`Berlin/Frankfurt (dpa) - ...`).
GLUE_REACH = 3


class Body(NamedTuple):
    """The clean text's lines, each with the index of the input line it comes from; the
    dateline taken off one of its first lines (None if none opens with one); and the
    positions, among the clean text's lines, of those that lost a dateline."""

    lines: list[tuple[int, str]]
    dateline: md.ParsedDateline | None
    unglued: list[int]


def _unglue(text: str) -> tuple[str, md.ParsedDateline | None]:
    """A line without the dateline(s) glued to its start, and that dateline as written."""
    found = md.parse_dateline(text)
    if found is None or not text[found.end:].strip():
        return text, None
    written = text
    text = text[found.end:].strip()
    # Copy re-filed by a second desk opens with two datelines: take off both, or the clean
    # text opens with one and cleaning it again changes it.
    while (again := md.parse_dateline(text)) is not None and text[again.end:].strip():
        text = text[again.end:].strip()
        found = replace(found, raw=written[: len(written) - len(text)].strip())
    return text, found


def body_lines(texts: Sequence[str], labels: Sequence[str]) -> Body:
    """The body lines, with datelines taken off the first `GLUE_REACH` (all of them, so that
    the clean text has none left there and cleaning it again changes nothing); the first
    dateline taken off is the story's."""
    lines: list[tuple[int, str]] = []
    dateline = None
    unglued: list[int] = []
    for i, (text, label) in enumerate(zip(texts, labels, strict=True)):
        if label != "body":
            continue
        text = text.strip()
        if len(lines) < GLUE_REACH:
            text, found = _unglue(text)
            if found is not None:
                dateline = dateline or found
                unglued.append(len(lines))
        lines.append((i, text))
    return Body(lines, dateline, unglued)


def assemble(
    texts: Sequence[str],
    labels: Sequence[str],
    scores: Sequence[float],
    reference_date: md.DateLike | None = None,
    body: Body | None = None,
) -> Result:
    """The Result of one document's labelled lines; `reference_date` dates a dateline that
    gives no year (`April 30`): see `metadata.iso_date`. `body`: `body_lines(texts, labels)`
    where the caller has it already (settling works it out)."""
    reference = md.as_reference_date(reference_date)
    as_floats = scores.tolist() if isinstance(scores, np.ndarray) else scores
    lines = [
        Line(text, str(label), float(score))
        for text, label, score in zip(texts, labels, as_floats, strict=True)
    ]
    result = Result(lines=lines)
    body = body or body_lines(texts, labels)
    result.text = "\n".join(text for _, text in body.lines)
    if body.dateline is not None:
        result.dateline = _dateline(body.dateline, reference)

    around = _around_start(lines)
    header = _header(around)
    if result.dateline is None:
        parsed = _stamp(lines, header)
        if parsed is not None:
            result.dateline = _dateline(parsed, reference)

    result.title = _first(lines, "title")
    result.standfirst = _first(lines, "standfirst")
    credits = _header(around, _NOT_A_CREDIT)
    in_header = {id(line) for line in credits}
    near = credits + [line for line in _under_title(lines) if id(line) not in in_header]
    marked = [line for line in near if md.is_marked_byline(line.text)]
    labelled = [line for line in lines if line.label == "byline"]
    result.byline = (
        _first_reading((line for line in labelled if md.is_marked_byline(line.text)), md.parse_byline)
        or _first_reading(marked, md.parse_byline)
        or _first_reading(labelled, md.parse_byline)
    )

    result.agency = (
        (result.dateline.agency if result.dateline else None)
        or _first_parsed(lines, "agency_credit", md.agency_of_credit)
        or _first_parsed(lines, "byline", md.agency_of_byline)
        or _first_parsed(lines, "legal", md.agency_of_copyright)
        or _first_reading(marked, md.agency_of_byline)
        or _first_reading(near, md.agency_alone)
        or _first_reading(_after_story(lines), md.agency_of_copyright)
    )

    result.editor_tags = _all_parsed(lines, "editor_tag", md.parse_editor_tag)
    result.summary = _all_parsed(lines, "summary", md.summary_item)
    result.related = _all_parsed(lines, "related", md.related_item)
    return result


def score_headlines(results: Sequence[Result]) -> None:
    """Fill the clickbait probabilities of each result's title and related headlines.

    One call to the headline model for a whole batch: its cost is mostly per call. Called
    once the title is final (the HTML path may take it from the page's metadata).
    """
    headlines: list[str] = []
    for result in results:
        headlines.extend(([result.title] if result.title else []) + result.related)
    scores = iter(float(s) for s in clickbait_scores(headlines))
    for result in results:
        result.clickbait = next(scores) if result.title else None
        result.related_clickbait = [next(scores) for _ in result.related]


def _all_parsed(lines: Sequence[Line], label: str, parse: Callable[[str], str | None]) -> list[str]:
    """Every non-None reading of the lines labelled `label`, in order."""
    out = []
    for line in lines:
        if line.label == label:
            value = parse(line.text)
            if value:
                out.append(value)
    return out

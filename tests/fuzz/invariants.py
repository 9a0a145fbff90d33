"""What must hold of every Result, whatever the input: shared by the property and corpus tests.

Each check states one promise of issue 8 against the input alone (the test's own reading of
what a line is), not against the cleaner's intermediate steps.
"""

from __future__ import annotations

import datetime as dt
import json
import re

from cleaner import metadata as md
from cleaner.assemble import GLUE_REACH
from cleaner.result import LABELS, Result

#: A line ends at LF, CRLF or CR (universal newlines); see cleaner/segment.py.
_LINE_END = re.compile(r"\r\n|\r|\n")
#: A date or date-time written the ISO 8601 way; one that claims this shape must parse.
ISO_SHAPE = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
)


def input_lines(text: str) -> list[str]:
    """The lines of `text` by the rule the cleaner promises; a final line end opens no line."""
    if not text:
        return []
    lines = _LINE_END.split(text)
    if lines[-1] == "":
        lines.pop()
    return lines


def check_nothing_lost(text: str, result: Result) -> None:
    """Every input line is in `Result.lines`, in order, with a label that fits it."""
    assert result.error is None, result.error
    assert [line.text for line in result.lines] == input_lines(text)
    for line in result.lines:
        assert line.label in LABELS, line
        assert 0.0 <= line.score <= 1.0, line
        # Blank lines are `blank` and only they are: no line with text is dropped as blank.
        assert (line.label == "blank") == (not line.text.strip()), line
    # Every line the model kept as body is in the text: none is dropped silently.
    n_body = sum(line.label == "body" for line in result.lines)
    n_text = len(result.text.split("\n")) if result.text else 0
    assert n_text == n_body, f"{n_body} body lines but {n_text} lines of text"


def check_nothing_invented(text: str, result: Result) -> None:
    """Each line of the text is an input line (stripped), or one of the first `GLUE_REACH` less
    the dateline it opens with, and they come in input order."""
    if not result.text:
        return
    lines = input_lines(text)
    i = 0
    for k, out in enumerate(result.text.split("\n")):
        assert out, "an empty line in the clean text"
        while True:
            assert i < len(lines), f"line {k} of the text is not an input line (in order): {out!r}"
            source = lines[i].strip()
            i += 1
            if out == source:
                break
            if k < GLUE_REACH and source.endswith(out) and md.parse_dateline(source) is not None:
                break


def _well_formed_string(value: object, what: str) -> None:
    assert isinstance(value, str), f"{what} is {type(value).__name__}"
    assert value, f"{what} is an empty string, not None"
    assert value == value.strip(), f"{what} is not stripped: {value!r}"


def _iso_parses(value: str | None, what: str) -> None:
    if value is not None and ISO_SHAPE.fullmatch(value):
        try:
            dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as exc:
            raise AssertionError(f"{what} claims ISO 8601 but does not parse: {value!r}") from exc


def check_metadata(result: Result) -> None:
    """Strings stripped and never empty, lists without empty items, ISO dates that parse,
    and a record that serialises to JSON."""
    for name in ("title", "standfirst", "byline", "agency"):
        value = getattr(result, name)
        if value is not None:
            _well_formed_string(value, name)
    if result.dateline is not None:
        _well_formed_string(result.dateline.raw, "dateline.raw")
        for name in ("location", "date", "agency"):
            value = getattr(result.dateline, name)
            if value is not None:
                _well_formed_string(value, f"dateline.{name}")
        _iso_parses(result.dateline.date, "dateline.date")
        date_iso = getattr(result.dateline, "date_iso", None)
        if date_iso is not None:
            assert dt.date.fromisoformat(date_iso).isoformat() == date_iso, date_iso
    for name in ("editor_tags", "summary", "related"):
        for item in getattr(result, name):
            _well_formed_string(item, f"an item of {name}")
    for key, value in result.page.items():
        _well_formed_string(value, f"page[{key!r}]")
    _iso_parses(result.page.get("date"), "page['date']")
    record = result.to_dict()
    assert json.loads(json.dumps(record)) == record


def check_all(text: str, result: Result) -> None:
    check_nothing_lost(text, result)
    check_nothing_invented(text, result)
    check_metadata(result)

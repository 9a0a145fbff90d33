"""Every file of the hostile corpus (tests/fuzz/corpus, described in its README) through
`clean()` and `clean_html()`, as bytes and as text: no exception, and every promise kept.

What is expected of each file follows from its kind, not from a recorded answer:
- `*.txt` are valid UTF-8, `*.bin` are not, `*.html` are either (pages declare their
  charset). Through `clean()`, UTF-8 gives a Result without error that keeps every promise
  (tests/fuzz/invariants.py), and anything else a DecodeError record.
- `*.html` are pages: `clean_html()` gives a Result without error, except `nopage_*`, which
  may be refused as no page (HTMLError). Anything else through `clean_html()` gives a Result
  or that same refusal.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from threadpoolctl import threadpool_limits

from cleaner.pipeline import clean, clean_html, clean_many
from cleaner.result import LABELS, Result

from .invariants import check_all, check_metadata, check_nothing_invented

CORPUS = Path(__file__).parent / "corpus"
FILES = sorted(p for p in CORPUS.iterdir() if p.is_file() and p.suffix in (".txt", ".html", ".bin"))


@pytest.fixture(scope="module", autouse=True)
def one_model_thread():
    """As in test_properties: the same outputs, far less waiting on a shared machine."""
    with threadpool_limits(limits=1):
        yield


@pytest.fixture(scope="module")
def cleaned() -> dict[str, Result]:
    """The whole corpus as bytes, in one batch: one model call."""
    results = clean_many([p.read_bytes() for p in FILES])
    return {p.name: r for p, r in zip(FILES, results, strict=True)}


def test_the_corpus_has_every_kind_of_file():
    kinds = {p.suffix for p in FILES}
    assert kinds == {".txt", ".html", ".bin"}
    assert len(FILES) >= 40


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_clean_keeps_every_promise_on_a_hostile_file(path, cleaned):
    result = cleaned[path.name]
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        assert path.suffix != ".txt"
        assert result.error is not None and result.error["type"] == "DecodeError", result.error
        assert "not valid UTF-8" in result.error["message"]
        return
    assert path.suffix != ".bin"
    check_all(text, result)
    # The same file as text gives the same record as its bytes, and cleaning it is repeatable.
    assert clean(text).to_dict() == result.to_dict()


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_clean_html_keeps_its_promises_on_a_hostile_file(path):
    data = path.read_bytes()
    result = clean_html(data, url="https://example.com/news/1")
    may_refuse = path.suffix != ".html" or path.name.startswith("nopage_")
    if result.error is not None:
        assert may_refuse and result.error["type"] == "HTMLError", result.error
        return
    check_nothing_invented("\n".join(line.text for line in result.lines), result)
    for line in result.lines:
        assert line.label in LABELS and 0.0 <= line.score <= 1.0, line
    check_metadata(result)

"""The five example articles come out as ../shared/seeds/README.md says a user expects.

Expected bodies are written as the README's line ranges of the input (1-based), so the test
checks the cleaner against the specification, not against its own earlier output.
"""

import pytest

import cleaner


def body(lines: list[str], first: int, last: int, strip_prefix: str = "") -> str:
    chosen = [line.strip() for line in lines[first - 1:last]]
    if strip_prefix:
        assert chosen[0].startswith(strip_prefix)
        chosen[0] = chosen[0][len(strip_prefix):].strip()
    return "\n".join(chosen)


def test_seed_000_dateline_signoff_tag_and_related_tail(seeds):
    lines = seeds["000"]
    r = cleaner.clean("\n".join(lines))
    assert r.text == body(lines, 1, 19, "Seoul, April 30 (IANS)")
    assert r.text.startswith("North Korean troops")
    assert (r.dateline.location, r.dateline.date, r.dateline.agency) == ("Seoul", "April 30", "IANS")
    assert r.agency == "IANS"
    assert r.editor_tags == ["int/jk/as"]
    assert r.related == [line.strip() for line in lines[22:27]]
    assert [line.label for line in r.lines[19:22]] == ["agency_credit", "editor_tag", "related"]


def test_seed_001_leading_blank_line_and_related_tail(seeds):
    lines = seeds["001"]
    r = cleaner.clean("\n".join(lines))
    assert r.text == body(lines, 2, 21)
    assert r.lines[0].label == "blank"
    assert r.related == [line.strip() for line in lines[22:27]]
    assert r.dateline is None and r.agency is None


def test_seed_002_title_synopsis_key_takeaways_and_dateline(seeds):
    lines = seeds["002"]
    r = cleaner.clean("\n".join(lines))
    assert r.text == body(lines, 11, 29, "Seoul, April 30 (NationPress)")
    assert r.text.startswith("It is reported that")
    assert r.title == lines[0].strip()
    assert (r.dateline.location, r.dateline.date, r.dateline.agency) == ("Seoul", "April 30", "NationPress")
    assert r.summary == [lines[3].strip()] + [line.strip()[2:] for line in lines[5:10]]
    assert r.related == []


@pytest.mark.xfail(
    strict=True,
    reason="known regression since the line model trains on modern pages and cleaned texts: "
    "this untitled one-sentence standfirst is labelled body (p 0.98), kept in the text; "
    "the reworded body itself is kept whole (next test)",
)
def test_seed_003_standfirst_is_metadata_and_reworded_body_is_kept(seeds):
    lines = seeds["003"]
    r = cleaner.clean("\n".join(lines))
    assert r.text == body(lines, 2, 14)
    assert r.standfirst == lines[0].strip()
    assert r.title is None


def test_seed_003_reworded_body_is_kept_whole(seeds):
    lines = seeds["003"]
    r = cleaner.clean("\n".join(lines))
    assert r.text.endswith(body(lines, 2, 14))
    assert r.title is None


def test_seed_004_title_and_reuters_inside_a_sentence_is_body(seeds):
    lines = seeds["004"]
    r = cleaner.clean("\n".join(lines))
    assert r.text == body(lines, 2, 13)
    assert r.title == lines[0].strip()
    assert r.agency is None and r.dateline is None


@pytest.mark.parametrize("number", ["000", "001", "002", "003", "004"])
def test_every_input_line_has_a_labelled_line(seeds, number):
    lines = seeds[number]
    r = cleaner.clean("\n".join(lines))
    assert [line.text for line in r.lines] == lines
    assert all(line.label and 0.0 <= line.score <= 1.0 for line in r.lines)

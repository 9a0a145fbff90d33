"""Shapes the features and metadata parsers recognise, with the negatives that must not match."""

import pytest

from cleaner import patterns as p


@pytest.mark.parametrize(
    ("line", "location", "date", "agency"),
    [
        ("Seoul, April 30 (IANS) North Korean troops are", "Seoul", "April 30", "IANS"),
        ("New Delhi, Jan 13 (IANS): The minister said", "New Delhi", "Jan 13", "IANS"),
        ("WASHINGTON (Reuters) - The head of a faction", "WASHINGTON", None, "Reuters"),
        ("LONDON, Sept 28 (Reuters) – Oil prices rose", "LONDON", "Sept 28", "Reuters"),
        ("HONOLULU (AP) -- A volcano erupted", "HONOLULU", None, "AP"),
        ("BANGKOK (AFP) Thai police said", "BANGKOK", None, "AFP"),
        ("Jaipur, Nov 26 (PTI) The state government", "Jaipur", "Nov 26", "PTI"),
        ("YALA, Thailand - Gunmen shot dead", "YALA, Thailand", None, None),
        ("SEOUL -- North Korea fired", "SEOUL", None, None),
        ("By IANS, Kolkata : The city", "Kolkata", None, "IANS"),
    ],
)
def test_dateline_formats_give_place_date_and_agency(line, location, date, agency):
    found = p.match_dateline(line)
    assert found is not None
    assert (found.location, found.date, found.agency) == (location, date, agency)
    assert line[found.end:][0].isupper()


@pytest.mark.parametrize(
    "line",
    [
        "Seoul, Washington and Kyiv have mentioned there are roughly 12,000 troops.",
        "The National Intelligence Service (NIS) gave the assessment.",
        "U.S. Representative Mark Meadows (R-NC) said on Sunday.",
        "South Korea reports North Korean troops' losses in Russia's war against Ukraine",
        "At least 100 soldiers were killed, South Korean MP Lee Seong-kweun told Reuters.",
    ],
)
def test_sentences_that_name_a_place_or_agency_are_not_datelines(line):
    assert p.match_dateline(line) is None


@pytest.mark.parametrize("line", ["int/jk/as", "ms/vd", "aal/rad"])
def test_editor_tags(line):
    assert p.is_editor_tag(line)


@pytest.mark.parametrize("line", ["24/7", "and/or", "he/she", "Int/JK", "int/jk/as and more"])
def test_editor_tag_negatives(line):
    assert not p.is_editor_tag(line)


@pytest.mark.parametrize(("line", "agency"), [("--IANS", "IANS"), ("— PTI", "PTI"), ("(AFP)", "AFP")])
def test_agency_signoffs(line, agency):
    assert p.agency_of_signoff(line) == agency


def test_a_closing_quote_is_not_a_signoff():
    assert p.agency_of_signoff('"We will work closely with the international community."') is None


@pytest.mark.parametrize("line", ["You may also like", "Related Articles", "Read more:", "DON'T MISS",
                                  "Most read in World"])
def test_related_headers(line):
    assert p.RELATED_HEADER.match(line)


def test_a_body_sentence_is_not_a_related_header():
    assert not p.RELATED_HEADER.match("Read more about the treaty in the ministry's statement, it said.")


@pytest.mark.parametrize("line", ["Synopsis", "Key Takeaways", "Key takeaways:"])
def test_summary_headers(line):
    assert p.SUMMARY_HEADER.match(line)


def test_metadata_parsers_strip_markers():
    assert p.parse_byline("By Martin Smith") == "Martin Smith"
    assert p.strip_list_marker("- North Korean troops suffered.") == "North Korean troops suffered."
    assert p.strip_inline_related("READ MORE: Some other story") == "Some other story"


def _sample_lines() -> list[str]:
    from pathlib import Path

    samples = Path(__file__).resolve().parent.parent / "samples" / "input"
    return [line for f in sorted(samples.glob("*.txt")) for line in f.read_text("utf-8").splitlines()]


def test_the_caption_lookahead_changes_no_match():
    import re

    plain = re.compile(p.CAPTION.pattern.replace("(?=[gars/(])", ""), p.CAPTION.flags)
    lines = _sample_lines() + ["Photo: Reuters", "Getty Images", "(AFP/File)", "Staff/AFP", "REUTERS/Kim",
                               "AP Photo/Jae C. Hong", "a (photo) here", "(Image: Shutterstock)",
                               "Agassi, ap photography", "We met a getty images seller", "reuters said"]
    assert sum(bool(plain.search(line)) for line in lines) >= 8
    for line in lines:
        assert bool(p.CAPTION.search(line)) == bool(plain.search(line)), line


def test_the_promo_lookahead_changes_no_match():
    import re

    plain = re.compile(p.PROMO.pattern.replace("(?=[acdfijlnprstwy])", ""), p.PROMO.flags)
    body = plain.pattern[plain.pattern.index("(?:") + 3 : plain.pattern.rindex(")")]
    words = re.split(r"\|(?![^(]*\))", body)
    assert "".join(sorted({w[0] for w in words})) == "acdfijlnprstwy"
    lines = _sample_lines()
    lines += ["SUBSCRIBE to our Newsletter", "Follow us on Twitter | Facebook", "Like us? Sign-up"]
    lines += ["ſubscribe"]  # a long s: case-insensitive `s`, in the lookahead as in the word
    assert any(plain.search(line) for line in lines)
    for line in lines:
        assert p.PROMO.findall(line) == plain.findall(line)

"""Shapes the features and metadata parsers recognise, with the negatives that must not match."""

import re

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


# Real headers, credits and notices of the training pages' other languages (train-split sites).
@pytest.mark.parametrize("line", [
    "Das könnte Sie auch interessieren", "Mehr zum Thema:", "Ähnliche Beiträge", "Lesen Sie auch",
    "MEISTGELESEN",
    "Mehr aus der Sendung", "Te puede interesar:", "À lire aussi", "Sur le même sujet", "Czytaj też:",
    "Veja Também", "Siehe auch",
])
def test_related_headers_in_other_languages(line):
    assert p.RELATED_HEADER.match(line)


@pytest.mark.parametrize("line", ["mehr aus unserem Leben hätten machen können.",
                                  "Weitere Artikel zum Thema finden Sie in unserem Archiv, sagte er."])
def test_german_sentences_are_not_related_headers(line):
    assert not p.RELATED_HEADER.match(line)


def test_inline_related_in_german_is_related():
    assert p.INLINE_RELATED.match("Lesen Sie auch: Die Bahn streicht Verbindungen")
    line = "Mehr zum Thema: Die Bahn streicht Verbindungen"
    assert p.strip_inline_related(line) == "Die Bahn streicht Verbindungen"


@pytest.mark.parametrize("line", ["(Bildquelle: auto-motor.at/Stefan Gruber)", "Foto: Ricardo Correa",
                                  "Beitragsbild via Unsplash.", "AFP / MARCO BERTORELLO",
                                  "A100-Aktivist Tobias Trommer (Foto: Privat)"])
def test_photo_credits_in_other_languages(line):
    assert p.CAPTION.search(line)


@pytest.mark.parametrize("line", ["Bildung ist ein Menschenrecht.", "Das Bild der Partei hat gelitten."])
def test_german_words_containing_bild_are_not_credits(line):
    assert not p.CAPTION.search(line)


@pytest.mark.parametrize(("line", "pattern"), [
    ("© 2021 Alle Rechte vorbehalten.", p.LEGAL), ("Datenschutzerklärung", p.LEGAL),
    (":: Impressum", p.LEGAL),
    ("JETZT ABONNIEREN", p.PROMO), ("Folgen Sie uns auf", p.PROMO), ("Síguenos en Google News", p.PROMO),
    ("Udostępnij na FB", p.PROMO),
])
def test_notices_and_prompts_in_other_languages(line, pattern):
    assert pattern.search(line)


@pytest.mark.parametrize("line", ["Der Datenschutz hat Vorrang, sagte die Ministerin.",
                                  "Die Forscher teilen die Ergebnisse mit."])
def test_german_body_sentences_are_no_notice_or_prompt(line):
    assert not p.LEGAL.search(line) and not p.PROMO.search(line)


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


def _without_lookahead(pattern: re.Pattern[str], first_letters: str) -> re.Pattern[str]:
    lookahead = f"(?=[{first_letters}])"
    assert lookahead in pattern.pattern
    return re.compile(pattern.pattern.replace(lookahead, ""), pattern.flags)


def test_the_caption_lookahead_changes_no_match():
    plain = _without_lookahead(p.CAPTION, "abfgrst/(")
    lines = _sample_lines() + ["Photo: Reuters", "Getty Images", "(AFP/File)", "Staff/AFP", "REUTERS/Kim",
                               "AP Photo/Jae C. Hong", "a (photo) here", "(Image: Shutterstock)",
                               "Agassi, ap photography", "We met a getty images seller", "reuters said",
                               "AFP / MARCO BERTORELLO", "Die Ausstellung (Foto: Galli/Malteser)",
                               "Symbolbild", "Ein Bild: der Hafen", "Bildung für alle", "Titelbilder"]
    assert sum(bool(plain.search(line)) for line in lines) >= 12
    for line in lines:
        assert bool(p.CAPTION.search(line)) == bool(plain.search(line)), line


def test_the_promo_lookahead_changes_no_match():
    first_letters = "acdfhijklnprstuvwy"
    plain = _without_lookahead(p.PROMO, first_letters)
    body = plain.pattern[plain.pattern.index("(?:") + 3 : plain.pattern.rindex(")")]
    words = re.split(r"\|(?![^(]*\))", body)
    assert "".join(sorted({w[0] for w in words})) == first_letters
    lines = _sample_lines()
    lines += ["SUBSCRIBE to our Newsletter", "Follow us on Twitter | Facebook", "Like us? Sign-up"]
    lines += ["Jetzt abonnieren", "Folgen Sie uns auf Instagram", "Síguenos en Twitter", "Udostępnij"]
    lines += ["ſubscribe"]  # a long s: case-insensitive `s`, in the lookahead as in the word
    assert any(plain.search(line) for line in lines)
    for line in lines:
        assert p.PROMO.findall(line) == plain.findall(line)

"""The modern-pages source: snippet labelling, site names and snippet scores, on written examples."""

from __future__ import annotations

import pytest

from training.evaluate import ARTICLE_LABELS
from training.modern import (
    HAND_LABELS,
    HAND_SOURCE,
    ModernDoc,
    decode_page,
    hand_labelled_docs,
    host_of_name,
    label_lines,
    page_site,
    read_hand_labels,
    snippet_scores,
)

WITH = "The council voted on Tuesday to close the old bridge"
WITHOUT = "Sign up for our newsletter"


def test_a_line_holding_a_with_snippet_is_body_even_with_more_text() -> None:
    lines = [f"After a long debate, {WITH} for good.", "Unrelated line"]
    assert label_lines(lines, [WITH], []) == ["body", None]


def test_a_snippet_over_two_lines_makes_each_mostly_covered_line_body() -> None:
    # A tool broke the sentence at a link; both parts lie wholly inside the snippet.
    lines = ["The council voted on Tuesday", "to close the old bridge"]
    assert label_lines(lines, [WITH], []) == ["body", "body"]


def test_a_line_less_than_sixty_percent_inside_a_spanning_snippet_is_unlabelled() -> None:
    # 6 of the second line's 21 non-space characters are in the snippet ("bridge"): under a third.
    lines = ["The council voted on Tuesday to close the old", "bridge and much more text"]
    assert label_lines(lines, [WITH], []) == ["body", None]


def test_a_line_mostly_made_of_a_without_snippet_is_boilerplate() -> None:
    lines = [f"{WITHOUT}!", f"{WITHOUT} and win a prize worth a thousand euros today"]
    # The first line is all snippet; the second only about 40 % of it.
    assert label_lines(lines, [], [WITHOUT]) == ["other", None]


def test_matching_ignores_line_breaks_quotes_and_odd_spaces() -> None:
    lines = ["„Wir bleiben\u00a0hier“,", "sagte sie."]
    assert label_lines(lines, ['"Wir bleiben hier", sagte sie.'], []) == ["body", "body"]


def test_a_one_word_without_snippet_must_be_a_whole_word() -> None:
    assert label_lines(["Abonnieren", "Abo"], [], ["Abo"]) == [None, "other"]


def test_longer_snippets_may_start_inside_a_word() -> None:
    # trafilatura's authors cut some snippets mid-word.
    assert label_lines(["Vaccination reduces hospitalisations"], ["cination reduces hosp"], []) == ["body"]


def test_a_with_snippet_found_twice_labels_neither_line() -> None:
    lines = ["Fazit", "Some text of the article.", "Fazit", "The verdict, at last."]
    assert label_lines(lines, ["Fazit"], []) == [None, None, None, None]


def test_a_line_both_rules_label_stays_unlabelled() -> None:
    assert label_lines(["Read more here"], ["Read more here"], ["Read more"]) == [None]


@pytest.mark.parametrize(
    ("url", "canonical", "site"),
    [
        ("https://www.zeit.de/politik/a.html", "", "zeit.de"),
        ("https://www.rtl.de/cms/bericht.html ", "", "rtl.de"),
        ("xhttps://www.zoo-berlin.de/de/aktuelles", "", "zoo-berlin.de"),
        ("https://web.archive.org/web/20160330101229/http://muffinrezept.net/muffin", "", "muffinrezept.net"),
        ("https://web.archive.org/web/20130307194448/the-pain.net/2008/05/x.html", "", "the-pain.net"),
        ("hard::guetemala.com-nicole.html", "https://www.guatemala.com/noticias/x", "guatemala.com"),
        ("hard::zeit.de.zugverkehr.html", "", "zeit.de"),
        ("recall::elnuevoherald.com-miami.html", "", "elnuevoherald.com"),
    ],
)
def test_page_site(url: str, canonical: str, site: str) -> None:
    assert page_site(url, canonical) == site


@pytest.mark.parametrize(
    ("name", "host"),
    [
        ("100noticias.com-millones.html", "100noticias.com"),
        ("dw.com.colonial.html", "dw.com"),
        ("diaadia.com.pa-ulpiano.html", "diaadia.com.pa"),
        ("jis.gov.jm-investment.html", "jis.gov.jm"),
        ("jamaica.gleaner.com-victims.html", "jamaica.gleaner.com"),
        ("mercurynews.com.2023.01.16.letters-1119.html", "mercurynews.com"),
        ("iwr.de.IWR-Pressedienst.html", "iwr.de"),
        ("blog.python.org.html", "blog.python.org"),
    ],
)
def test_host_of_a_hard_case_name(name: str, host: str) -> None:
    assert host_of_name(name) == host


def test_decode_page_reads_undeclared_legacy_bytes_as_windows_1252() -> None:
    assert "Größe – 5 €" in decode_page("<p>Größe – 5 €</p>".encode("cp1252"))
    # UTF-8 with one stray byte stays UTF-8.
    assert "Größe" in decode_page("<p>Größe</p>".encode() + b"\xff")


#: A page as bs4 might give it: a menu, the snippet broken at a link, a promo.
PAGE_LINES = ["Home", "The council voted on Tuesday", "to close the old bridge", WITHOUT]


def _doc(doc_id: str, shape: str, lines: list[str], tools: tuple[str, ...]) -> ModernDoc:
    return ModernDoc(
        doc_id=doc_id, site="example.org", url="", shape=shape, lines=lines,
        labels=label_lines(lines, [WITH, "never in the text"], [WITHOUT]), source="modern",
        tools=tools, with_snippets=(WITH, "never in the text"), without_snippets=(WITHOUT,),
    )


def test_snippet_scores_count_only_snippets_present_in_the_input() -> None:
    page = _doc("1/bs4", "page", PAGE_LINES, ("bs4",))
    extract = _doc("1/trafilatura-recall", "extract", [f"{WITH}."],
                   ("trafilatura-recall", "trafilatura-default"))
    kept = [[False, True, False, True], [True]]  # the page loses half the snippet and keeps the promo
    scores = snippet_scores([page, extract], kept)
    assert scores["by_shape"]["page"] == {
        "documents": 1, "with_present": 1, "with_kept": 0, "without_present": 1, "without_removed": 0,
        "with_kept_share": 0.0, "without_removed_share": 0.0,
    }
    assert scores["by_shape"]["extract"]["with_kept_share"] == 1.0
    assert scores["by_shape"]["extract"]["without_present"] == 0
    assert scores["all"]["documents"] == 2 and scores["all"]["with_present"] == 2
    assert scores["by_tool"]["trafilatura-default"] == scores["by_tool"]["trafilatura-recall"]
    assert set(scores["by_tool"]) == {"bs4", "trafilatura-recall", "trafilatura-default"}


def test_snippet_scores_of_keeping_labelled_body_lines() -> None:
    page = _doc("1/bs4", "page", PAGE_LINES, ("bs4",))
    scores = snippet_scores([page], [[label == "body" for label in page.labels]])
    assert scores["all"]["with_kept_share"] == 1.0 and scores["all"]["without_removed_share"] == 1.0


def test_a_hand_read_extract_becomes_a_document_labelled_by_hand_alone() -> None:
    lines = ["Bridge to close", f"{WITH}.", "", "Zutaten", WITHOUT, "Not read by hand"]
    extract = _doc("7/trafilatura-recall", "extract", lines, ("trafilatura-recall",))
    other_tool = _doc("7/readability", "extract", lines, ("readability",))
    page = _doc("7/bs4", "page", lines, ("bs4",))
    hand = {"7/trafilatura-recall": {"Bridge to close": "title", f"{WITH}.": "body", "Zutaten": "body",
                                     WITHOUT: "promo"},
            "7/bs4": {"Zutaten": "body"}}  # whole-page text is not what was read: left out
    [doc] = hand_labelled_docs([extract, other_tool, page], hand)
    assert doc.labels == ["title", "body", None, "body", "promo", None]
    assert doc.source == HAND_SOURCE and doc.doc_id == "hand:7/trafilatura-recall"
    assert doc.lines == lines and doc.split == extract.split


def test_a_hand_read_extract_is_scored_on_its_snippets_as_the_hand_labels_keep_them() -> None:
    # The teaser under the headline is a `with` snippet; by hand it is the standfirst, which
    # the body does not keep: the snippets' ceiling for this project's labels is below 1.
    lines = ["Bridge to close", f"{WITH}.", "It reopens in May.", WITHOUT]
    extract = _doc("8/trafilatura-recall", "extract", lines, ("trafilatura-recall",))
    hand = {"8/trafilatura-recall": {"Bridge to close": "title", f"{WITH}.": "standfirst",
                                     "It reopens in May.": "body", WITHOUT: "promo"}}
    [doc] = hand_labelled_docs([extract], hand)
    assert isinstance(doc, ModernDoc) and doc.with_snippets == extract.with_snippets
    as_body = snippet_scores([doc], [[label == "body" for label in doc.labels]])["all"]
    as_article = snippet_scores([doc], [[label in ARTICLE_LABELS for label in doc.labels]])["all"]
    assert (as_body["with_kept_share"], as_body["without_removed_share"]) == (0.0, 1.0)
    assert (as_article["with_kept_share"], as_article["without_removed_share"]) == (1.0, 1.0)


def test_a_text_hand_labelled_two_ways_in_a_document_labels_nothing(tmp_path) -> None:
    path = tmp_path / "lines.jsonl"
    path.write_text(
        '{"page": "1", "tool": "trafilatura-recall", "lines": [["other", "Teilen"], ["promo", " Teilen "], '
        '["body", "Zutaten"]]}\n',
        encoding="utf-8",
    )
    assert read_hand_labels(path) == {"1/trafilatura-recall": {"Zutaten": "body"}}


def test_shipped_hand_labels_use_the_cleaners_labels() -> None:
    from cleaner.result import LABELS

    hand = read_hand_labels(HAND_LABELS)
    assert len(hand) >= 600
    used = {label for texts in hand.values() for label in texts.values()}
    assert used <= set(LABELS) - {"blank", "navigation"}


def test_the_hand_labelled_lines_are_evaluated_and_never_trained_on() -> None:
    """They include every extractor output of the test sites read by hand."""
    from training.dataset import EVAL_SOURCES, SOURCES

    for source in ("modern-hand", "cleaned-modern-hand"):
        assert source in EVAL_SOURCES and source not in SOURCES

"""Modern web pages (trafilatura's evaluation set, mostly 2019-2023) as partly labelled lines.

The 2008 pages of L3S-GN1 are not what extractors meet today. `trafilatura_eval/` has 977
recent pages from ~970 sites (mostly German and English), each with 2-6 snippets that
belong to the main text (`with`) and 2-6 that do not (`without`: menus, dates, teasers).

Every page is turned into text the way pipelines do it, by more than one tool each, so
that a model learns articles rather than one tool's line breaks:

* shape "page" (whole visible text): BeautifulSoup `get_text("\\n")` over the body without
  script/style/noscript ("bs4"), which also breaks at inline elements; and trafilatura's
  `html2txt` cleaning (asides, footers, cookie banners go) with one line per block element
  ("html2txt"). `html2txt` itself returns the page as one line, so the lines are cut here
  at block elements with lxml (`training.l3s.page_lines`, an innerText-like walk).
* shape "extract" (extractor output): trafilatura with favor_recall and no comments (the
  settings `cleaner.page` uses), trafilatura with default settings, and the readability
  algorithm (the fork trafilatura ships in `trafilatura.readability_lxml`; its summary HTML
  is cut into lines at block elements). The package readability-lxml is not used: it
  requires chardet, whose presence makes bs4's `UnicodeDammit` (and so
  `cleaner.page.decode_html`) sniff charsets with chardet instead of charset_normalizer.

When two tools give a page exactly the same lines, one document stands for both
(`ModernDoc.tools` names them): an identical copy adds rows to train on, not information.

Labels come only from the snippets; a line gets one when the snippets say what it is:

* Matching ignores whitespace (tools break and join lines differently, and may put a line
  break or a space at an inline element) after NFKC and mapping curly quotes and dashes to
  ASCII ones. The snippets are cut anywhere, even inside words ("cination reduces"), so
  any substring matches, except that a one-word snippet must be a whole word ("Abo" is not
  found in "Abonnieren").
* "body": the line contains a whole `with` snippet, or at least COVERED_SHARE of its
  non-space characters lie inside `with` snippet occurrences (a snippet spanning lines).
  A `with` snippet found more than once in a document labels nothing (a heading repeated
  in a table of contents, a title in a breadcrumb: which one is the article's is unknown).
* "other" (boilerplate): at least COVERED_SHARE of the line's non-space characters lie
  inside `without` snippet occurrences (every occurrence counts: menus repeat). "other"
  is the generic not-body label L3S's boilerplate class also maps to; the snippets do not
  say which kind of boilerplate a line is, and guessing with `cleaner.patterns` would
  teach the model those patterns back.
* A line both rules label, and every other line (partly covered, or no snippet at all),
  is unlabelled (None): context for its neighbours' features, no training loss.

The snippets label about one line in thirteen of extractor output, mostly long paragraphs.
Every line of one extractor output of some pages was also labelled by hand
(`HAND_LABELS`, training/DATA.md); `hand_labelled_docs` makes those outputs documents of
their own, labelled by hand only, for the evaluation (`make eval` on test sites, `make cv`
on train and dev ones): body recall over all of a page's lines, not over snippet lines alone.

`snippet_scores` is the evaluation trafilatura's authors use, for any line cleaner: of the
snippets present in the input text, the share of `with` ones the kept lines keep and of
`without` ones they remove.

Run `python -m training.modern` for the counts per split and tool, snippet baselines on
the test split and a sample of labelled lines.
"""

from __future__ import annotations

import argparse
import bisect
import gzip
import importlib.metadata
import json
import logging
import random
import re
import time
import unicodedata
import warnings
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from training.docs import DATA_DIR, LabelledDoc, site_of
from training.l3s import PAGE_ERRORS, decode_html, page_lines, parse_html

__all__ = [
    "ModernDoc",
    "hand_labelled_docs",
    "load_modern",
    "label_lines",
    "read_hand_labels",
    "page_site",
    "snippet_scores",
    "SnippetIndex",
]

MODERN_DIR = DATA_DIR / "trafilatura_eval"
#: Every line of one extractor output of a page, labelled by hand (training/DATA.md).
HAND_LABELS = Path(__file__).parent / "annotations" / "modern" / "extract_lines.jsonl"
HAND_SOURCE = "modern, hand-labelled lines"
DEFAULT_CACHE_DIR = Path(__file__).parent / ".cache"
SOURCE = "modern"
SHAPES = ("page", "extract")
#: Bump when a converter changes in a way the library versions in the cache key do not show.
CACHE_VERSION = 2

# --- labelling ----------------------------------------------------------------------------

#: A line is labelled by snippets covering at least this share of its non-space characters.
COVERED_SHARE = 0.6
BODY, BOILERPLATE = "body", "other"

_CHAR_MAP = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u00b4`", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
    **dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff\u00ad", ""),
}
#: A regex finds the few characters to map much faster than str.translate walks them all.
_MAPPED_CHAR = re.compile("[" + "".join(map(re.escape, _CHAR_MAP)) + "]")
#: From here on (CJK radicals, kana, ideographs...) scripts put no spaces between words, so
#: any two characters meet at a possible word boundary.
UNSPACED_SCRIPTS = "\u2e80"


def normalise(text: str) -> str:
    """`text` as snippets are matched: NFKC, ASCII quotes and dashes, no invisible characters."""
    return _MAPPED_CHAR.sub(lambda m: _CHAR_MAP[m.group()], unicodedata.normalize("NFKC", text))


def _normalise_lines(lines: list[str]) -> list[str]:
    """`normalise` of every line, in one call for speed where no line holds a newline."""
    if any("\n" in line for line in lines):
        return [normalise(line) for line in lines]
    return normalise("\n".join(lines)).split("\n") if lines else []


class SnippetIndex:
    """Lines joined without any whitespace, to find snippets however a tool broke the lines.

    A tool may break a sentence at a link (bs4) or glue two blocks (an extractor), so line
    breaks and spaces are ignored. A one-word snippet must match a whole word of the
    original text, so that "Abo" is not found inside "Abonnieren"; longer snippets may
    start and end inside words, as trafilatura's authors cut some.
    """

    def __init__(self, lines: list[str]) -> None:
        self.norm = _normalise_lines(lines)
        squeezed = ["".join(line.split()) for line in self.norm]
        self.starts: list[int] = []
        pos = 0
        for part in squeezed:
            self.starts.append(pos)
            pos += len(part)
        self.ends = [start + len(part) for start, part in zip(self.starts, squeezed, strict=True)]
        self.text = "".join(squeezed)
        self._word_starts: dict[int, set[int]] = {}

    def line_at(self, pos: int) -> int:
        """Index of the line holding character `pos` of the squeezed text."""
        return bisect.bisect_right(self.starts, pos) - 1 if pos < len(self.text) else len(self.starts) - 1

    def chars(self, i: int) -> int:
        return self.ends[i] - self.starts[i]

    def _is_word_start(self, pos: int) -> bool:
        """True if a space, a line start, a non-word or a CJK character comes before `pos`."""
        if pos <= 0 or pos >= len(self.text):
            return True
        before, after = self.text[pos - 1], self.text[pos]
        if not (before.isalnum() and after.isalnum()) or max(before, after) >= UNSPACED_SCRIPTS:
            return True
        i = self.line_at(pos)
        if pos == self.starts[i]:
            return True
        if i not in self._word_starts:  # squeezed offsets, within the line, of its words
            starts, offset = set(), 0
            for word in self.norm[i].split():
                starts.add(offset)
                offset += len(word)
            self._word_starts[i] = starts
        return pos - self.starts[i] in self._word_starts[i]

    def find_all(self, snippet: str) -> list[tuple[int, int]]:
        """[start, end) of every occurrence of `snippet` in the squeezed text (see the class)."""
        words = normalise(snippet).split()
        needle = "".join(words)
        found: list[tuple[int, int]] = []
        if not needle:
            return found
        at = self.text.find(needle)
        while at >= 0:
            end = at + len(needle)
            if len(words) > 1 or (self._is_word_start(at) and self._is_word_start(end)):
                found.append((at, end))
            at = self.text.find(needle, at + 1)
        return found

    def covered(self, spans: list[tuple[int, int]]) -> list[int]:
        """Per line, how many of its characters lie inside any of `spans`."""
        out = [0] * len(self.starts)
        merged: list[list[int]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        for start, end in merged:
            i = self.line_at(start)
            while i < len(self.starts) and self.starts[i] < end:
                out[i] += max(0, min(end, self.ends[i]) - max(start, self.starts[i]))
                i += 1
        return out


def label_lines(
    lines: list[str], with_snippets: Sequence[str], without_snippets: Sequence[str]
) -> list[str | None]:
    """"body", "other" or None for every line, by the rules of the module docstring."""
    index = SnippetIndex(lines)
    body_spans: list[tuple[int, int]] = []
    holds_snippet: set[int] = set()
    for snippet in with_snippets:
        found = index.find_all(snippet)
        if len(found) != 1:  # absent, or ambiguous
            continue
        start, end = found[0]
        body_spans.append((start, end))
        first, last = index.line_at(start), index.line_at(end - 1)
        if first == last:
            holds_snippet.add(first)
    boilerplate_spans = [span for snippet in without_snippets for span in index.find_all(snippet)]
    in_body = index.covered(body_spans)
    in_boilerplate = index.covered(boilerplate_spans)
    labels: list[str | None] = []
    for i in range(len(lines)):
        size = index.chars(i)
        body = size > 0 and (i in holds_snippet or in_body[i] >= COVERED_SHARE * size)
        boilerplate = size > 0 and in_boilerplate[i] >= COVERED_SHARE * size
        labels.append(None if body == boilerplate else BODY if body else BOILERPLATE)
    return labels


# --- sites --------------------------------------------------------------------------------

#: Labels that end a host name in the names of trafilatura's "hard" cases, besides any
#: two-letter country code: "dw.com.colonial.html", "diaadia.com.pa-ulpiano.html".
_GENERIC_TLDS = frozenset("com org net gov edu info biz eu int mil name pro io co ac".split())
#: Second-level labels under a country code: "com.pa", "gov.jm", "co.uk".
_SECOND_LEVEL = frozenset("com org net gov edu co ac".split())
_ARCHIVE = re.compile(r"^/web/\d+[a-z_]*/(.+)$")


def _is_tld(label: str) -> bool:
    return label.isalpha() and (len(label) == 2 or label.lower() in _GENERIC_TLDS)


def host_of_name(name: str) -> str:
    """The host in a page name like "jis.gov.jm-investment.html" or "dw.com.colonial.html".

    The host ends at the first label that is a top-level domain (a country code may follow
    a generic second level: "com.pa"); a "-" starts the page's own part of the name.
    """
    labels = name.removesuffix(".html").split(".")
    for i in range(1, len(labels)):
        head = labels[i].split("-")[0]
        if not _is_tld(head):
            continue
        host = labels[:i] + [head]
        if head == labels[i] and i + 1 < len(labels):
            following = labels[i + 1].split("-")[0]
            if head.lower() in _SECOND_LEVEL and len(following) == 2 and following.isalpha():
                host.append(following)
        return ".".join(host).lower()
    return labels[0].split("-")[0].lower()


def page_site(url: str, canonical: str = "") -> str:
    """The site (host without "www.") of an evaldata page, the unit of the train/test split.

    `url` is a URL (possibly with stray spaces or characters before "http", or archived at
    web.archive.org: the archived page's host counts), or "hard::NAME" / "recall::NAME" for
    trafilatura's hard cases: their page's own canonical URL names the host when it has one
    (the names misspell some: "guetemala.com" is guatemala.com), else the name does.
    """
    url = url.strip()
    if "::" in url and not url.lower().startswith("http"):
        host = _host(canonical) if canonical else ""
        return site_of(host or host_of_name(url.split("::", 1)[1]))
    url = url[url.lower().find("http"):] if "http" in url.lower() else f"http://{url}"
    host = _host(url)
    if host == "web.archive.org" and (archived := _ARCHIVE.match(urlsplit(url).path)):
        inner = archived.group(1)
        host = _host(inner if "://" in inner else f"http://{inner}")
    return site_of(host)


def _host(url: str) -> str:
    try:
        return urlsplit(url.strip()).hostname or ""
    except ValueError:
        return ""


# --- converters: HTML -> lines ---------------------------------------------------------------

#: `decode_html` ends with lossy UTF-8. When more than this share of the non-ASCII
#: characters it gives are replacement characters, the page is in a legacy charset it does
#: not declare (one page here); a few bad bytes in UTF-8 text (eight pages) stay as they are.
LEGACY_BROKEN_SHARE = 0.5


def decode_page(raw: bytes) -> str:
    """Page bytes as text: `training.l3s.decode_html`, and windows-1252 for undeclared legacy pages.

    windows-1252 is what browsers fall back to for such pages in Western locales. bs4's
    `UnicodeDammit` (`cleaner.page.decode_html`) was tried too: it reads 8 of the 977 pages
    as macroman (4 of them declare UTF-8 but have a stray bad byte), and finds fewer
    snippets than this on 6 pages, more on none but the undeclared legacy one.
    """
    text = decode_html(raw)
    if "\ufffd" not in text:
        return text
    non_ascii = sum(1 for ch in text if ord(ch) > 127)
    if text.count("\ufffd") > LEGACY_BROKEN_SHARE * non_ascii:
        return raw.decode("cp1252", errors="replace")
    return text


#: trafilatura's settings for the two extract variants. The first is `cleaner.page`'s.
TRAFILATURA_RECALL = {"favor_recall": True, "include_comments": False}
TRAFILATURA_DEFAULT: dict[str, object] = {}
#: Elements whose text get_text would otherwise return though no reader sees it.
BS4_DROP = ("script", "style", "noscript")


def _clean_lines(text_lines: list[str]) -> list[str]:
    """Whitespace collapsed in each line, empty lines dropped."""
    return [line for line in (" ".join(raw.split()) for raw in text_lines) if line]


def page_bs4(html: str) -> list[str]:
    """The body's text as BeautifulSoup's get_text("\\n") gives it: a line per text node."""
    from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(html, "lxml")
    root = soup.body or soup
    for tag in root(list(BS4_DROP)):
        tag.decompose()
    return _clean_lines(root.get_text("\n").splitlines())


def page_html2txt(html: str) -> list[str]:
    """What trafilatura's html2txt keeps of the page, one line per block element."""
    from trafilatura.baseline import basic_cleaning
    from trafilatura.utils import load_html

    tree = load_html(html)
    body = tree.find(".//body") if tree is not None else None
    if body is None:
        return []
    basic_cleaning(body)
    return _clean_lines([line for line, _ in page_lines(tree)])


def _extract_with(options: dict[str, object]) -> Callable[[str], list[str]]:
    def extract(html: str) -> list[str]:
        import trafilatura

        return _clean_lines((trafilatura.extract(html, **options) or "").splitlines())  # type: ignore[arg-type]

    return extract


def extract_readability(html: str) -> list[str]:
    """The readability algorithm's article (trafilatura's fork of it), a line per block."""
    from trafilatura.readability_lxml import Document
    from trafilatura.utils import load_html

    tree = load_html(html)
    if tree is None:
        return []
    summary = Document(tree).summary()
    return _clean_lines([line for line, _ in page_lines(parse_html(summary))]) if summary.strip() else []


#: tool -> (shape, converter). Within a shape, the order decides which name an identical
#: output is filed under first.
TOOLS: dict[str, tuple[str, Callable[[str], list[str]]]] = {
    "bs4": ("page", page_bs4),
    "html2txt": ("page", page_html2txt),
    "trafilatura-recall": ("extract", _extract_with(TRAFILATURA_RECALL)),
    "trafilatura-default": ("extract", _extract_with(TRAFILATURA_DEFAULT)),
    "readability": ("extract", extract_readability),
}

_CANONICAL = ('//link[@rel="canonical"]/@href', '//meta[@property="og:url"]/@content')


def canonical_url(html: str) -> str:
    """The URL the page gives for itself (canonical link or og:url), "" if none."""
    try:
        root = parse_html(html)
    except PAGE_ERRORS:
        return ""
    for xpath in _CANONICAL:
        for value in root.xpath(xpath):
            if str(value).strip().lower().startswith("http"):
                return str(value).strip()
    return ""


# --- cache --------------------------------------------------------------------------------


def _cache_path(cache_dir: Path) -> Path:
    """One JSONL file per version of the conversions: library versions and options in its name."""
    key = json.dumps(
        {
            "version": CACHE_VERSION,
            "tools": list(TOOLS),
            "recall": TRAFILATURA_RECALL,
            "default": TRAFILATURA_DEFAULT,
            "bs4_drop": BS4_DROP,
            "libraries": [importlib.metadata.version(p) for p in ("trafilatura", "beautifulsoup4", "lxml")],
        },
        sort_keys=True,
    )
    return cache_dir / f"modern_v{CACHE_VERSION}_{zlib.crc32(key.encode()):08x}.jsonl"


@contextmanager
def _quiet_trafilatura() -> Iterator[None]:
    """trafilatura logs a warning for every page it finds little in; pages are counted instead."""
    logger = logging.getLogger("trafilatura")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def convert_page(html: str) -> dict:
    """Every tool's lines for one page, its canonical URL, and what failed."""
    record: dict = {"canonical": canonical_url(html), "lines": {}, "errors": {}}
    for tool, (_, convert) in TOOLS.items():
        try:
            record["lines"][tool] = convert(html)
        except PAGE_ERRORS as exc:
            record["errors"][tool] = f"{type(exc).__name__}: {exc}"
            record["lines"][tool] = []
    return record


def read_records(data_dir: Path = MODERN_DIR) -> list[dict]:
    with (data_dir / "evaldata.jsonl").open(encoding="utf-8") as f:
        return [json.loads(raw) for raw in f if raw.strip()]


def converted_pages(
    data_dir: Path = MODERN_DIR, cache_dir: Path | None = DEFAULT_CACHE_DIR
) -> dict[str, dict]:
    """page id -> `convert_page` record, from the cache when it is there (else built and saved)."""
    path = _cache_path(cache_dir) if cache_dir is not None else None
    if path is not None and path.exists():
        with path.open(encoding="utf-8") as f:
            return {rec["id"]: rec for rec in map(json.loads, f)}
    converted: dict[str, dict] = {}
    with _quiet_trafilatura():
        for rec in read_records(data_dir):
            html = decode_page(gzip.decompress((data_dir / rec["file"]).read_bytes()))
            converted[rec["id"]] = {"id": rec["id"], **convert_page(html)}
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as f:
            for rec in converted.values():
                f.write(json.dumps(rec, ensure_ascii=False) + "\n")
        tmp.replace(path)
    return converted


# --- documents ----------------------------------------------------------------------------


@dataclass
class ModernDoc(LabelledDoc):
    """A LabelledDoc that keeps its page's snippets, for `snippet_scores`."""

    tools: tuple[str, ...] = ()  # the tools that gave exactly these lines
    with_snippets: tuple[str, ...] = ()
    without_snippets: tuple[str, ...] = ()


def load_modern(
    cache_dir: Path | None = DEFAULT_CACHE_DIR, shapes: tuple[str, ...] = SHAPES, data_dir: Path = MODERN_DIR
) -> list[ModernDoc]:
    """Every page in every tool's lines, labelled from its snippets (see the module docstring)."""
    unknown = set(shapes) - set(SHAPES)
    if unknown:
        raise ValueError(f"unknown shapes {sorted(unknown)}; known: {SHAPES}")
    return docs_of_pages(read_records(data_dir), converted_pages(data_dir, cache_dir), shapes)


def read_hand_labels(path: Path = HAND_LABELS) -> dict[str, dict[str, str]]:
    """document id (page/tool) -> {stripped line text: label}, for texts given one label only
    in their document (a repeated "Teilen" labelled two ways labels nothing)."""
    found: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    with path.open(encoding="utf-8") as f:
        for raw in f:
            if raw.strip():
                rec = json.loads(raw)
                for label, text in rec["lines"]:
                    found[f"{rec['page']}/{rec['tool']}"][text.strip()].add(label)
    return {doc: {text: labels.pop() for text, labels in texts.items() if len(labels) == 1}
            for doc, texts in found.items()}


def hand_labelled_docs(docs: list[ModernDoc], hand: dict[str, dict[str, str]]) -> list[ModernDoc]:
    """The extractor outputs that were read by hand, as documents labelled by hand alone (a
    line whose text is not among the hand-labelled ones, such as a blank line, is unlabelled).

    They keep their page's snippets: scored under the hand labels, the snippets show how many
    `with` ones a cleaner following this project's labels (a title and a standfirst off the
    body, captions and credits out) can keep at best."""
    return [
        replace(doc, doc_id=f"hand:{doc.doc_id}", source=HAND_SOURCE,
                labels=[hand[doc.doc_id].get(line.strip()) for line in doc.lines])
        for doc in docs if doc.doc_id in hand and doc.shape == "extract"
    ]


def docs_of_pages(
    records: list[dict], converted: dict[str, dict], shapes: tuple[str, ...] = SHAPES
) -> list[ModernDoc]:
    """The labelled documents of evaldata records, from their pages' converted lines."""
    docs: list[ModernDoc] = []
    for rec in records:
        page = converted[rec["id"]]
        site = page_site(rec["url"], page["canonical"])
        by_lines: dict[tuple[str, ...], ModernDoc] = {}
        for tool, (shape, _) in TOOLS.items():
            lines = page["lines"].get(tool) or []
            if shape not in shapes or not lines:
                continue
            if (twin := by_lines.get((shape, *lines))) is not None:
                twin.tools += (tool,)
                continue
            doc = ModernDoc(
                doc_id=f"{rec['id']}/{tool}",
                site=site,
                url=rec["url"].strip(),
                shape=shape,
                lines=list(lines),
                labels=label_lines(lines, rec["with"], rec["without"]),
                source=SOURCE,
                tools=(tool,),
                with_snippets=tuple(rec["with"]),
                without_snippets=tuple(rec["without"]),
            )
            by_lines[(shape, *lines)] = doc
            docs.append(doc)
    return docs


# --- evaluation ---------------------------------------------------------------------------


def _present(index: SnippetIndex, snippet: str) -> bool:
    return bool(index.find_all(snippet))


def doc_snippet_counts(doc: ModernDoc, kept: list[bool]) -> Counter[str]:
    """Of the snippets present in the doc's lines: `with` ones kept, `without` ones removed."""
    if len(kept) != len(doc.lines):
        raise ValueError(f"{doc.doc_id}: {len(kept)} kept flags for {len(doc.lines)} lines")
    source = SnippetIndex(doc.lines)
    output = SnippetIndex([line for line, keep in zip(doc.lines, kept, strict=True) if keep])
    counts: Counter[str] = Counter(documents=1)
    for snippet in doc.with_snippets:
        if _present(source, snippet):
            counts["with_present"] += 1
            counts["with_kept"] += _present(output, snippet)
    for snippet in doc.without_snippets:
        if _present(source, snippet):
            counts["without_present"] += 1
            counts["without_removed"] += not _present(output, snippet)
    return counts


COUNT_KEYS = ("documents", "with_present", "with_kept", "without_present", "without_removed")


def _shares(counts: Counter[str]) -> dict[str, float | int]:
    out: dict[str, float | int] = {k: counts[k] for k in COUNT_KEYS}
    out["with_kept_share"] = _share(counts["with_kept"], counts["with_present"])
    out["without_removed_share"] = _share(counts["without_removed"], counts["without_present"])
    return out


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def snippet_scores(docs: list[ModernDoc], kept: list[list[bool]]) -> dict:
    """Shares of `with` snippets kept and `without` snippets removed, over all, per shape and per tool.

    `kept[i][j]` says whether line j of docs[i] was kept. Only snippets present in a
    document's input count (an extractor that lost one made it unreachable); they are
    counted once per document. A document standing for several identical tool outputs
    counts once overall and in its shape, and once for each of its tools.
    """
    if len(docs) != len(kept):
        raise ValueError(f"{len(docs)} documents but {len(kept)} kept lists")
    totals: dict[str, Counter[str]] = defaultdict(Counter)
    for doc, keep in zip(docs, kept, strict=True):
        if not isinstance(doc, ModernDoc):
            raise TypeError(f"{doc.doc_id} has no snippets: only modern documents can be scored")
        counts = doc_snippet_counts(doc, keep)
        totals["all"].update(counts)
        totals[f"shape:{doc.shape}"].update(counts)
        for tool in doc.tools:
            totals[f"tool:{tool}"].update(counts)
    grouped: dict[str, dict] = {"all": _shares(totals.pop("all")), "by_shape": {}, "by_tool": {}}
    for key, counts in sorted(totals.items()):
        kind, name = key.split(":", 1)
        grouped[f"by_{kind}"][name] = _shares(counts)
    return grouped


# --- report -------------------------------------------------------------------------------

SAMPLE_SEED = 977
SAMPLE_WIDTH = 140
SPLITS = ("train", "dev", "test")


def _print_counts(docs: list[ModernDoc], records: list[dict], title: str) -> None:
    """Pages, documents, lines and labels per tool, and how many snippets each tool's text holds."""
    pages = {d.doc_id.split("/")[0] for d in docs}
    snippets = {rec["id"]: rec for rec in records if rec["id"] in pages}
    n_with = sum(len(rec["with"]) for rec in snippets.values())
    n_without = sum(len(rec["without"]) for rec in snippets.values())
    print(f"\n== {title}: {len(pages)} pages, {len({d.site for d in docs})} sites, "
          f"{n_with} with / {n_without} without snippets")
    print(f"  {'shape':8} {'tool':20} {'docs':>5} {'distinct':>8} {'lines':>8} {'body':>6} {'other':>6} "
          f"{'with found':>11} {'without found':>14}")
    for tool, (shape, _) in TOOLS.items():
        mine = [d for d in docs if tool in d.tools]
        own = [d for d in mine if d.tools[0] == tool]
        labels = Counter(label for d in mine for label in d.labels)
        found_with = found_without = 0
        for d in mine:
            index = SnippetIndex(d.lines)
            found_with += sum(_present(index, s) for s in d.with_snippets)
            found_without += sum(_present(index, s) for s in d.without_snippets)
        print(f"  {shape:8} {tool:20} {len(mine):5} {len(own):8} {sum(len(d.lines) for d in mine):8} "
              f"{labels[BODY]:6} {labels[BOILERPLATE]:6} {found_with / max(n_with, 1):11.1%} "
              f"{found_without / max(n_without, 1):14.1%}")
    for shape in SHAPES:
        mine = [d for d in docs if d.shape == shape]
        labels = Counter(label for d in mine for label in d.labels)
        print(f"  {shape:8} {'(distinct docs)':20} {len(mine):5} {'':8} {sum(len(d.lines) for d in mine):8} "
              f"{labels[BODY]:6} {labels[BOILERPLATE]:6}")


def _print_baselines(docs: list[ModernDoc]) -> None:
    from training.evaluate import c4_keeps  # not at import: evaluate will import this module

    systems = {
        "keep-all": lambda d: [True] * len(d.lines),
        "c4-rule": lambda d: [c4_keeps(line) for line in d.lines],
        "gold labels (body kept)": lambda d: [label == BODY for label in d.labels],
    }
    print("\n== snippet scores on the test split (with kept / without removed, of those in the input)")
    for name, keep in systems.items():
        scores = snippet_scores(docs, [keep(d) for d in docs])
        print(f"  {name}")
        for group in ("by_shape", "by_tool"):
            for key, s in scores[group].items():
                print(
                    f"    {key:20} docs {s['documents']:4}"
                    f"  with {s['with_kept']:4}/{s['with_present']:<4} {s['with_kept_share']:7.1%}"
                    f"  without {s['without_removed']:4}/{s['without_present']:<4}"
                    f" {s['without_removed_share']:7.1%}"
                )


def _print_sample(docs: list[ModernDoc], per_label: int, seed: int) -> None:
    """`per_label` labelled lines of each label, each from a different site, to check by eye."""
    rng = random.Random(seed)
    for label in (BODY, BOILERPLATE):
        pool = [(d, i) for d in docs for i, lab in enumerate(d.labels) if lab == label]
        rng.shuffle(pool)
        seen: set[str] = set()
        print(f"\n== {per_label} random lines labelled {label}, one per site")
        for d, i in pool:
            if d.site in seen:
                continue
            seen.add(d.site)
            print(f"  {label:5} {d.site[:28]:28} {d.tools[0]:19} {d.lines[i][:SAMPLE_WIDTH]}")
            if len(seen) == per_label:
                break


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data-dir", type=Path, default=MODERN_DIR)
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR)
    parser.add_argument("--no-cache", action="store_true", help="convert every page again")
    parser.add_argument("--sample", type=int, default=10, help="lines shown per label")
    parser.add_argument("--seed", type=int, default=SAMPLE_SEED)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    records = read_records(args.data_dir)
    converted = converted_pages(args.data_dir, None if args.no_cache else args.cache_dir)
    docs = docs_of_pages(records, converted)
    print(f"{len(docs)} documents in {time.perf_counter() - started:.1f} s")
    errors = Counter(tool for rec in converted.values() for tool in rec["errors"])
    empty = Counter(tool for rec in converted.values() for tool in TOOLS if not rec["lines"].get(tool))
    print(f"converter errors: {dict(errors)}; empty outputs (no document): {dict(empty)}")
    _print_counts(docs, records, "all pages")
    for split in SPLITS:
        _print_counts([d for d in docs if d.split == split], records, f"split {split}")
    _print_baselines([d for d in docs if d.split == "test"])
    _print_sample(docs, args.sample, args.seed)


if __name__ == "__main__":
    main()

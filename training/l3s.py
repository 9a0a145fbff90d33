"""L3S-GN1 news pages as labelled text lines, in two shapes a line classifier meets.

The dataset (Kohlschuetter et al., WSDM 2010) has 621 news pages, 472 of them here, where
human assessors wrapped every text block of the page in `<span class="x-nc-selN">`. This
module turns each page into:

* shape "page": the whole visible text of the annotated page, one line per block-level
  element, as a browser's innerText would give it; every line labelled from its spans;
* shape "extract": trafilatura's plain-text output for the original page, each line
  labelled by aligning it to the labelled page lines; unaligned lines stay unlabelled.

Run `python -m training.l3s` for the counts and a sample of labelled lines.
"""

from __future__ import annotations

import argparse
import bisect
import importlib.metadata
import json
import logging
import random
import re
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from cleaner.blocks import BLOCK_TAGS  # the same block elements as the HTML path
from cleaner.page import _XML_DECLARATION, decode_declared  # the same rules as the HTML path
from cleaner.patterns import AGENCY_CREDIT, AGENCY_SIGNOFF
from training.docs import DATA_DIR, LabelledDoc, site_of

__all__ = [
    "LABELS_BY_CLASS",
    "SUPPLEMENTAL_LABELS",
    "LabelledDoc",
    "LoadStats",
    "load_l3s",
    "load_l3s_with_stats",
    "page_lines",
    "align_extract",
    "supplemental_label",
]

log = logging.getLogger(__name__)

L3S_DIR = DATA_DIR / "l3s_gn1"
DEFAULT_CACHE_DIR = Path(__file__).parent / ".cache"
SOURCE = "L3S-GN1"
SHAPES = ("page", "extract")

# --- labels -------------------------------------------------------------------------------

BOILERPLATE, HEADLINE, FULLTEXT, SUPPLEMENTAL, RELATED, COMMENTS = range(6)
#: The human classes of L3S-GN1 as this project's line labels. Class 3 (supplemental) is
#: refined per line by `supplemental_label` into one of SUPPLEMENTAL_LABELS; "caption" is
#: what it falls back to.
LABELS_BY_CLASS: dict[int, str] = {
    BOILERPLATE: "other",
    HEADLINE: "title",
    FULLTEXT: "body",
    SUPPLEMENTAL: "caption",
    RELATED: "related",
    COMMENTS: "comment",
}
SUPPLEMENTAL_LABELS = ("byline", "dateline", "agency_credit", "legal", "caption")
#: A line partly covered by full text is body once full text is at least this share of its
#: characters: dropping article text costs more than keeping a stray credit or link.
BODY_MIN_SHARE = 0.5
#: Otherwise the class with most characters wins; ties go to the earlier class here.
TIE_ORDER = (FULLTEXT, HEADLINE, SUPPLEMENTAL, COMMENTS, RELATED, BOILERPLATE)

_LABEL_TIE_ORDER = tuple(
    label
    for cls in TIE_ORDER
    for label in (SUPPLEMENTAL_LABELS if cls == SUPPLEMENTAL else (LABELS_BY_CLASS[cls],))
)

_SEL_CLASS = re.compile(r"\bx-nc-sel([0-5])\b")
_INVISIBLE_CLASS = "x-nc-invisible"

# --- decoding -----------------------------------------------------------------------------

#: Characters the annotated copies have as "?": beyond Latin-1, and C1 controls (which
#: mis-decoded pages carry, e.g. the "\x9d" of a curly quote's UTF-8 read as windows-1252).
_LOST = re.compile(r"[^\x00-\x7f\xa0-\xff]")
_C1_CONTROLS = dict.fromkeys(range(0x80, 0xA0))


def decode_html(raw: bytes) -> str:
    """Page bytes as text: what the page declares (`cleaner.page.decode_declared`), else UTF-8 lossily.

    No charset guessing: the labelled text of the training pages must not depend on a sniffer.
    Valid UTF-8 goes before the declared charset because 87 of the 472 originals declare
    another charset (mostly ISO-8859-1) but are UTF-8.
    """
    text = decode_declared(raw)
    return raw.decode("utf-8", errors="replace") if text is None else text


#: UTF-8 read as windows-1252 ("Â©", "â€™"): a lead byte as Latin-1, then continuation bytes
#: as windows-1252 characters. Some pages were served and annotated that way.
_MOJIBAKE = re.compile(
    "[\xc2-\xf4][\x80-\xbf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]+"
)

_LONE_A_CIRCUMFLEX = re.compile(r"(?<=[\w:,.])Â(?= )")


def _unmojibake(match: re.Match[str]) -> str:
    try:
        return match.group().encode("cp1252").decode("utf-8")
    except UnicodeError:
        return match.group()


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 read as windows-1252 where a run of characters decodes back cleanly.

    A lone "Â" before a space is a no-break space whose second byte was already turned
    into a plain space (by an extractor, say): it goes too.
    """
    return _LONE_A_CIRCUMFLEX.sub("", _MOJIBAKE.sub(_unmojibake, text))


_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def lxml_ready(text: str) -> str:
    """The page without what lxml refuses in a str: an XML declaration, control characters."""
    return _CONTROL_CHARS.sub("", _XML_DECLARATION.sub("", text, count=1))


def parse_html(text: str) -> etree._Element:
    """The page's element tree."""
    text = lxml_ready(text)
    if not text.strip():
        raise ValueError("empty page")
    return lxml.html.document_fromstring(text)


# --- shape "page": lines of the annotated page ----------------------------------------------

#: Elements whose text a reader never sees.
SKIP_TAGS = frozenset({
    "applet", "audio", "canvas", "embed", "head", "iframe", "link", "map", "math", "meta",
    "noembed", "noframes", "noscript", "object", "param", "script", "style", "svg", "template",
    "title", "video",
})
#: Characters that take no space on screen and would only split or glue words wrongly.
_INVISIBLE_CHARS = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\xad"))

_OPEN, _TEXT, _BREAK = range(3)


def _pieces(root: etree._Element) -> Iterator[tuple[str, int] | None]:
    """Visible text of `root` in document order as (text, class) pieces; None ends a line.

    The class is that of the innermost enclosing x-nc-sel span, 0 outside every span.
    An explicit stack instead of recursion: some pages nest deeper than Python allows.
    """
    todo: list[tuple[int, object, int, bool]] = [(_OPEN, root, BOILERPLATE, False)]
    while todo:
        action, node, cls, in_pre = todo.pop()
        if action == _BREAK:
            yield None
            continue
        if action == _TEXT:
            assert isinstance(node, str)
            if in_pre:  # preformatted text keeps its line breaks
                for i, part in enumerate(node.split("\n")):
                    if i:
                        yield None
                    yield part, cls
            else:
                yield node, cls
            continue
        assert isinstance(node, etree._Element)
        if node.tail and node is not root:
            todo.append((_TEXT, node.tail, cls, in_pre))
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if not tag or tag in SKIP_TAGS:  # comments, processing instructions, invisible parts
            continue
        css = node.get("class") or ""
        if _INVISIBLE_CLASS in css:
            continue
        if tag == "span" and (sel := _SEL_CLASS.search(css)):
            cls = int(sel.group(1))
        in_pre = in_pre or tag in ("pre", "textarea", "listing", "plaintext", "xmp")
        block = tag in BLOCK_TAGS
        if block:
            todo.append((_BREAK, None, cls, in_pre))
        todo.extend((_OPEN, child, cls, in_pre) for child in reversed(node))
        if node.text:
            todo.append((_TEXT, node.text, cls, in_pre))
        if block:
            todo.append((_BREAK, None, cls, in_pre))


def _class_of(chars: Counter[int]) -> int:
    """The class of a line from the characters each class covers.

    A partly covered line takes the class with most of its non-space characters, except
    that full text covering at least BODY_MIN_SHARE makes it body: losing article text
    is worse than keeping a stray link or credit glued to a paragraph.
    """
    total = sum(chars.values())
    if chars[FULLTEXT] >= BODY_MIN_SHARE * total:
        return FULLTEXT
    return max(TIE_ORDER, key=lambda c: (chars[c], -TIE_ORDER.index(c)))


def page_lines(root: etree._Element) -> list[tuple[str, str]]:
    """(line, label) for every non-empty line of an annotated page, in document order."""
    body = root.find(".//body")
    if body is None:
        body = root
    lines: list[tuple[str, str]] = []
    texts: list[str] = []
    chars: Counter[int] = Counter()

    def flush() -> None:
        line = " ".join(repair_mojibake("".join(texts)).split())
        if line:
            cls = _class_of(chars)
            label = supplemental_label(line) if cls == SUPPLEMENTAL else LABELS_BY_CLASS[cls]
            lines.append((line, label))
        texts.clear()
        chars.clear()

    for piece in _pieces(body):
        if piece is None:
            flush()
            continue
        text, cls = piece
        text = text.translate(_INVISIBLE_CHARS)
        texts.append(text)
        chars[cls] += sum(1 for ch in text if not ch.isspace())
    flush()
    return lines


# --- class 3: byline, dateline or caption ---------------------------------------------------
# A heuristic refinement of one human label ("supplemental: belongs to the article but is
# not full text"): the assessors did not say which kind of supplement a line is, these
# rules guess it from the line's own text. Copyright notices, tags and the like fall to
# "caption", the catch-all.

_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE_OR_TIME = re.compile(
    rf"\b{_MONTH},?\s+\d{{1,2}}(?:st|nd|rd|th)?\b"  # January 9 / Jan. 9th
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}"  # 9 January / 1st January
    r"|\b\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4}\b"  # 01/13/2008, 2008-01-08, 30.12.07
    r"|\b\d{1,2}[:.]\d{2}(?::\d{2})?\s*(?:[ap]\.?m\b\.?)?"  # 11:54, 7:40 AM
    r"|\b\d{1,2}\s*[ap]\.?m\b\.?"  # 8 pm
    r"|\b\d+\s+(?:min(?:ute)?s?|hours?|hrs?|days?|weeks?)\s+ago\b",  # 2 days ago
    re.IGNORECASE,
)
#: Words a date stamp carries besides the date itself; what is left over is a place.
_STAMP_WORDS = frozenset(
    "posted published updated update last modified created filed launched article story date "
    "time on at am pm a m p gmt bst utc et est edt pst pdt cst cdt ist cet aest aedt sast "
    "monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs "
    "fri sat sun january february march april may june july august september october november "
    "december jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
#: A dateline may name where the story was filed: at most this many words besides the stamp.
MAX_PLACE_WORDS = 3
_BY_PREFIX = re.compile(
    r"^\W*(?:(?:written|posted|story|words|reported|compiled|text)\s+)?by(?:\s+\S|\W*$)", re.IGNORECASE
)
_CREDIT_WORDS = re.compile(
    r"\b(?:writer|correspondent|reporter|columnist|editor|staff|bureau|contributor|author|agencies"
    r"|associated press|reuters|afp|agence france-presse|ap|aap|upi|dpa|ians|pti|ani|xinhua"
    r"|canadian press|news services?|press association)\b",
    re.IGNORECASE,
)
#: A place in capitals and a wire agency: "WASHINGTON (AP)", "BUFFALO, New York (AFP)".
_PLACE_AND_AGENCY = re.compile(r"^[A-Z][A-Z.'-]{2,}(?:[ ,]+[A-Za-z.'-]+){0,3}\s*\([A-Za-z .]{2,20}\)\W*$")
#: A place alone, its date in the next block: "London," then "Jan 16 11:49".
_PLACE_ALONE = re.compile(r"^[A-Z][A-Za-z.'-]+(?: [A-Z][A-Za-z.'-]+){0,2},$")
_COPYRIGHT = re.compile(r"©|\(c\)|\bcopyright\b|\ball rights reserved\b", re.IGNORECASE)
_PHOTO_CREDIT = re.compile(r"\b(?:photos?|photograph\w*|pic|pictures?|images?|getty)\b|\w/\w", re.I)
#: Short enough to be a credit rather than a sentence that mentions a reporter.
MAX_CREDIT_WORDS = 8
MAX_NAME_WORDS = 4
_NAME_JOINERS = frozenset({"de", "van", "von", "der", "da", "del", "la", "le", "bin", "al", "and"})
#: Capitalised words of the section heads and labels that sit where a credit would.
_NOT_IN_NAMES = frozenset(
    "story highlights report news sport sports football league stats final photos video "
    "related more latest top world business topics tags page edition home opinion rugby union "
    "cricket tennis golf".split()
)
_WORD = re.compile(r"[^\W\d_]+(?:['’.-][^\W\d_]+)*\.?")


def _is_dateline(line: str) -> bool:
    """Mostly a date or time stamp, with at most a place name beside it."""
    if not _DATE_OR_TIME.search(line):
        return False
    rest = _DATE_OR_TIME.sub(" ", line)
    words = [w for w in _WORD.findall(rest.casefold()) if w.rstrip(".") not in _STAMP_WORDS]
    return len(words) <= MAX_PLACE_WORDS


def _is_name(line: str) -> bool:
    """Two to four capitalised words and nothing else: a person's name standing alone."""
    text = line.strip(" -–—|,.:;")
    if any(ch.isdigit() for ch in text):
        return False
    words = text.replace(",", " ").split()
    if not 2 <= len(words) <= MAX_NAME_WORDS or len(_WORD.findall(text)) != len(words):
        return False
    if any(w.casefold().strip(".") in _NOT_IN_NAMES for w in words):
        return False
    return all(w[0].isupper() or w.casefold() in _NAME_JOINERS for w in words)


def supplemental_label(line: str) -> str:
    """byline, dateline, agency_credit, legal or caption for a line marked supplemental."""
    # Credits and copyright lines have labels of their own in this project's schema.
    if AGENCY_CREDIT.search(line) or AGENCY_SIGNOFF.match(line):
        return "agency_credit"
    if _COPYRIGHT.search(line) and not _PHOTO_CREDIT.search(line):
        return "legal"
    if _BY_PREFIX.match(line):
        return "byline"
    if _is_dateline(line) or _PLACE_AND_AGENCY.match(line) or _PLACE_ALONE.match(line):
        return "dateline"
    if _PHOTO_CREDIT.search(line) or _COPYRIGHT.search(line):
        return "caption"
    if len(line.split()) <= MAX_CREDIT_WORDS and (_CREDIT_WORDS.search(line) or _is_name(line)):
        return "byline"
    return "caption"


# --- shape "extract": trafilatura's output, aligned to the labelled page lines -------------

#: How trafilatura is run; the cache folder's name carries these, so changing one re-extracts.
EXTRACT_OPTIONS: dict[str, object] = {
    "favor_recall": True,
    "include_comments": False,
    "include_tables": True,
    "output_format": "txt",
    "with_metadata": False,
}
#: An extract line is labelled only if at least this share of its characters is found in
#: the page lines; below it the label would be a guess.
MIN_ALIGNED_SHARE = 0.6
#: When a line is not found whole, runs of its words are; a run counts if it has this many
#: words or characters, so that a common word found somewhere else does not count.
MIN_RUN_WORDS = 3
MIN_RUN_CHARS = 20
#: A short extract line found inside a longer page line counts only this close (in
#: characters of normalised page text) after where the previous extract line was found.
SHORT_LINE_WINDOW = 300
_NON_ALNUM = re.compile(r"[\W_]+")


def normalise(text: str) -> str:
    """Casefolded words of `text` joined by single spaces, punctuation and symbols dropped.

    Both sides of the alignment go through this, so quotes, dashes and the "?" that
    stands for them in some annotated pages do not stop a match.
    """
    return " ".join(_NON_ALNUM.sub(" ", text.casefold()).split())


def _is_short(words: str) -> bool:
    """Too few words and characters to be placed in a page by the words alone."""
    return words.count(" ") + 1 < MIN_RUN_WORDS and len(words) < MIN_RUN_CHARS


def _extract_cache_path(cache_dir: Path, doc_id: str) -> Path:
    """Where one page's extract is kept: per trafilatura version and options, so none is stale."""
    key = json.dumps(EXTRACT_OPTIONS, sort_keys=True)
    tag = f"{importlib.metadata.version('trafilatura')}-{zlib.crc32(key.encode()):08x}"
    return cache_dir / f"l3s-trafilatura-{tag}" / f"{doc_id}.txt"


def extract_text(html: str, doc_id: str = "", cache_dir: Path | None = None) -> tuple[str, bool]:
    """trafilatura's plain text of a page ("" if it found none), and whether it was cached."""
    path = _extract_cache_path(cache_dir, doc_id) if cache_dir is not None and doc_id else None
    if path is not None and path.exists():
        return path.read_text(encoding="utf-8"), True
    import trafilatura  # slow to import: only when something is to be extracted

    text = trafilatura.extract(html, **EXTRACT_OPTIONS) or ""  # type: ignore[arg-type]
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    return text, False


class _PageText:
    """The normalised page lines as one string, to find extract lines and runs of words in.

    Lines are joined by single spaces with a space at each end, so a search for
    " words " matches whole words only, within one page line or across several.
    """

    def __init__(self, lines: list[tuple[str, str]]) -> None:
        parts: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.labels: list[str] = []
        pos = 1
        for line, label in lines:
            norm = normalise(line)
            if not norm:
                continue
            parts.append(norm)
            self.starts.append(pos)
            self.ends.append(pos + len(norm))
            self.labels.append(label)
            pos += len(norm) + 1
        self.text = " " + " ".join(parts) + " "
        self.line_starts: dict[str, list[int]] = {}
        for norm, start in zip(parts, self.starts, strict=True):
            self.line_starts.setdefault(norm, []).append(start)

    def find_line(self, words: str, cursor: int) -> int:
        """Start of a page line equal to `words`, else of `words` within or across lines.

        An equal line beats a line that merely contains the words; a short line that is
        neither equal to a page line nor found within SHORT_LINE_WINDOW after the cursor
        is not placed at all, as a word or two can be found almost anywhere.
        """
        if starts := self.line_starts.get(words):
            return next((start for start in starts if start >= cursor), starts[0])
        at = self.find(words, cursor)
        if at >= 0 and _is_short(words) and not 0 <= at - cursor <= SHORT_LINE_WINDOW:
            return -1
        return at

    def find(self, words: str, cursor: int) -> int:
        """Start of `words` as whole words, the first match at or after `cursor` preferred.

        Extract lines come in page order, so the next match is most likely the right one
        when a headline or a credit appears twice on a page.
        """
        needle = f" {words} "
        at = self.text.find(needle, max(cursor - 1, 0))
        if at < 0:
            at = self.text.find(needle)
        return at + 1 if at >= 0 else -1

    def label_chars(self, start: int, end: int, into: Counter[str]) -> None:
        """Add the characters of [start, end) to `into`, by the label of their page line."""
        i = max(bisect.bisect_right(self.starts, start) - 1, 0)
        while i < len(self.starts) and self.starts[i] < end:
            lo, hi = max(start, self.starts[i]), min(end, self.ends[i])
            if hi > lo:
                into[self.labels[i]] += hi - lo - self.text.count(" ", lo, hi)
            i += 1


def _label_of(chars: Counter[str], line: str) -> str:
    """The label of an extract line from the page labels its characters carry.

    The same rule as for page lines: body from BODY_MIN_SHARE, else the majority. The
    kind of supplement is decided again on the extract line's own text, which may join
    or split the page's lines.
    """
    if chars["body"] >= BODY_MIN_SHARE * sum(chars.values()):
        return "body"
    best = max(chars, key=lambda lab: (chars[lab], -_LABEL_TIE_ORDER.index(lab)))
    return supplemental_label(line) if best in SUPPLEMENTAL_LABELS else best


def align_extract(extract_lines: list[str], page: list[tuple[str, str]]) -> list[str | None]:
    """A label for every extract line from the labelled page lines, None where unaligned.

    A line is looked up whole first (it may lie inside one page line or span several
    joined ones); failing that, runs of its words are looked up one after another (for
    lines whose text differs a little from the annotated page) and the line is labelled
    if the runs found cover MIN_ALIGNED_SHARE of its characters.
    """
    index = _PageText(page)
    cursor = 0
    labels: list[str | None] = []
    for line in extract_lines:
        norm = normalise(line)
        if not norm:
            labels.append(None)
            continue
        chars: Counter[str] = Counter()
        at = index.find_line(norm, cursor)
        if at >= 0:
            index.label_chars(at, at + len(norm), chars)
            cursor = at + len(norm)
        else:
            cursor = _align_runs(norm.split(" "), index, cursor, chars)
        found = sum(chars.values())
        total = len(norm) - norm.count(" ")
        labels.append(_label_of(chars, line) if found >= MIN_ALIGNED_SHARE * total else None)
    return labels


def _align_runs(words: list[str], index: _PageText, cursor: int, chars: Counter[str]) -> int:
    """Find the longest runs of `words` in the page, left to right; returns the new cursor."""
    i = 0
    while i < len(words):
        at = index.find(words[i], cursor)
        if at < 0:
            i += 1
            continue
        j = i + 1
        while j < len(words) and (longer := index.find(" ".join(words[i : j + 1]), cursor)) >= 0:
            at, j = longer, j + 1
        run = " ".join(words[i:j])
        if not _is_short(run):
            index.label_chars(at, at + len(run), chars)
            cursor = at + len(run)
        i = j
    return cursor


# --- loading ------------------------------------------------------------------------------

#: What one page can throw that means "this page is broken", not "this code is broken".
PAGE_ERRORS: tuple[type[BaseException], ...] = (
    OSError, ValueError, LookupError, UnicodeError, RecursionError, etree.LxmlError,
)


@dataclass
class LoadStats:
    """What a load did, for the report: pages seen, skipped (with why) and extracted."""

    pages: int = 0
    loaded: int = 0
    skipped: dict[str, str] = field(default_factory=dict)  # doc_id -> reason
    no_extract: dict[str, str] = field(default_factory=dict)  # doc_id -> reason
    extracts_cached: int = 0
    lines_restored: int = 0  # page lines whose lost characters came back from the original


def read_url_mapping(data_dir: Path) -> dict[str, str]:
    """UUID -> page URL, from url-mapping.txt (`<urn:uuid:UUID>` TAB url)."""
    mapping: dict[str, str] = {}
    path = data_dir / "url-mapping.txt"
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        key, _, url = raw.partition("\t")
        doc_id = key.strip().removeprefix("<urn:uuid:").removesuffix(">")
        if doc_id and url.strip():
            mapping[doc_id] = url.strip()
    return mapping


def _site(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        host = ""
    return site_of(host)


def load_l3s(
    data_dir: Path = L3S_DIR, shapes: tuple[str, ...] = SHAPES, cache_dir: Path | None = None
) -> list[LabelledDoc]:
    """Every L3S-GN1 page as labelled documents of the given shapes, page by page."""
    return load_l3s_with_stats(data_dir, shapes, cache_dir)[0]


def load_l3s_with_stats(
    data_dir: Path = L3S_DIR, shapes: tuple[str, ...] = SHAPES, cache_dir: Path | None = None
) -> tuple[list[LabelledDoc], LoadStats]:
    """`load_l3s`, and what it did: a broken page is skipped and counted, never fatal."""
    unknown = set(shapes) - set(SHAPES)
    if unknown:
        raise ValueError(f"unknown shapes {sorted(unknown)}; known: {SHAPES}")
    urls = read_url_mapping(data_dir)
    stats = LoadStats()
    docs: list[LabelledDoc] = []
    for path in sorted((data_dir / "annotated").glob("*.html")):
        stats.pages += 1
        doc_id = path.stem
        url = urls.get(doc_id, "")
        try:
            page = page_lines(parse_html(decode_html(path.read_bytes())))
        except PAGE_ERRORS as exc:
            stats.skipped[doc_id] = f"annotated page: {type(exc).__name__}: {exc}"
            log.warning("skipping %s: %s", doc_id, stats.skipped[doc_id])
            continue
        if not page:
            stats.skipped[doc_id] = "annotated page has no text"
            continue
        stats.loaded += 1
        try:
            original = decode_html((data_dir / "original" / path.name).read_bytes())
        except OSError as exc:
            original = None
            stats.no_extract[doc_id] = f"original page: {type(exc).__name__}: {exc}"
        if original is not None:
            page, restored = restore_characters(page, original)
            stats.lines_restored += restored
        common = {"doc_id": doc_id, "site": _site(url), "url": url, "source": SOURCE}
        if "page" in shapes:
            lines, labels = zip(*page, strict=True)
            docs.append(LabelledDoc(shape="page", lines=list(lines), labels=list(labels), **common))
        if "extract" in shapes and original is not None:
            doc = _extract_doc(original, page, common, cache_dir, stats)
            if doc is not None:
                docs.append(doc)
    return docs, stats


def restore_characters(page: list[tuple[str, str]], original: str) -> tuple[list[tuple[str, str]], int]:
    """Page lines with the characters the annotated copy lost put back from the original.

    The annotated pages were saved through Latin-1: every character beyond it (curly
    quotes, dashes, non-Latin scripts) became "?". A page line that equals a line of the
    original page, once those characters are "?" and spaces are ignored, takes them back.
    Returns the lines and how many were restored.
    """
    if not any("?" in line for line, _ in page):
        return page, 0
    try:
        original_lines = page_lines(parse_html(original))
    except PAGE_ERRORS:
        return page, 0
    by_key: dict[str, str] = {}
    for line, _ in original_lines:
        if _LOST.search(line):
            by_key.setdefault(_lost_key(line), "".join(line.split()))
    restored: list[tuple[str, str]] = []
    for line, label in page:
        source = by_key.get(_lost_key(line)) if "?" in line else None
        if source is not None:
            chars = iter(source)  # the original's characters, one per non-space character here
            line = "".join(ch if ch.isspace() else next(chars) for ch in line)
            line = " ".join(line.translate(_C1_CONTROLS).split())
        restored.append((line, label))
    return restored, sum(a != b for (a, _), (b, _) in zip(page, restored, strict=True))


def _lost_key(line: str) -> str:
    """The line as the annotated copy would have it, without spaces, to match on."""
    return "".join(_LOST.sub("?", line).split())


def _extract_doc(
    original: str,
    page: list[tuple[str, str]],
    common: dict[str, str],
    cache_dir: Path | None,
    stats: LoadStats,
) -> LabelledDoc | None:
    """The "extract" document of one page, or None (counted) when there is no extract."""
    doc_id = common["doc_id"]
    try:
        html = lxml_ready(original)
        text, cached = extract_text(html, doc_id, cache_dir)
    except PAGE_ERRORS as exc:
        stats.no_extract[doc_id] = f"{type(exc).__name__}: {exc}"
        log.warning("no extract for %s: %s", doc_id, stats.no_extract[doc_id])
        return None
    stats.extracts_cached += cached
    text = repair_mojibake(text).translate(_C1_CONTROLS)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    if not any(lines):
        stats.no_extract[doc_id] = "trafilatura found no text"
        return None
    return LabelledDoc(shape="extract", lines=lines, labels=align_extract(lines, page), **common)


# --- report -------------------------------------------------------------------------------

SAMPLE_SEED = 20100204  # WSDM 2010, where the dataset was published
SAMPLE_LINES = 40
SAMPLE_WIDTH = 150
#: The document shown whole: the shortest page with at least this many extract lines.
SHOW_MIN_EXTRACT_LINES = 6


def _show(doc: LabelledDoc) -> None:
    print(f"\n--- {doc.shape} {doc.doc_id} {doc.url}")
    for line, label in zip(doc.lines, doc.labels, strict=True):
        print(f"  {label or '-':9} {line[:SAMPLE_WIDTH]}")


def report(
    docs: list[LabelledDoc], stats: LoadStats, seconds: float, sample: int, seed: int, per_label: int = 0
) -> None:
    """Print the counts of a load, seeded samples of labelled lines and one whole document.

    The plain sample is mostly "other", as pages are; `per_label` lines of every label
    are for checking the rarer labels by eye.
    """
    print(f"pages {stats.pages}: loaded {stats.loaded}, skipped {len(stats.skipped)}")
    for doc_id, reason in stats.skipped.items():
        print(f"  skipped {doc_id}: {reason}")
    print(f"no extract for {len(stats.no_extract)} pages; extracts from cache: {stats.extracts_cached}")
    print(f"page lines whose lost characters were restored from the original: {stats.lines_restored}")
    for doc_id, reason in stats.no_extract.items():
        print(f"  no extract {doc_id}: {reason}")
    print(f"distinct sites: {len({d.site for d in docs})}; seconds: {seconds:.1f}")
    rng = random.Random(seed)
    for shape in SHAPES:
        group = [d for d in docs if d.shape == shape]
        if not group:
            continue
        text_lines = [(d, i) for d in group for i, line in enumerate(d.lines) if line]
        counts = Counter(d.labels[i] for d, i in text_lines)
        unlabelled = counts.pop(None, 0)
        print(
            f"\n{shape}: {len(group)} documents, {sum(len(d.lines) for d in group)} lines, "
            f"{len(text_lines)} non-blank, {unlabelled} unlabelled "
            f"({unlabelled / max(len(text_lines), 1):.1%} of non-blank)"
        )
        if unlabelled:
            no_words = sum(1 for d, i in text_lines if d.labels[i] is None and not normalise(d.lines[i]))
            with_words = sum(1 for d, i in text_lines if normalise(d.lines[i]))
            print(
                f"  unlabelled: {no_words} have no letter or digit (table rules like '| |'), "
                f"{unlabelled - no_words} could not be aligned "
                f"({(unlabelled - no_words) / max(with_words, 1):.1%} of lines with words)"
            )
        for label, n in counts.most_common():
            print(f"  {label:9} {n:6}")
        labelled = [(d, i) for d, i in text_lines if d.labels[i] is not None]
        print(f"\n{sample} random labelled {shape} lines:")
        for d, i in rng.sample(labelled, min(sample, len(labelled))):
            print(f"  {d.labels[i]:9} {d.doc_id[:8]} {d.lines[i][:SAMPLE_WIDTH]}")
        for label in sorted(counts) if per_label else ():
            of_label = [(d, i) for d, i in labelled if d.labels[i] == label]
            print(f"\n{per_label} random {shape} lines labelled {label}:")
            for d, i in rng.sample(of_label, min(per_label, len(of_label))):
                print(f"  {d.labels[i]:9} {d.doc_id[:8]} {d.lines[i][:SAMPLE_WIDTH]}")
    extracts = {d.doc_id: d for d in docs if d.shape == "extract"}
    pages = [
        d for d in docs
        if d.shape == "page" and len(extracts.get(d.doc_id, d).lines) >= SHOW_MIN_EXTRACT_LINES
    ]
    if pages:
        shortest = min(pages, key=lambda d: len(d.lines))
        _show(shortest)
        if shortest.doc_id in extracts:
            _show(extracts[shortest.doc_id])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data-dir", type=Path, default=L3S_DIR)
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR)
    parser.add_argument("--no-cache", action="store_true", help="run trafilatura on every page")
    parser.add_argument("--shapes", nargs="+", default=list(SHAPES), choices=SHAPES)
    parser.add_argument("--sample", type=int, default=SAMPLE_LINES)
    parser.add_argument("--seed", type=int, default=SAMPLE_SEED)
    parser.add_argument("--per-label", type=int, default=0, help="also sample this many lines per label")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)  # pages it finds nothing in are counted
    started = time.perf_counter()
    cache_dir = None if args.no_cache else args.cache_dir
    docs, stats = load_l3s_with_stats(args.data_dir, tuple(args.shapes), cache_dir)
    report(docs, stats, time.perf_counter() - started, args.sample, args.seed, args.per_label)


if __name__ == "__main__":
    main()

"""HTML in: bytes -> str, one parse, the page's own metadata and trafilatura's extraction.

The page is parsed once, with trafilatura's own parser settings; the same lxml tree then
serves the block segmentation (cleaner/blocks.py) and trafilatura (which copies a tree it is
given before it prunes it), so the HTML path is not two full parses. Trafilatura's text is
one more feature of the block model, not the answer; its metadata (title, author, date,
site name, url, language) fills what the blocks leave empty.
"""

from __future__ import annotations

import codecs
import re
import signal
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

    from cleaner.blocks import PageBlocks

#: Charsets tried, in order, when the bytes declare none that decodes them.
FALLBACK_ENCODINGS = ("utf-8", "cp1252")
#: Pages beyond this many characters are cut before parsing: a news page is far smaller,
#: and a runaway page (an inlined data blob, a whole archive) would only cost time.
MAX_HTML_CHARS = 5_000_000
#: How trafilatura runs when its extraction is a feature of the block model: its main
#: extractor alone ("fast": no readability/jusText comparison), favouring precision (no
#: baseline rescue, no recall retry of a short extraction). Its default settings are a
#: better extractor but were not a better vote (dev sites, fast against default: L3S 0.978
#: / 0.977, snippets 0.936 / 0.936). Favouring precision made the vote no worse on dev
#: (L3S shingle F1 + snippet F1: 1.911, against 1.909 balanced and 1.907 favouring
#: recall) and costs a fifth less than the balanced fast run (24 against 30 ms a page).
TRAFILATURA_FEATURE_OPTIONS: dict[str, Any] = {"fast": True, "favor_precision": True}
#: How trafilatura runs when the block model keeps nothing and its text stands in
#: (`recall_text`): every rescue it has, since the line model judges the text after it.
TRAFILATURA_FALLBACK_OPTIONS: dict[str, Any] = {"fast": True, "favor_recall": True}
#: Bytes sniffed for a declared charset, and for a charset guessed from the bytes.
CHARSET_SNIFF_BYTES = 4096
MAX_SNIFF_BYTES = 200_000

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]{0,100}?encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
#: Browsers read these labels as windows-1252 (WHATWG Encoding Standard), and pages rely on it.
_AS_WINDOWS_1252 = frozenset({"ascii", "latin-1", "iso8859-1", "cp1252"})
_WINDOWS_1252_C1 = {
    byte: bytes([byte]).decode("cp1252") for byte in range(0x80, 0xA0) if byte not in b"\x81\x8d\x8f\x90\x9d"
}
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


class PageError(ValueError):
    """The bytes are not an HTML page that can be parsed."""


class PageTimeout(TimeoutError):
    """A page took longer than its time limit."""


@dataclass
class Page:
    text: str  # trafilatura's article text, one paragraph a line ("" if it found none)
    title: str | None = None
    author: str | None = None
    date: str | None = None
    sitename: str | None = None
    url: str | None = None
    language: str | None = None

    def metadata(self) -> dict[str, str]:
        """The fields the page declares, for `Result.page`."""
        fields = ("url", "date", "sitename", "language", "author", "title")
        return {key: value for key in fields if (value := getattr(self, key))}


def decode_declared(raw: bytes) -> str | None:
    """A BOM, then valid UTF-8, then the charset the page declares; None if none reads the bytes.

    What both the HTML path and the training data's page conversion trust before guessing.
    """
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return raw.decode(encoding, errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    head = raw[:CHARSET_SNIFF_BYTES]
    for pattern in (_META_CHARSET, _XML_ENCODING):
        match = pattern.search(head)
        if not match:
            continue
        try:
            name = codecs.lookup(match.group(1).decode("ascii")).name
        except LookupError:  # x-user-defined, en-us and other labels no codec has
            continue
        if name in _AS_WINDOWS_1252:  # its five unassigned bytes decode as Latin-1 does
            return raw.decode("latin-1").translate(_WINDOWS_1252_C1)
        try:
            return raw.decode(name)
        except UnicodeDecodeError:
            continue
    return None


def decode_html(html: str | bytes) -> str:
    """Bytes as text: a BOM, then valid UTF-8, then the declared charset, then a guessed one.

    Valid UTF-8 comes before the declared charset because pages often declare ISO-8859-1
    and are UTF-8 (87 of the 472 L3S-GN1 pages), while legacy text that happens to be
    valid UTF-8 is rare. Labels browsers read as windows-1252 are read so here too.
    """
    if isinstance(html, str):
        return html
    raw = bytes(html)
    text = decode_declared(raw)
    if text is not None:
        return text
    # charset_normalizer directly (a trafilatura dependency), not bs4's UnicodeDammit, whose
    # sniffer changes with whether chardet happens to be installed.
    from charset_normalizer import from_bytes

    best = from_bytes(raw[:MAX_SNIFF_BYTES]).best()
    if best is not None:
        try:
            return raw.decode(best.encoding)
        except (UnicodeDecodeError, LookupError):
            pass
    for encoding in FALLBACK_ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="replace")


@lru_cache(maxsize=1)
def html_parser() -> Any:
    """trafilatura's parser settings, with lxml's element class lookup done in C.

    lxml.html's own parsers pick each element's Python class (FormElement, InputElement...)
    by calling a Python method whenever lxml wraps an element, some 3,000 times a page
    between the block walk, trafilatura and htmldate. Neither uses those subclasses, and a
    C-level default lookup makes every element an HtmlElement at no Python cost: 7 % of
    `clean_html`'s time on the bench pages, with the same output on every one.
    """
    import lxml.html
    from lxml import etree

    parser = etree.HTMLParser(
        collect_ids=False, default_doctype=False, encoding="utf-8", remove_comments=True, remove_pis=True
    )
    parser.set_element_class_lookup(etree.ElementDefaultClassLookup(
        element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment,
        pi=lxml.html.HtmlProcessingInstruction, entity=lxml.html.HtmlEntity,
    ))
    return parser


def parse_html(markup: str) -> Any:
    """The page's lxml tree, built once, for blocks and trafilatura.

    It is parsed as trafilatura's `load_html` parses a page (its repairs, its parser
    settings), with `html_parser`'s class lookup; markup trafilatura would doubt (no
    `<html>`, fewer than two top elements) is parsed as a whole document all the same.
    lxml refuses an XML declaration in a str, so it goes first (trafilatura's repair drops
    the control characters it refuses too).
    """
    import lxml.html
    from lxml import etree
    from trafilatura.utils import is_dubious_html, repair_faulty_html

    markup = _XML_DECLARATION.sub("", markup[:MAX_HTML_CHARS], count=1)
    beginning = markup[:50].lower()
    repaired = repair_faulty_html(markup, beginning)  # this also drops the control characters
    if not repaired.strip():
        raise PageError("empty page")
    parser = html_parser()
    tree = _parsed_or_none(repaired, parser)
    if tree is None or not len(tree):  # as trafilatura does: the same markup as UTF-8 bytes
        tree = _parsed_or_none(repaired.encode("utf-8", "surrogatepass"), parser)
    if tree is None or not len(tree) or (is_dubious_html(beginning) and len(tree) < 2):
        try:
            tree = lxml.html.document_fromstring(repaired, parser=parser)
        except (etree.ParserError, ValueError) as exc:
            raise PageError(f"not an HTML page: {exc}") from exc
    if tree is None or len(tree) == 0:
        raise PageError("not an HTML page")
    return tree


def _parsed_or_none(source: str | bytes, parser: Any) -> Any:
    import lxml.html
    from lxml import etree

    try:
        return lxml.html.fromstring(source, parser=parser)
    except (etree.LxmlError, ValueError):  # ValueError: a str declaring its encoding
        return None


def normalise_text(text: str) -> str:
    """NFC, whitespace runs as one space: how block text and trafilatura's text are compared."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


_URL_HOST = re.compile(r"https?://(?:www\.)?([^/:]+)")
_HTML_LANG = re.compile(r"^[a-zA-Z]{2,3}(?:[-_][a-zA-Z0-9]{2,8})?$")


def page_metadata(tree: Any, url: str | None = None) -> dict[str, str | None]:
    """What the page says about itself, from trafilatura's metadata functions, the cheap way.

    trafilatura's `extract_metadata` also runs htmldate's extensive date search and looks
    for an author all over the page, which together can cost as much as the extraction;
    here the date comes from htmldate's quick search (meta tags, JSON-LD, URL, <time>
    elements) and the author from meta tags and JSON-LD (the block model finds the byline
    in the page's text). Categories, tags and licence are not read.
    """
    from htmldate import find_date
    from trafilatura.metadata import (
        examine_meta,
        extract_meta_json,
        extract_sitename,
        extract_title,
        extract_url,
    )

    meta = examine_meta(tree)
    if meta.author and " " not in meta.author:  # a user name, not a person's (trafilatura's rule)
        meta.author = None
    try:
        meta = extract_meta_json(tree, meta)
    except Exception:  # noqa: BLE001 - trafilatura's JSON-LD reader fails on odd JSON; it is optional
        pass
    title = meta.title or extract_title(tree)
    author = meta.author
    page_url = meta.url or extract_url(tree, url) or url
    try:
        date = find_date(tree, url=page_url, original_date=True, extensive_search=False)
    except Exception:  # noqa: BLE001 - a date is optional; a failing date search must not fail the page
        date = None
    sitename = meta.sitename or extract_sitename(tree)
    if sitename:
        sitename = sitename.lstrip("@")
    elif page_url and (host := _URL_HOST.match(page_url)):
        sitename = host.group(1)
    language = getattr(meta, "language", None)
    if not language:
        lang = (tree.get("lang") or tree.get("xml:lang") or "").strip()
        language = lang.split("-")[0].split("_")[0].lower() if _HTML_LANG.match(lang) else None
    return {
        "title": title, "author": author, "date": date, "sitename": sitename,
        "url": page_url, "language": language,
    }


def extract(tree: Any, url: str | None = None, *, with_metadata: bool = True, **options: Any) -> Page:
    """Trafilatura on an already parsed tree (it copies the tree, so the caller's stays whole)."""
    import trafilatura

    doc = trafilatura.bare_extraction(
        tree, url=url, include_comments=False, with_metadata=with_metadata, **options
    )
    if doc is None:
        return Page(text="", url=url)
    return Page(
        text=doc.text or "",
        title=doc.title,
        author=doc.author,
        date=doc.date,
        sitename=doc.sitename,
        url=doc.url or url,
        language=doc.language,
    )


@dataclass
class Analysis:
    """A parsed page: its blocks with features, its metadata, and trafilatura's text on demand."""

    page: Page  # the page's metadata; `text` is trafilatura's once `voted()` has run
    blocks: PageBlocks  # features without trafilatura's vote
    tree: Any  # the parsed page, for trafilatura
    url: str | None = None  # as the caller gave it, for trafilatura's vote
    _voted: np.ndarray | None = field(default=None, init=False, repr=False)

    def voted(self) -> np.ndarray:
        """The blocks' feature rows with trafilatura's vote: trafilatura runs here, once."""
        if self._voted is None:
            self.page.text = extract(
                self.tree, url=self.url, with_metadata=False, **TRAFILATURA_FEATURE_OPTIONS
            ).text
            self._voted = self.blocks.with_vote(self.page.text)
        return self._voted

    def recall_text(self) -> str:
        """Trafilatura's text with its recall rescues, for a page whose blocks hold no article.

        The vote's precision setting skips the rescues that find an article kept only in
        `<noscript>`, a script template or JSON-LD; this run is rare, so it may cost.
        """
        return extract(self.tree, url=self.page.url, with_metadata=False, **TRAFILATURA_FALLBACK_OPTIONS).text


def analyse(html: str | bytes, url: str | None = None, *, with_metadata: bool = True) -> Analysis:
    """Decode, parse once, segment into blocks and featurise them; trafilatura waits until
    the block model asks for its vote (`Analysis.voted`), on the same tree.

    Training (training/html_data.py) and `clean_html` both call this, so the block model
    never sees features computed by other code at train time and at run time.
    """
    from cleaner.blocks import page_blocks, walk

    tree = parse_html(decode_html(html))
    blocks = page_blocks(walk(tree))
    page = Page(text="", url=url)
    if with_metadata:
        for key, value in page_metadata(tree, url).items():
            setattr(page, key, value)
    return Analysis(page=page, blocks=blocks, tree=tree, url=url)


def read_page(html: str | bytes, url: str | None = None) -> Page:
    """Trafilatura's article (favor_recall) and metadata: the input of the line-model-only path."""
    return extract(parse_html(decode_html(html)), url=url, favor_recall=True)


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise PageTimeout in the block if it runs past `seconds`.

    A real interrupt needs SIGALRM, which only the main thread of a Unix process can
    receive; elsewhere (worker threads, Windows) the block runs without a limit, and the
    caller's own deadline checks between stages are what remains.
    """
    usable = (
        seconds is not None
        and seconds > 0
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getitimer(signal.ITIMER_REAL)[0] == 0  # never override a caller's timer
    )
    if not usable:
        yield
        return

    def _expired(signum: int, frame: Any) -> None:
        raise PageTimeout(f"page took longer than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, _expired)
    signal.setitimer(signal.ITIMER_REAL, float(seconds))  # type: ignore[arg-type]
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)

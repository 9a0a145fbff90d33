"""clean(text), clean_many(texts): segment -> features -> model -> settle -> assemble, a batch at once.

Settling makes cleaning idempotent: the clean text is labelled again as `clean()` would
label it, and what that would take off comes off, until nothing more does (`_settle`).

Whatever a document holds, cleaning it returns a Result: a document that cannot be cleaned
(not UTF-8, over a limit, too slow) gets a Result whose `error` says why, and the other
documents of its batch are cleaned as usual.

Limits, and what each one enforces (`Limits` sets them, one keyword on every entry point):

- `max_chars`: a document (text, or HTML before it is parsed) longer than this is refused
  before any work is done on it. This is what bounds the cost of a stage where no timer
  can interrupt it (a worker thread, C code).
- `max_lines`: a document of more lines is refused after segmentation, before features and
  the model: the model's cost grows with the number of lines.
- `max_seconds`: a document's own work (decoding, HTML parsing, segmentation, features) is
  timed. In the main thread of a Unix process a timer interrupts HTML parsing and features
  when the limit passes (`page.time_limit`, SIGALRM: Python code and regular expressions
  stop; C code such as an lxml parse stops when it returns, so decoding and splitting
  text, single C calls, get no timer of their own). Everywhere, the time is also checked
  after each stage, so in a worker thread a document can overrun by one stage, whose cost
  `max_chars` bounds. Either way the document is refused before the model is asked. Features are
  computed for a whole batch at once and each document is charged that stage's time in
  proportion to its characters; a batch that fails or runs out of time is redone document
  by document, each within its own limit. The model calls (the first, and one a settling
  round) are shared by the batch and are not charged to any one document; `max_lines`
  bounds a document's share, and `MAX_SETTLE_ROUNDS` the number of rounds.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from cleaner import features
from cleaner import metadata as md
from cleaner.assemble import Body, assemble, body_lines, score_headlines
from cleaner.model import line_model
from cleaner.page import Analysis, PageTimeout, time_limit
from cleaner.result import Result
from cleaner.segment import split_lines

Text = str | bytes

#: Longest document, in characters (HTML: before parsing). About a hundred long articles;
#: per-line features cost about a second a megabyte, so this bounds a stage to seconds.
MAX_INPUT_CHARS = 5_000_000
#: Most lines in one document. A long scraped page has a few thousand; the line model costs
#: up to a millisecond a line.
MAX_LINES = 10_000
#: Wall-clock seconds of a document's own work before it is given up as a Timeout.
MAX_SECONDS = 30.0
#: Rounds of `_settle` at most. Real documents settle within a few: of the 4,197 train and
#: dev pages and extracts, 90 % within 2 rounds, all but 4 within 16, the last in 38 (whole
#: pages of short lines, a Chinese encyclopaedia page among them). Each round takes off a line
#: at least and costs one more model call, for the documents still settling only.
MAX_SETTLE_ROUNDS = 64
#: A UTF-8 character is at most this many bytes: bytes longer than this many times
#: `max_chars` are refused without being decoded.
_MAX_UTF8_BYTES_PER_CHAR = 4


class LimitExceeded(Exception):
    """A document was refused because it is over one of the caller's `Limits`."""


class InputTooLarge(LimitExceeded):
    """More characters or lines than `Limits.max_chars` / `Limits.max_lines`."""


class Timeout(LimitExceeded):
    """The document's own work took longer than `Limits.max_seconds`."""


@dataclass(frozen=True)
class Limits:
    """What one document may cost; `None` lifts a limit. Passed as `limits=` to every entry point."""

    max_chars: int | None = MAX_INPUT_CHARS
    max_lines: int | None = MAX_LINES
    max_seconds: float | None = MAX_SECONDS

    def __post_init__(self) -> None:
        for name in ("max_chars", "max_lines", "max_seconds"):
            value = getattr(self, name)
            if value is not None and not value > 0:
                raise ValueError(f"Limits.{name} must be positive or None, not {value!r}")

    def check_chars(self, n: int, what: str = "document", unit: str = "characters") -> None:
        if self.max_chars is not None and n > self.max_chars:
            raise InputTooLarge(
                f"{what} has {n} {unit}, more than the limit of {self.max_chars} (Limits.max_chars)"
            )

    def check_lines(self, n: int) -> None:
        if self.max_lines is not None and n > self.max_lines:
            raise InputTooLarge(
                f"document has {n} lines, more than the limit of {self.max_lines} (Limits.max_lines)"
            )

    def remaining(self, started: float) -> float | None:
        """Seconds left of a document's time limit (None: no limit)."""
        if self.max_seconds is None:
            return None
        return self.max_seconds - (time.perf_counter() - started)

    def check_time(self, started: float, stage: str) -> None:
        if self.max_seconds is None:
            return
        elapsed = time.perf_counter() - started
        if elapsed > self.max_seconds:
            raise Timeout(
                f"document took {elapsed:.1f} s by the end of {stage}, more than the limit of "
                f"{self.max_seconds} s (Limits.max_seconds)"
            )


DEFAULT_LIMITS = Limits()


#: The error type of a document whose cleaning failed for a reason not its own (a bug):
#: the record says so, and its batch goes on.
INTERNAL_ERROR = "InternalError"


class _Unreadable(Exception):
    """A document that cannot be cleaned (not text, or a stage failed): its error record."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def _as_text(doc: object, limits: Limits) -> str:
    if isinstance(doc, str):
        limits.check_chars(len(doc))
        return doc
    if isinstance(doc, bytes | bytearray | memoryview):
        data = bytes(doc)
        if limits.max_chars is not None and len(data) > _MAX_UTF8_BYTES_PER_CHAR * limits.max_chars:
            # Refuse what cannot fit before paying to decode it; the exact count follows.
            raise InputTooLarge(
                f"document has {len(data)} bytes, more than UTF-8 needs for the limit of "
                f"{limits.max_chars} characters (Limits.max_chars)"
            )
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _Unreadable("DecodeError", f"input is not valid UTF-8: {exc}") from exc
        limits.check_chars(len(text))
        return text
    raise _Unreadable("TypeError", f"clean() takes str or bytes, not {type(doc).__name__}")


def _prepare(doc: object, limits: Limits, started: float) -> list[str]:
    """A document's own work before features: its lines, within limits."""
    text = _as_text(doc, limits)
    lines = split_lines(text)
    limits.check_lines(len(lines))
    limits.check_time(started, "segmentation")
    return lines


def _timeout(limits: Limits) -> Timeout:
    return Timeout(f"document took longer than the limit of {limits.max_seconds} s (Limits.max_seconds)")


@dataclass
class _Doc:
    """A document on its way through a batch: where its Result goes, its lines, the seconds
    of its own work so far, and, once the model has been asked, its lines' base features
    and labels, and the body of those labels once `_settle` has worked it out (None while
    it has not, or the labels have changed since)."""

    slot: int
    lines: list[str]
    own: float
    base: np.ndarray | None = None
    labels: np.ndarray | None = None
    scores: np.ndarray | None = None
    body: Body | None = None


def _one_by_one(pending: list[_Doc], limits: Limits) -> list[np.ndarray | Result]:
    """Features document by document, each within its own time: finds the one at fault."""
    out: list[np.ndarray | Result] = []
    for doc in pending:
        started = time.perf_counter() - doc.own  # its clock, as if its own work had just been done
        try:
            with time_limit(limits.remaining(started)):
                X = features.document_features(doc.lines)
            limits.check_time(started, "features")
        except PageTimeout:
            out.append(Result.failed(_timeout(limits)))
        except LimitExceeded as exc:
            out.append(Result.failed(exc))
        except Exception as exc:  # noqa: BLE001 - one document's failure must not stop its batch
            out.append(Result.failed(f"features failed: {type(exc).__name__}: {exc}", INTERNAL_ERROR))
        else:
            out.append(X)
    return out


def _batch_features(
    pending: list[_Doc], limits: Limits
) -> tuple[list[np.ndarray | Result], np.ndarray | None]:
    """Feature matrices of the pending documents, computed together (vectorised over all their
    lines), or a Result saying why a document has none; and the matrices stacked, when every
    document has one (the model takes them stacked: no copy to make).

    Each document is charged the batch's feature time in proportion to its characters. If
    the batch fails or runs past the time left to its most pressed document, the documents
    are done one by one, each within its own limit, so that only the one at fault fails.
    """
    batch = [doc.lines for doc in pending]
    t0 = time.perf_counter()
    max_s = limits.max_seconds
    budget = None if max_s is None else min(max_s - doc.own for doc in pending)
    try:
        with time_limit(budget):
            X = features.batch_features(batch)
    except Exception:  # noqa: BLE001 - PageTimeout or a failure: retried one by one
        return _one_by_one(pending, limits), None
    spent = time.perf_counter() - t0
    chars = np.array([sum(map(len, lines)) + len(lines) for lines in batch], dtype=float)
    shares = spent * chars / max(chars.sum(), 1.0)
    offsets = features.doc_offsets(batch)
    out: list[np.ndarray | Result] = []
    for doc, share, a, b in zip(pending, shares, offsets[:-1], offsets[1:], strict=True):
        try:
            limits.check_time(time.perf_counter() - (doc.own + share), "features")
        except LimitExceeded as exc:
            out.append(Result.failed(exc))
            continue
        out.append(X[a:b])
    return out, X if not any(isinstance(x, Result) for x in out) else None


def _predict(docs: list[_Doc], X: np.ndarray) -> None:
    """Label the documents' lines (rows of X, stacked in their order): one model call."""
    offsets = features.doc_offsets([doc.lines for doc in docs])
    labels, scores = line_model().predict(X, offsets)
    for doc, a, b in zip(docs, offsets[:-1], offsets[1:], strict=True):
        doc.base = X[a:b, : len(features.BASE_NAMES)]
        doc.labels, doc.scores = labels[a:b], scores[a:b]
        doc.body = None


def _settle(docs: list[_Doc]) -> None:
    """Relabel each document until the model keeps every line of its clean text, so that
    cleaning the clean text again changes nothing.

    The model judges a line by its place and its neighbours, and cleaning takes lines away:
    in the clean text, a story's first paragraph may now read as a standfirst, a last one
    as a sign-off. So the clean text is labelled again, as `clean()` would label it (its
    lines' base features are those of the input lines it keeps, but for the lines a
    dateline came off), and what that takes off is taken off the document, with the label
    and score that took it, until nothing more comes off. Each round takes off a line at
    least, so it ends; after `MAX_SETTLE_ROUNDS` a document keeps what it has.
    """
    active = docs
    for _ in range(MAX_SETTLE_ROUNDS):
        rounds: list[tuple[_Doc, np.ndarray]] = []
        relabel: list[_Doc] = []  # the clean texts, labelled this round
        unglued: list[tuple[_Doc, int]] = []  # clean texts' lines that lost a dateline
        for doc in active:
            body = doc.body = body_lines(doc.lines, doc.labels)
            text = [line for _, line in body.lines]
            if not text or text == doc.lines:  # kept whole: labelling it again gives the same
                continue
            rows = np.array([i for i, _ in body.lines])
            rounds.append((doc, rows))
            relabel.append(_Doc(doc.slot, text, own=0.0, base=doc.base[rows]))
            unglued.extend((relabel[-1], at) for at in body.unglued)
        if not relabel:
            return
        if unglued:
            rows_now = features.base_matrix([c.lines[at] for c, at in unglued])
            for (c, at), row in zip(unglued, rows_now, strict=True):
                c.base[at] = row
        _predict(relabel, features.features_from_base(
            np.vstack([c.base for c in relabel]), [len(c.lines) for c in relabel]
        ))
        active = []
        for (doc, rows), again in zip(rounds, relabel, strict=True):
            off = np.flatnonzero(again.labels != "body")
            if off.size:
                doc.labels[rows[off]] = again.labels[off]
                doc.scores[rows[off]] = again.scores[off]
                doc.body = None
                active.append(doc)


def _clean_batch(
    docs: Iterable[tuple[object, float | None]], limits: Limits,
    reference_date: md.ReferenceDates = None,
) -> list[Result]:
    """Clean (document, time its work started) pairs, asking the model once for all of them.

    Each document is decoded and segmented on its own; features are computed for the batch
    at once, and the model is asked once for all of its lines (and once a round for the
    lines of the clean texts that `_settle` labels again).
    """
    results: list[Result | None] = []
    pending: list[_Doc] = []
    for doc, started in docs:
        started = time.perf_counter() if started is None else started
        try:
            # No timer here: decoding and splitting text are single C calls that a signal
            # cannot interrupt (and `max_chars` bounds); `_prepare` checks the time after them.
            lines = _prepare(doc, limits, started)
        except LimitExceeded as exc:
            results.append(Result.failed(exc))
            continue
        except _Unreadable as exc:
            results.append(Result.failed(str(exc), exc.kind))
            continue
        pending.append(_Doc(len(results), lines, time.perf_counter() - started))
        results.append(None)
    labelled: list[_Doc] = []
    mats: list[np.ndarray] = []
    per_doc, stacked = _batch_features(pending, limits) if pending else ([], None)
    for doc, X in zip(pending, per_doc, strict=True):
        if isinstance(X, Result):
            results[doc.slot] = X
            continue
        labelled.append(doc)
        mats.append(X)
    if labelled:
        _predict(labelled, stacked if stacked is not None else np.vstack(mats))
        _settle(labelled)
    references = md.references_for(reference_date, len(results))
    for doc in labelled:
        try:
            results[doc.slot] = assemble(
                doc.lines, doc.labels, doc.scores, reference_date=references[doc.slot], body=doc.body
            )
        except Exception as exc:  # noqa: BLE001 - one document's failure must not stop its batch
            results[doc.slot] = Result.failed(
                f"assembly failed: {type(exc).__name__}: {exc}", INTERNAL_ERROR
            )
    done = [r for r in results if r is not None]
    score_headlines([r for r in done if r.error is None])
    return done


def clean_many(
    docs: Iterable[Text], *, limits: Limits | None = None, reference_date: md.ReferenceDates = None
) -> list[Result]:
    """Clean a batch of documents; the model is asked once for all of their lines.

    One Result per document, in order. A document that cannot be read (bytes that are not
    UTF-8, not text at all) or is over a limit gets a Result carrying the error; the others
    are cleaned as usual. Each document's time limit counts its own work only.
    `reference_date` (a `datetime.date` or ISO string, or a list of one per document) dates
    a dateline written without a year: `dateline.date_iso`; ValueError if unreadable.
    """
    return _clean_batch(((doc, None) for doc in docs), limits or DEFAULT_LIMITS, reference_date)


def clean(
    text: Text, *, limits: Limits | None = None, reference_date: md.DateLike | None = None
) -> Result:
    """Clean one scraped article: the story alone in `.text`, the rest as metadata.

    `reference_date` (a `datetime.date` or ISO string, e.g. the page's date) gives the year
    of a dateline written without one (`April 30` -> `dateline.date_iso`).
    """
    return clean_many([text], limits=limits, reference_date=reference_date)[0]


def _stripped(value: str | None) -> str | None:
    """Page metadata as the Result holds strings: stripped, and None rather than empty."""
    if value is None:
        return None
    value = value.strip()
    return value or None


def _extractor_text(analysis: Analysis, limits: Limits, started: float) -> str:
    """Trafilatura's recall text of a page whose blocks hold no article, within the page's
    time limit (a second extraction of a hard page can be as slow as the first)."""
    limits.check_time(started, "the block model")
    try:
        with time_limit(limits.remaining(started)):
            return analysis.recall_text()
    except PageTimeout as exc:
        raise Timeout(f"{exc} (Limits.max_seconds)") from exc


def clean_html(
    html: Text, url: str | None = None, *, limits: Limits | None = None,
    reference_date: md.DateLike | None = None,
) -> Result:
    """Clean a news page: its blocks are labelled from their text and their place in the page.

    The page is parsed once; its blocks (paragraphs, list items, headings, cells) get the
    line model's text features plus DOM features, and the block model labels them
    (cleaner/blocks.py, cleaner/block_model.py), asking for trafilatura's extraction of the
    same tree as one more feature only when some block is unsure without it. Body blocks become the
    text, one paragraph a line, through the same assembly as `clean()`, so datelines and
    agencies are parsed as for text; title, byline and related blocks fill those fields.
    The page's own metadata (trafilatura's) fills what the blocks leave empty, and `page`.
    A dateline without a year is dated by `reference_date`, else by the page's own date.
    Limits: HTML longer than `max_chars` is refused before it is parsed; more blocks than
    `max_lines` is refused before the model; the time limit interrupts the page's own work
    where the process allows it (main thread, Unix), else is checked after each stage.
    """
    from cleaner.block_model import block_model
    from cleaner.blocks import block_feature_names
    from cleaner.page import analyse

    limits = limits or DEFAULT_LIMITS
    started = time.perf_counter()
    if not isinstance(html, str | bytes | bytearray | memoryview):
        return Result.failed(f"clean_html() takes str or bytes, not {type(html).__name__}", "TypeError")
    try:
        # Before parsing, the only cheap measure: characters of a str, bytes of bytes.
        limits.check_chars(len(html), "page", "characters" if isinstance(html, str) else "bytes")
    except LimitExceeded as exc:
        return Result.failed(exc)
    try:
        with time_limit(limits.max_seconds):
            analysis = analyse(bytes(html) if isinstance(html, bytearray | memoryview) else html, url=url)
    except PageTimeout as exc:
        return Result.failed(Timeout(f"{exc} (Limits.max_seconds)"))
    except Exception as exc:  # noqa: BLE001 - a page that cannot be parsed is an error record
        return Result.failed(f"page could not be parsed: {exc}", "HTMLError")
    page, blocks = analysis.page, analysis.blocks
    try:
        limits.check_time(started, "HTML parsing and block features")
        limits.check_lines(len(blocks.texts))
    except LimitExceeded as exc:
        return Result.failed(exc)
    reference = md.as_reference_date(reference_date) or md.page_reference(page.date)
    try:
        # trafilatura runs in here if the block model asks for its vote: within the time limit
        with time_limit(limits.remaining(started)):
            labels, scores = block_model().predict(blocks.X, block_feature_names(), analysis.voted)
    except PageTimeout as exc:
        return Result.failed(Timeout(f"{exc} (Limits.max_seconds)"))
    except Exception as exc:  # noqa: BLE001 - a page that cannot be cleaned is an error record
        return Result.failed(f"page could not be cleaned: {exc}", type(exc).__name__)
    try:
        fallback = "" if "body" in labels else _extractor_text(analysis, limits, started)
        if fallback.strip():
            # The article is out of the blocks' reach (a `<noscript>` copy behind a script
            # template, JSON-LD only) or the block model read the page as all boilerplate:
            # trafilatura's text, judged by the line model, beats an empty result.
            result = clean(fallback, limits=limits, reference_date=reference)
            if result.error is not None:
                return result
            result.extraction = "extractor"
        else:
            result = assemble(blocks.texts, labels, scores, reference_date=reference)
            result.extraction = "blocks"
    except LimitExceeded as exc:
        return Result.failed(exc)
    except Exception as exc:  # noqa: BLE001 - a page that cannot be cleaned is an error record
        return Result.failed(f"page could not be cleaned: {exc}", type(exc).__name__)
    result.title = result.title or _stripped(page.title)
    result.byline = result.byline or _stripped(page.author)
    score_headlines([result])
    result.page = {
        key: value
        for key, value in (
            ("url", _stripped(page.url)),
            ("date", _stripped(page.date)),
            ("sitename", _stripped(page.sitename)),
            ("language", _stripped(page.language)),
            ("author", _stripped(page.author)),
            ("title", _stripped(page.title)),
        )
        if value
    }
    return result

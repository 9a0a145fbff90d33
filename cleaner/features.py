"""Lines of a document -> one feature matrix. Training and inference both call this module.

Each line is described alone (shape, length, patterns), then by where it stands (position
from start and end, counted over non-blank lines, because extractors differ in blank lines)
and by its neighbours (the same shapes two lines up and down, distance from a related or
summary header, how much prose follows), as jusText revises paragraphs with their context.
"""

from __future__ import annotations

import math

import numpy as np

from cleaner import patterns as p

BASE_NAMES: tuple[str, ...] = (
    "blank",
    "log_chars",
    "log_words",
    "mean_word_len",
    "ends_sentence",
    "ends_question",
    "ends_colon",
    "sentence_breaks",
    "frac_upper",
    "frac_titlecase_words",
    "frac_digits",
    "frac_punct",
    "starts_bullet",
    "dateline_prefix",
    "agency_signoff",
    "agency_credit",
    "editor_tag",
    "byline",
    "related_header",
    "inline_related",
    "summary_header",
    "promo",
    "legal",
    "caption",
    "date_stamp",
    "url",
    "starts_quote",
    "pipes",
    "all_caps",
    "colon_in_head",
    "frac_lower_words",
    "reporting_present",
    "reporting_past",
)
_B = {name: i for i, name in enumerate(BASE_NAMES)}

#: Base features repeated for the neighbours two lines up and down.
NEIGHBOUR_NAMES: tuple[str, ...] = (
    "log_chars",
    "ends_sentence",
    "frac_titlecase_words",
    "starts_bullet",
    "related_header",
    "summary_header",
    "dateline_prefix",
    "agency_signoff",
    "sentence_breaks",
    "date_stamp",
    "byline",
    "editor_tag",
)
NEIGHBOUR_OFFSETS: tuple[int, ...] = (-2, -1, 1, 2)

POSITION_NAMES: tuple[str, ...] = (
    "rel_pos",
    "log_index_from_start",
    "log_index_from_end",
    "is_first",
    "is_last",
    "blank_before",
    "blank_after",
)
CONTEXT_NAMES: tuple[str, ...] = (
    "log_since_related_header",
    "related_header_above",
    "log_since_summary_header",
    "summary_header_above",
    "dateline_below",
    "dateline_above",
    "frac_sentences_after",
    "frac_sentences_before",
    "log_long_lines_after",
    "log_long_lines_before",
    "log_headline_run",
    "rel_log_chars",
)
DOC_NAMES: tuple[str, ...] = (
    "doc_log_lines",
    "doc_frac_sentences",
    "doc_mean_log_chars",
    "doc_frac_bullets",
)

FEATURE_NAMES: tuple[str, ...] = (
    BASE_NAMES
    + tuple(f"{name}@{off:+d}" for off in NEIGHBOUR_OFFSETS for name in NEIGHBOUR_NAMES)
    + POSITION_NAMES
    + CONTEXT_NAMES
    + DOC_NAMES
)

#: A line of at least this many words is prose, whatever its punctuation.
LONG_LINE_WORDS = 20
#: Headline-like: short and not ending a sentence.
HEADLINE_MAX_WORDS = 25
_QUOTES = "\"“‘'«„"
_PUNCT = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~“”‘’«»–—…•·")


def _base_row(line: str) -> list[float]:
    s = line.strip()
    if not s:
        return [1.0] + [0.0] * (len(BASE_NAMES) - 1)
    words = p.WORD.findall(s)
    n_words = len(words)
    n_chars = len(s)
    letters = [c for c in s if c.isalpha()]
    n_letters = len(letters) or 1
    upper = sum(c.isupper() for c in letters)
    title_words = sum(w[0].isupper() for w in words)
    lower_words = sum(w[0].islower() for w in words)
    digits = sum(c.isdigit() for c in s)
    punct = sum(c in _PUNCT for c in s)
    head = s[:30]
    return [
        0.0,
        math.log1p(n_chars),
        math.log1p(n_words),
        (sum(len(w) for w in words) / n_words) if n_words else 0.0,
        float(bool(p.SENTENCE_END.search(s))),
        float(s.rstrip(_QUOTES + "”’)").endswith("?")),
        float(s.endswith(":")),
        float(min(len(p.SENTENCE_BREAK.findall(s)), 10)),
        upper / n_letters,
        title_words / n_words if n_words else 0.0,
        digits / n_chars,
        punct / n_chars,
        float(bool(p.BULLET.match(s))),
        float(p.match_dateline(s) is not None),
        float(bool(p.AGENCY_SIGNOFF.match(s))),
        float(bool(p.AGENCY_CREDIT.search(s))),
        float(p.is_editor_tag(s)),
        float(bool(p.BYLINE.match(s))),
        float(bool(p.RELATED_HEADER.match(s))),
        float(bool(p.INLINE_RELATED.match(s))),
        float(bool(p.SUMMARY_HEADER.match(s))),
        float(len(p.PROMO.findall(s))),
        float(len(p.LEGAL.findall(s))),
        float(bool(p.CAPTION.search(s))),
        float(bool(p.DATE_STAMP.match(s))),
        float(bool(p.URL.search(s))),
        float(s[0] in _QUOTES),
        float(s.count("|")),
        float(upper == len(letters) and upper >= 3),
        float(":" in head),
        lower_words / n_words if n_words else 0.0,
        float(bool(p.REPORTING_PRESENT.search(s))),
        float(bool(p.REPORTING_PAST.search(s))),
    ]


def _shift(a: np.ndarray, off: int) -> np.ndarray:
    """Row i of the result is row i+off of `a`; rows past either end are zeros."""
    out = np.zeros_like(a)
    n = a.shape[0]
    if abs(off) >= n:
        return out
    if off > 0:
        out[: n - off] = a[off:]
    elif off < 0:
        out[-off:] = a[: n + off]
    else:
        out[:] = a
    return out


def _since(flags: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row: rows since the last flagged row above (exclusive), and whether one exists."""
    n = flags.shape[0]
    idx = np.where(flags > 0, np.arange(n), -1)
    last = np.maximum.accumulate(idx)
    last_above = np.concatenate(([-1], last[:-1]))
    seen = last_above >= 0
    dist = np.where(seen, np.arange(n) - last_above, 0)
    return np.log1p(dist), seen.astype(float)


def _run_lengths(flags: np.ndarray) -> np.ndarray:
    """Per row: length of the run of consecutive flagged rows it belongs to (0 if unflagged)."""
    n = flags.shape[0]
    out = np.zeros(n)
    i = 0
    while i < n:
        if flags[i]:
            j = i
            while j < n and flags[j]:
                j += 1
            out[i:j] = j - i
            i = j
        else:
            i += 1
    return out


def _context(base: np.ndarray, blank_before: np.ndarray, blank_after: np.ndarray) -> np.ndarray:
    """Position, neighbour and region features over the non-blank lines of one document."""
    m = base.shape[0]
    col = {name: base[:, _B[name]] for name in BASE_NAMES}
    neigh = base[:, [_B[name] for name in NEIGHBOUR_NAMES]]
    parts = [_shift(neigh, off) for off in NEIGHBOUR_OFFSETS]

    idx = np.arange(m, dtype=float)
    from_end = m - 1 - idx
    position = np.column_stack(
        [
            idx / max(m - 1, 1),
            np.log1p(idx),
            np.log1p(from_end),
            idx == 0,
            from_end == 0,
            blank_before,
            blank_after,
        ]
    ).astype(float)

    sentence = col["ends_sentence"]
    words = np.expm1(col["log_words"])
    long_line = (words >= LONG_LINE_WORDS).astype(float)
    headline_like = ((sentence == 0) & (words >= 2) & (words <= HEADLINE_MAX_WORDS)).astype(float)

    since_rel, rel_above = _since(col["related_header"])
    since_sum, sum_above = _since(col["summary_header"])
    dateline = col["dateline_prefix"]
    cum_dateline = np.cumsum(dateline)
    dateline_above = np.concatenate(([0.0], cum_dateline[:-1])) > 0
    dateline_below = (cum_dateline[-1] - cum_dateline) > 0

    cum_sent = np.cumsum(sentence)
    sent_before = np.concatenate(([0.0], cum_sent[:-1]))
    sent_after = cum_sent[-1] - cum_sent
    cum_long = np.cumsum(long_line)
    long_before = np.concatenate(([0.0], cum_long[:-1]))
    long_after = cum_long[-1] - cum_long

    context = np.column_stack(
        [
            since_rel,
            rel_above,
            since_sum,
            sum_above,
            dateline_below,
            dateline_above,
            sent_after / np.maximum(from_end, 1),
            sent_before / np.maximum(idx, 1),
            np.log1p(long_after),
            np.log1p(long_before),
            np.log1p(_run_lengths(headline_like)),
            # Length against the document's typical line: a standfirst is short beside its body.
            col["log_chars"] - np.median(col["log_chars"]),
        ]
    ).astype(float)
    doc = np.tile(
        [math.log1p(m), sentence.mean(), col["log_chars"].mean(), col["starts_bullet"].mean()],
        (m, 1),
    )
    return np.hstack(parts + [position, context, doc])


def document_features(lines: list[str]) -> np.ndarray:
    """Feature matrix (one row per input line, blank lines included) for one document."""
    n_features = len(FEATURE_NAMES)
    if not lines:
        return np.zeros((0, n_features))
    base = np.array([_base_row(line) for line in lines], dtype=float)
    out = np.zeros((len(lines), n_features))
    out[:, : len(BASE_NAMES)] = base
    nonblank = np.flatnonzero(base[:, _B["blank"]] == 0)
    if nonblank.size:
        is_blank = base[:, _B["blank"]] > 0
        padded = np.concatenate(([False], is_blank, [False]))
        blank_before = padded[nonblank].astype(float)
        blank_after = padded[nonblank + 2].astype(float)
        out[nonblank, len(BASE_NAMES):] = _context(base[nonblank], blank_before, blank_after)
    return out


def batch_features(docs: list[list[str]]) -> np.ndarray:
    """Stacked feature matrices of many documents: the model is called once per batch."""
    mats = [document_features(lines) for lines in docs]
    if not mats:
        return np.zeros((0, len(FEATURE_NAMES)))
    return np.vstack(mats)


def doc_offsets(docs: list[list[str]]) -> np.ndarray:
    """Start row of each document in a stacked matrix, plus the total at the end."""
    return np.concatenate(([0], np.cumsum([len(lines) for lines in docs]))).astype(int)


#: Offsets at which the second pass sees the first pass's probabilities: the line's own (0),
#: so that it revises a judgement rather than makes a new one, and its neighbours'.
SECOND_PASS_OFFSETS: tuple[int, ...] = (-3, -2, -1, 0, 1, 2, 3)


#: What the second pass sees of a line besides the probabilities: where it stands, not its
#: shape, so that it smooths the first pass's judgements by context instead of re-deciding
#: from the same features (which overfits the out-of-fold probabilities it is trained on).
SECOND_PASS_KEEP: tuple[str, ...] = ("blank",) + POSITION_NAMES + CONTEXT_NAMES + DOC_NAMES


def second_pass_features(
    X: np.ndarray, proba: np.ndarray, offsets: np.ndarray
) -> np.ndarray:
    """The first pass's class probabilities of each line and its non-blank neighbours.

    Lets the model revise a line by what its context was judged to be (a short line between
    body paragraphs is body; one inside a run of related headlines is related), and adds the
    document's mean probabilities (how much of it the first pass thought was story).
    """
    n_classes = proba.shape[1]
    extra = np.zeros((X.shape[0], n_classes * (len(SECOND_PASS_OFFSETS) + 1)))
    blank_col = BASE_NAMES.index("blank")
    for start, end in zip(offsets[:-1], offsets[1:], strict=True):
        rows = start + np.flatnonzero(X[start:end, blank_col] == 0)
        if rows.size == 0:
            continue
        doc_proba = proba[rows]
        parts = [_shift(doc_proba, off) for off in SECOND_PASS_OFFSETS]
        parts.append(np.tile(doc_proba.mean(axis=0), (rows.size, 1)))
        extra[rows] = np.hstack(parts)
    keep = [FEATURE_NAMES.index(name) for name in SECOND_PASS_KEEP]
    return np.hstack([X[:, keep], extra])

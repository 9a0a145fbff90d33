"""Lines of a document -> one feature matrix. Training and inference both call this module.

Each line is described alone (shape, length, patterns), then by where it stands (position
from start and end, counted over non-blank lines, because extractors differ in blank lines)
and by its neighbours (the same shapes two lines up and down, distance from a related or
summary header, how much prose follows), as jusText revises paragraphs with their context.

Everything is computed for a whole batch of documents at once: the lines are joined into one
string and described as arrays (one code point, one flag byte, per character), the patterns
run only on the lines that contain a literal every match needs, those anchored at a line's
start after one alternation of them all has matched (`cleaner/_literals.py`), and the
context features are segment-wise array operations over the batch. To add a feature:
name it in one of the tuples below and compute its column in the group that fills it
(`_shape_columns`, `PATTERN_FEATURES`, `_headline_columns`, `_context`); `base_matrix`
checks that every base column is filled.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from cleaner import _literals
from cleaner import patterns as p
from cleaner.clickbait import headline_model, margins
from cleaner.numeric import log1p_counts
from cleaner.wording import wording_model

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
    "clickbait",
    "wording",
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
    "clickbait",
    "wording",
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
#: How many other lines of the document read the same (case and punctuation aside) was
#: tried as a context feature (stop 30): repeated lines are ambiguous, menus and teasers
#: repeated beside a body line repeated as its teaser. Over three site folds it took more
#: repeated boilerplate off (modern whole pages: 110 -> 53 kept) and lost more repeated
#: body (hand-labelled extractor output: 51 -> 94 lines), and no figure moved beyond chance
#: (L3S page body F1 -0.013 [-0.032, +0.002], modern page `with` +0.006 [-0.001, +0.014]).
#: Nor was `echo` (stop 32, branch `echo`): the share of a line's words of 4+ characters that
#: another prose line (10+ words) of its document has, for the teasers, sidebars and notices
#: that share no words with the story. On every line: better beyond chance on the usual
#: dealing (L3S extract text F1 +0.008 [+0.001, +0.016]) but worse on the second (L3S page
#: body F1 -0.013, cleaned L3S recall -0.009 [-0.020, -0.000]: subheadings such as `The
#: issue` echo nothing). On headline-length lines only: better on the usual dealing (modern
#: extract `without` +0.025 [+0.002, +0.048], cleaned FakeNewsCorpus recall +0.009), nothing
#: beyond chance on the second. As written (unoptimised), it took 0.22 CPU s a round for the
#: bench's 1,244 articles, which clean in about 1 s.
DOC_NAMES: tuple[str, ...] = (
    "doc_log_lines",
    "doc_frac_sentences",
    "doc_mean_log_chars",
    "doc_frac_bullets",
    "doc_mean_wording",
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
#: Headline-length lines, which the headline model is asked about.
HEADLINE_MAX_WORDS = 25
#: Headline-like in the context features: short and not ending a sentence. These bounds are
#: what the shipped line model learnt: they were once written as `2 <= expm1(log_words) <= 25`,
#: and the C library's round trip puts 2 words just below 2 and 25 just above 25.
HEADLINE_LIKE_WORDS = (3, 24)
#: `clickbait` and `wording` of a line too long to be a headline: neither model is asked.
NOT_A_HEADLINE = -1.0
#: `colon_in_head`: a colon within this many characters of the line's start.
HEAD_CHARS = 30
#: `sentence_breaks` is capped here.
MAX_SENTENCE_BREAKS = 10
#: A prefiltered pattern is tried only at the places its fragments say a match may start when
#: no match runs more than this many characters before the fragment it holds (each character
#: of leeway is one more place to try).
MAX_LEAD = 8
#: `all_caps` needs at least this many letters.
ALL_CAPS_MIN_LETTERS = 3
_QUOTES = "\"“‘'«„"
_QUESTION_TAIL = _QUOTES + "”’)"
#: `ends_sentence`: a line ending in one of these, closing quotes and brackets aside.
_SENTENCE_END = (".", "!", "?", "…")
_SENTENCE_TAIL = "\"”’')]"
_PUNCT = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~“”‘’«»–—…•·")

# --- characters ------------------------------------------------------------------------------

#: One bit per character class the shape features count; a character's byte says which hold.
#: Chinese and Japanese, written without spaces, count as one word a line here, so a paragraph
#: reads as one long token: out of fold, 33 of 92 Chinese body lines of train and dev sites are
#: taken off (dealing 0). Counting each of their characters as a lowercase word and `。！？` as
#: sentence ends (stop 35, branch `cjk`) kept all but 1 (dealing 1: 11 -> 2), and on the test
#: sites' documents with either in them (a Chinese page, and an English blog that quotes
#: Japanese in most lines) lost 7 of 270 body lines instead of 39. Not kept: every
#: other line's features are the same, yet retraining on the changed rows moved the other
#: figures (cleaned modern recall -0.014 [-0.026, -0.005] on dealing 1, so the rule turns it
#: down) as far as leaving those 31 documents out does (`training/crossval.py`), and the
#: retrained models put eight held-out figures under their floors (L3S extract body F1 .931,
#: HTML modern `with` kept .917, date recall .489, ...).
ALPHA, UPPER, LOWER, DIGIT, PUNCT, WORD = (1 << i for i in range(6))
#: Separates lines in a batch's joined text: no pattern literal and no counted class.
_SEP = "\n"


@lru_cache(maxsize=1 << 16)
def _char_flags(cp: int) -> int:
    """The class bits of one character, as `str` methods and `re`'s `\\w` define them."""
    c = chr(cp)
    return (
        ALPHA * c.isalpha()
        | UPPER * c.isupper()
        | LOWER * c.islower()
        | DIGIT * c.isdigit()
        | PUNCT * (c in _PUNCT)
        | WORD * (c.isalnum() or c == "_")
    )


_ASCII_FLAGS = np.array([_char_flags(cp) for cp in range(128)], dtype=np.uint8)


def _flags_of(cps: np.ndarray) -> np.ndarray:
    """Class bits of every code point: a table for ASCII, the few other characters one by one."""
    flags = _ASCII_FLAGS[np.minimum(cps, 127)]
    other = np.flatnonzero(cps > 127)
    if other.size:
        uniq, inverse = np.unique(cps[other], return_inverse=True)
        flags[other] = np.array([_char_flags(int(cp)) for cp in uniq], dtype=np.uint8)[inverse]
    return flags


@dataclass
class _Batch:
    """The non-blank lines of a batch, stripped, as one joined string and per-line offsets."""

    texts: list[str]
    joined: str
    starts: np.ndarray  # index in `joined` of each line's first character
    lengths: np.ndarray
    _folded: tuple[str, np.ndarray] | None = field(default=None, repr=False)
    _cps: np.ndarray | None = field(default=None, repr=False)
    _found: dict[bool, _literals.Occurrences] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, texts: list[str]) -> _Batch:
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        starts = np.zeros(len(texts), dtype=np.int64)
        np.cumsum(lengths[:-1] + len(_SEP), out=starts[1:])
        return cls(texts, _SEP.join(texts), starts, lengths)

    def folded(self) -> str | None:
        """The joined text case-folded for IGNORECASE fragments (None if folding moved characters)."""
        if self._folded is None:
            self._folded = _literals.fold_points(self.joined, self.code_points())
        text = self._folded[0]
        return text if len(text) == len(self.joined) else None

    def code_points(self) -> np.ndarray:
        """The joined text's code points (the shape features and the fragment index read them)."""
        if self._cps is None:
            self._cps = _literals.code_points(self.joined)
        return self._cps

    def slices(self, text: str, rows: np.ndarray) -> list[str]:
        """The lines `rows` as they stand in `text` (joined or folded)."""
        starts = self.starts[rows]
        ends = starts + self.lengths[rows]
        return [text[a:b] for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]

    def occurrences(self, folded: bool) -> _literals.Occurrences:
        """Where the pattern features' fragments occur in the text (folded or not): all of
        them are found in one pass per text, kept for the batch."""
        if folded not in self._found:
            if folded:
                text = self.folded()
                assert text is not None and self._folded is not None
                cps = self._folded[1]
            else:
                text, cps = self.joined, self.code_points()
            self._found[folded] = _FRAGMENT_INDEXES[folded].occurrences(text, self.starts, cps)
        return self._found[folded]

    def lines_containing(self, name: str, folded: bool) -> np.ndarray:
        """Indices of the lines whose text (folded or not) has one of pattern feature `name`'s
        fragments."""
        return self.occurrences(folded).lines_of(name)


#: What `_line_counts` counts in each line, in its columns' order (as `cleaner/_scan.c`'s).
SHAPE_COUNTS = (
    "letters", "upper", "words", "word_chars", "title_words", "lower_words", "digits", "punct",
    "pipes", "sentence_breaks", "ends_question", "ends_sentence", "colon_in_head",
)
#: What a mark is to the counts (bits; as `cleaner/_scan.c`'s, checked below).
_ROLES = (
    (_PUNCT, 1), (_QUESTION_TAIL, 2), ("?", 4), (_SENTENCE_TAIL, 8), ("".join(_SENTENCE_END), 16),
    (":", 32),
)


def _mark_table() -> tuple[np.ndarray, np.ndarray]:
    """The marks' code points, sorted, and the role bits of each (the C line pass's table)."""
    if any(len(end) != 1 for end in _SENTENCE_END):  # pragma: no cover
        raise ValueError("the C line pass reads a sentence's last mark as one character")
    roles: dict[int, int] = {}
    for chars, bit in _ROLES:
        for ch in chars:
            roles[ord(ch)] = roles.get(ord(ch), 0) | bit
    points = sorted(roles)
    return np.array(points, dtype=np.uint32), np.array([roles[cp] for cp in points], dtype=np.uint8)


_MARK_CPS, _MARK_ROLES = _mark_table()
_C_ROLES = None if _literals._scan is None else _literals._scan.ROLES
if _C_ROLES is not None and _C_ROLES != tuple(bit for _, bit in _ROLES):  # pragma: no cover
    raise ImportError("cleaner/_scan.c numbers the marks' roles unlike cleaner/features.py: rebuild it")


def _line_counts(batch: _Batch, cps: np.ndarray, compiled: bool = True) -> np.ndarray:
    """`SHAPE_COUNTS` of each line (a row each): counted in C if it is built and `compiled`,
    else from per-character masks with numpy (and the last four with `re` and str methods),
    to the same counts."""
    starts, scan = batch.starts, _literals._scan
    if compiled and scan is not None:
        counts = np.empty((len(starts), scan.N_COUNTS), dtype=np.int64)
        scan.line_counts(cps, starts, batch.lengths, _MARK_CPS, _MARK_ROLES, HEAD_CHARS, counts)
        return counts
    flags = _flags_of(cps)

    def per_line(mask: np.ndarray) -> np.ndarray:
        return np.add.reduceat(mask, starts, dtype=np.int64)

    texts = batch.texts
    word = (flags & WORD).astype(bool)
    word_start = word.copy()
    word_start[1:] &= ~word[:-1]  # the separator is not a word character: no reset needed
    return np.column_stack([
        per_line((flags & ALPHA).astype(bool)),
        per_line((flags & (ALPHA | UPPER)) == (ALPHA | UPPER)),
        per_line(word_start),
        per_line(word),
        per_line(word_start & (flags & UPPER).astype(bool)),
        per_line(word_start & (flags & LOWER).astype(bool)),
        per_line((flags & DIGIT).astype(bool)),
        per_line((flags & PUNCT).astype(bool)),
        per_line(cps == ord("|")),
        *(np.fromiter(map(f, texts), dtype=np.int64, count=len(texts)) for f in (
            lambda s: len(p.SENTENCE_BREAK.findall(s)),
            lambda s: s.rstrip(_QUESTION_TAIL).endswith("?"),
            # str methods from the end, not a regex searched from every start: 10x cheaper.
            lambda s: s.rstrip(_SENTENCE_TAIL).endswith(_SENTENCE_END),
            lambda s: ":" in s[:HEAD_CHARS],
        )),
    ])


def _shape_columns(batch: _Batch) -> dict[str, np.ndarray]:
    """Length, word and character-class features of every line, from per-line counts."""
    cps = batch.code_points()
    starts, n_chars = batch.starts, batch.lengths
    counts = dict(zip(SHAPE_COUNTS, _line_counts(batch, cps).T, strict=True))
    letters, upper, n_words = counts["letters"], counts["upper"], counts["words"]
    has_words = n_words > 0
    safe_words = np.where(has_words, n_words, 1)
    return {
        "log_chars": log1p_counts(n_chars),
        "log_words": log1p_counts(n_words),
        "mean_word_len": np.where(has_words, counts["word_chars"] / safe_words, 0.0),
        "sentence_breaks": np.minimum(counts["sentence_breaks"], MAX_SENTENCE_BREAKS).astype(float),
        "ends_question": counts["ends_question"] > 0,
        "ends_sentence": counts["ends_sentence"] > 0,
        "ends_colon": cps[starts + n_chars - 1] == ord(":"),
        "frac_upper": upper / np.maximum(letters, 1),
        "frac_titlecase_words": np.where(has_words, counts["title_words"] / safe_words, 0.0),
        "frac_digits": counts["digits"] / n_chars,
        "frac_punct": counts["punct"] / n_chars,
        "starts_quote": np.isin(cps[starts], [ord(q) for q in _QUOTES]),
        "pipes": counts["pipes"].astype(float),
        "all_caps": (upper == letters) & (upper >= ALL_CAPS_MIN_LETTERS),
        "colon_in_head": counts["colon_in_head"] > 0,
        "frac_lower_words": np.where(has_words, counts["lower_words"] / safe_words, 0.0),
    }


# --- patterns --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PatternFeature:
    """A base column computed by regular expressions on a stripped line.

    `how`: "match" or "search" (1.0 if the pattern matches), "count" (number of matches,
    capped at `cap`), or "call" (`func(line)` is true; `gates` must then list patterns one of
    which matches somewhere in every line for which `func` is true, or be empty).
    """

    name: str
    how: str
    pattern: re.Pattern[str] | None = None
    cap: int | None = None
    func: Callable[[str], bool] | None = None
    gates: tuple[re.Pattern[str], ...] = ()

    def fragments(self) -> tuple[frozenset[str], bool] | None:
        """Literals one of which every line this feature is non-zero for contains, and
        whether they are case-folded; None when no such literals are known."""
        if self.how == "match":
            # Anchored at the line's start, the pattern fails within a few characters of most
            # lines: cheaper than searching the batch for its literals (4-8x, measured).
            return None
        pats = self.gates if self.how == "call" else (self.pattern,)
        if not pats or any(pt is None for pt in pats):
            return None
        found = [_literals.required_fragments(pt) for pt in pats]  # type: ignore[arg-type]
        folded = {bool(pt.flags & re.IGNORECASE) for pt in pats}  # type: ignore[union-attr]
        if any(f is None for f in found) or len(folded) != 1:
            return None
        frags = _literals.minimal(frozenset().union(*found))  # type: ignore[arg-type]
        # A single ASCII character (`.`, `(`, `-`) is in most lines: the pattern is cheaper alone.
        if any(len(f) == 1 and f.isascii() for f in frags):
            return None
        return frags, folded.pop()

    def leads(self) -> _literals.Leads | None:
        """Where a match may start relative to each of the prefilter's fragments, when the
        pattern is tried only there (`_at_starts`); None to search each line for it."""
        pre = self.fragments()
        if pre is None or self.how not in ("search", "count") or self.pattern is None:
            return None
        leads = _literals.fragment_leads(self.pattern)
        if leads is None or _literals.matches_empty(self.pattern):
            return None
        leads = _literals.minimal_leads(leads)
        far = any(lead[1] > MAX_LEAD for how in leads.values() for lead in how)
        return None if far or frozenset(leads) != pre[0] else leads

    def twin(self) -> re.Pattern[str] | None:
        """The pattern to run on folded lines instead, when it gives the same matches."""
        return None if self.pattern is None else _literals.case_sensitive_twin(self.pattern)

    def evaluate(self, lines: Sequence[str], pattern: re.Pattern[str] | None = None) -> np.ndarray:
        """The column for `lines`; `pattern` (the twin, given folded lines) stands in for its own."""
        if self.how == "call":
            assert self.func is not None
            return np.fromiter(map(self.func, lines), dtype=bool, count=len(lines))
        pattern = pattern or self.pattern
        assert pattern is not None
        if self.how == "count":
            counts = np.fromiter(map(len, map(pattern.findall, lines)), dtype=float, count=len(lines))
            return np.minimum(counts, self.cap) if self.cap is not None else counts
        run = pattern.match if self.how == "match" else pattern.search
        return np.fromiter(map(bool, map(run, lines)), dtype=bool, count=len(lines))  # a match is truthy


PATTERN_FEATURES: tuple[PatternFeature, ...] = (
    PatternFeature("starts_bullet", "match", p.BULLET),
    # `opens_with_dateline` is one of these patterns matching at the start.
    PatternFeature("dateline_prefix", "call", func=p.opens_with_dateline, gates=p._DATELINES),
    PatternFeature("agency_signoff", "match", p.AGENCY_SIGNOFF),
    PatternFeature("agency_credit", "search", p.AGENCY_CREDIT),
    # `is_editor_tag` needs EDITOR_TAG to match.
    PatternFeature("editor_tag", "call", func=p.is_editor_tag, gates=(p.EDITOR_TAG,)),
    PatternFeature("byline", "match", p.BYLINE),
    PatternFeature("related_header", "match", p.RELATED_HEADER),
    PatternFeature("inline_related", "match", p.INLINE_RELATED),
    PatternFeature("summary_header", "match", p.SUMMARY_HEADER),
    PatternFeature("promo", "count", p.PROMO),
    PatternFeature("legal", "count", p.LEGAL),
    PatternFeature("caption", "search", p.CAPTION),
    PatternFeature("date_stamp", "match", p.DATE_STAMP),
    PatternFeature("url", "search", p.URL),
    PatternFeature("reporting_present", "search", p.REPORTING_PRESENT),
    PatternFeature("reporting_past", "search", p.REPORTING_PAST),
)
#: Each pattern feature's prefilter, worked out once from the compiled patterns.
_PREFILTERS = {feat.name: feat.fragments() for feat in PATTERN_FEATURES}
#: The prefilters' fragments, by whether they are searched in the folded text. None contains
#: the separator, so an occurrence never runs from one line into the next.
_FRAGMENT_INDEXES = {
    folded: _literals.FragmentIndex(
        {name: pre[0] for name, pre in _PREFILTERS.items() if pre is not None and pre[1] == folded}
    )
    for folded in (False, True)
}
#: Twins of the prefiltered patterns (those lines are sliced from the folded text anyway; an
#: anchored pattern fails fast enough that slicing every line costs more than it saves).
_TWINS = {feat.name: feat.twin() for feat in PATTERN_FEATURES if _PREFILTERS[feat.name]}
#: The features anchored at a line's start, and one pattern that matches where one of them
#: does: most lines then cost one call, not one per feature (a third less time).
_ANCHORED = tuple(feat.name for feat in PATTERN_FEATURES if feat.how == "match")
_ANY_ANCHORED = _literals.any_of([feat.pattern for feat in PATTERN_FEATURES if feat.name in _ANCHORED])
#: The prefiltered patterns tried only where their fragments place a match's start.
_START_RULES = {
    feat.name: _literals.StartRules.of(_FRAGMENT_INDEXES[pre[1]], leads)
    for feat in PATTERN_FEATURES
    if (pre := _PREFILTERS[feat.name]) is not None and (leads := feat.leads()) is not None
}


def _pattern_columns(batch: _Batch) -> dict[str, np.ndarray]:
    """Every pattern feature, run on the lines that can match (all lines without a prefilter)."""
    out: dict[str, np.ndarray] = {}
    n = len(batch.texts)
    anchored = None
    if _ANY_ANCHORED is not None:
        hits = np.fromiter(map(bool, map(_ANY_ANCHORED.match, batch.texts)), dtype=bool, count=n)
        anchored = np.flatnonzero(hits)
    for feat in PATTERN_FEATURES:
        pre = _PREFILTERS[feat.name]
        text = None if pre is None else (batch.folded() if pre[1] else batch.joined)
        if feat.name in _ANCHORED and anchored is not None:
            col = np.zeros(n)
            if anchored.size:
                col[anchored] = feat.evaluate([batch.texts[i] for i in anchored])
            out[feat.name] = col
            continue
        if pre is None or text is None:
            out[feat.name] = feat.evaluate(batch.texts).astype(float)
            continue
        twin = _TWINS[feat.name]
        if feat.name in _START_RULES:
            out[feat.name] = _at_starts(feat, batch, text, pre[1], twin)
            continue
        rows = batch.lines_containing(feat.name, pre[1])
        col = np.zeros(n)
        if rows.size:
            lines = batch.slices(text, rows) if twin else [batch.texts[i] for i in rows]
            col[rows] = feat.evaluate(lines, twin)
        out[feat.name] = col
    return out


def _at_starts(
    feat: PatternFeature, batch: _Batch, text: str, folded: bool, twin: re.Pattern[str] | None
) -> np.ndarray:
    """`feat`'s column, its pattern tried only at the places its fragments' occurrences say a
    match may start (`PatternFeature.leads`), not at every character of each line: the same
    column, as a match starts at one of those places or nowhere. A count takes them in order,
    each after the last match's end, as `findall` does."""
    col = np.zeros(len(batch.texts))
    line_of, at = batch.occurrences(folded).starts(_START_RULES[feat.name])
    if not line_of.size:
        return col
    rows = np.unique(line_of)
    lines = dict(zip(rows.tolist(), batch.slices(text, rows) if twin else [batch.texts[i] for i in rows],
                     strict=True))
    match = (twin or feat.pattern).match  # type: ignore[union-attr]
    current, end = -1, 0
    for i, a in zip(line_of.tolist(), at.tolist(), strict=True):
        if i != current:
            current, end = i, 0
        if a < end:  # a counted match covers it, or the line's search is over
            continue
        m = match(lines[i], a)
        if m is not None:
            col[i] += 1
            end = m.end() if feat.how == "count" else len(lines[i])
    return np.minimum(col, feat.cap) if feat.cap is not None else col


def base_matrix(lines: list[str]) -> np.ndarray:
    """Base features of every line of a batch; blank lines are `blank` and zeros."""
    base = np.zeros((len(lines), len(BASE_NAMES)))
    stripped = [line.strip() for line in lines]
    rows = np.flatnonzero(np.fromiter(map(bool, stripped), dtype=bool, count=len(stripped)))
    base[:, _B["blank"]] = 1.0
    base[rows, _B["blank"]] = 0.0
    if not rows.size:
        return base
    batch = _Batch.of([stripped[i] for i in rows])
    columns = {**_shape_columns(batch), **_pattern_columns(batch)}
    columns.update(_headline_columns(batch, columns["log_words"]))
    missing = set(BASE_NAMES) - {"blank"} - set(columns)
    if missing:
        raise AssertionError(f"base features without a computation: {sorted(missing)}")
    for name, values in columns.items():
        base[rows, _B[name]] = values
    return base


def headline_length(log_words: np.ndarray) -> np.ndarray:
    """Which lines the headline and wording models are asked about: `HEADLINE_MAX_WORDS` or fewer."""
    return np.expm1(log_words) <= HEADLINE_MAX_WORDS + 0.5


def _headline_columns(batch: _Batch, log_words: np.ndarray) -> dict[str, np.ndarray]:
    """The headline model's clickbait probability and the wording model's body probability of
    every headline-length line, from one hashing of their n-grams.

    A run of clickbait-shaped lines closing an article is a related tail ("You won't believe
    ...") and `Mehr zum Thema` is no subheading: wording the shape features cannot see.
    Longer lines are not asked: they are most of a document's text, and prose.
    """
    clickbait = np.full(len(batch.texts), NOT_A_HEADLINE)
    wording = np.full(len(batch.texts), NOT_A_HEADLINE)
    short = np.flatnonzero(headline_length(log_words))
    if short.size:
        texts = [batch.texts[i] for i in short]
        headline, words = headline_model(), wording_model()
        models = (headline,) if words is None else (headline, words)
        z = margins(models, texts)
        clickbait[short] = headline.probability(z[0])
        if words is not None:
            wording[short] = words.probability(z[1])
    return {"clickbait": clickbait, "wording": wording}


# --- context ---------------------------------------------------------------------------------


def shift_rows(a: np.ndarray, off: int) -> np.ndarray:
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


@dataclass
class _Segments:
    """Rows of several documents stacked: each row's document, index within it, and length."""

    starts: np.ndarray  # first row of each (non-empty) segment
    sizes: np.ndarray
    seg: np.ndarray  # segment of each row
    idx: np.ndarray  # index of each row within its segment

    @classmethod
    def of(cls, sizes: np.ndarray) -> _Segments:
        sizes = sizes[sizes > 0]
        starts = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)
        seg = np.repeat(np.arange(sizes.size), sizes)
        idx = np.arange(seg.size) - starts[seg]
        return cls(starts, sizes, seg, idx)

    def shift(self, a: np.ndarray, off: int) -> np.ndarray:
        """`_shift` within each segment: rows past a segment's ends are zeros."""
        out = shift_rows(a, off)
        target = self.idx + off
        outside = (target < 0) | (target >= self.sizes[self.seg])
        out[outside] = 0
        return out

    def cumsum_before_after(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per row: sum of `x` over the rows above it and below it in its segment."""
        cum = np.cumsum(x)
        total = cum[self.starts + self.sizes - 1]
        base = np.concatenate(([0.0], cum))[self.starts]
        inclusive = cum - base[self.seg]
        return inclusive - x, total[self.seg] - base[self.seg] - inclusive

    def since(self, flags: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per row: rows since the last flagged row above it in its segment, and whether one is."""
        pos = np.arange(flags.shape[0])
        last = np.maximum.accumulate(np.where(flags > 0, pos, -1))
        last_above = np.concatenate(([-1], last[:-1]))
        seen = last_above >= self.starts[self.seg]
        dist = np.where(seen, pos - last_above, 0)
        return log1p_counts(dist), seen.astype(float)

    def run_lengths(self, flags: np.ndarray) -> np.ndarray:
        """Per row: length of the run of consecutive flagged rows it belongs to (0 if none)."""
        flag = flags.astype(bool)
        begins = flag & ((self.idx == 0) | ~np.concatenate(([False], flag[:-1])))
        run = np.cumsum(begins) - 1
        lengths = np.bincount(run[flag], minlength=max(int(run.max()) + 1, 0) if run.size else 0)
        out = np.zeros(flags.shape[0])
        out[flag] = lengths[run[flag]]
        return out

    def median(self, x: np.ndarray) -> np.ndarray:
        """Per segment: `np.median` of its rows."""
        order = np.lexsort((x, self.seg))
        s = x[order]
        lo = self.starts + (self.sizes - 1) // 2
        hi = self.starts + self.sizes // 2
        return np.where(lo == hi, s[lo], (s[lo] + s[hi]) / 2)

    def mean(self, x: np.ndarray) -> np.ndarray:
        """Per segment: the mean of its rows of a 2-d `x` (one column per quantity).

        `np.add.reduceat` adds a segment's rows one after another, as `np.mean(axis=0)` of a
        2-d array does, so the figures are its to the bit, whatever the batch (a 1-d array's
        `np.mean` adds pairwise instead: pass columns, not vectors). One call for the batch:
        one `np.mean` a document and column took a third of the context features' time.
        """
        if x.ndim != 2:
            raise ValueError("Segments.mean takes rows of columns (a 2-d array)")
        return np.add.reduceat(x, self.starts, axis=0) / self.sizes[:, None]


def _context(
    base: np.ndarray, segs: _Segments, blank_before: np.ndarray, blank_after: np.ndarray
) -> np.ndarray:
    """Position, neighbour and region features over the non-blank lines of each document."""
    col = {name: base[:, _B[name]] for name in BASE_NAMES}
    neigh = base[:, [_B[name] for name in NEIGHBOUR_NAMES]]
    parts = [segs.shift(neigh, off) for off in NEIGHBOUR_OFFSETS]

    m = segs.sizes[segs.seg]
    idx = segs.idx.astype(float)
    from_end = (m - 1) - idx
    position = np.column_stack(
        [
            idx / np.maximum(m - 1, 1),
            log1p_counts(idx),
            log1p_counts(from_end),
            idx == 0,
            from_end == 0,
            blank_before,
            blank_after,
        ]
    ).astype(float)

    sentence = col["ends_sentence"]
    words = np.rint(np.expm1(col["log_words"]))  # whole counts: expm1(log1p(n)) is n only to an ulp
    long_line = (words >= LONG_LINE_WORDS).astype(float)
    fewest, most = HEADLINE_LIKE_WORDS
    headline_like = ((sentence == 0) & (words >= fewest) & (words <= most)).astype(float)

    since_rel, rel_above = segs.since(col["related_header"])
    since_sum, sum_above = segs.since(col["summary_header"])
    date_before, date_after = segs.cumsum_before_after(col["dateline_prefix"])
    sent_before, sent_after = segs.cumsum_before_after(sentence)
    long_before, long_after = segs.cumsum_before_after(long_line)
    log_chars = np.ascontiguousarray(col["log_chars"])

    context = np.column_stack(
        [
            since_rel,
            rel_above,
            since_sum,
            sum_above,
            date_after > 0,
            date_before > 0,
            sent_after / np.maximum(from_end, 1),
            sent_before / np.maximum(idx, 1),
            log1p_counts(long_after),
            log1p_counts(long_before),
            log1p_counts(segs.run_lengths(headline_like)),
            # Length against the document's typical line: a standfirst is short beside its body.
            log_chars - segs.median(log_chars)[segs.seg],
        ]
    ).astype(float)
    means = segs.mean(np.column_stack([sentence, log_chars, col["starts_bullet"], col["wording"]]))
    doc = np.column_stack([log1p_counts(segs.sizes), means])[segs.seg]
    return np.hstack(parts + [position, context, doc])


def batch_features(docs: list[list[str]]) -> np.ndarray:
    """Stacked feature matrices of many documents, computed together: one row per line."""
    lines = [line for doc in docs for line in doc]
    return features_from_base(base_matrix(lines), [len(doc) for doc in docs])


def features_from_base(base: np.ndarray, sizes: Sequence[int]) -> np.ndarray:
    """Stacked feature matrices from the base features of the documents' lines (`sizes`
    lines a document): what a line is alone does not change with its document, so a
    document cut shorter is featured again from the rows it keeps."""
    out = np.zeros((base.shape[0], len(FEATURE_NAMES)))
    if not base.shape[0]:
        return out
    out[:, : len(BASE_NAMES)] = base
    is_blank = base[:, _B["blank"]] > 0
    doc_of = np.repeat(np.arange(len(sizes)), sizes)
    nonblank = np.flatnonzero(~is_blank)
    if nonblank.size:
        first = np.concatenate(([True], doc_of[1:] != doc_of[:-1]))
        last = np.concatenate((doc_of[1:] != doc_of[:-1], [True]))
        blank_before = np.concatenate(([False], is_blank[:-1])) & ~first
        blank_after = np.concatenate((is_blank[1:], [False])) & ~last
        segs = _Segments.of(np.bincount(doc_of[nonblank], minlength=len(sizes)))
        out[nonblank, len(BASE_NAMES):] = _context(
            base[nonblank], segs, blank_before[nonblank].astype(float), blank_after[nonblank].astype(float)
        )
    return out


def document_features(lines: list[str]) -> np.ndarray:
    """Feature matrix (one row per input line, blank lines included) for one document."""
    return batch_features([lines])


def doc_offsets(docs: list[list[str]]) -> np.ndarray:
    """Start row of each document in a stacked matrix, plus the total at the end."""
    return np.concatenate(([0], np.cumsum([len(lines) for lines in docs]))).astype(int)


#: Offsets at which the second pass sees the first pass's probabilities: the line's own (0),
#: so that it revises a judgement rather than makes a new one, and its neighbours'. Each
#: class's probability summed over all lines above and below (is there story further down?)
#: was tried beside them and not kept: pooled over three site folds (`make cv`), no figure
#: moved by 0.005 but cleaned FakeNewsCorpus recall, down 0.008.
#: So was the first-pass P(body) of the nearest prose line (ten words or more, a sentence)
#: above and below, with the distance to each, for lists and tables between paragraphs
#: (stop 29): no figure moved beyond chance (`training.compare`; hand-labelled recall +0.002).
#: So was where a line stands to the story's run (stop 34, branches `runblock`, `runblock2`): the
#: run of consecutive lines whose first-pass P(body) - 0.5 adds up to the most, as jusText keeps
#: the region of good paragraphs; a line in it, and its distance in lines from it. L3S page text
#: F1 was better beyond chance on both dealings (+0.003, +0.003), modern whole-page `with` and
#: `without` on the usual one, but FakeNewsCorpus article body F1 worse beyond chance there
#: (-0.0055 [-0.010, -0.003]; lists and credits inside a story fall outside the run). Each
#: line weighted by its log length: cleaned FakeNewsCorpus recall -0.006 [-0.011, -0.002]. Not kept.
SECOND_PASS_OFFSETS: tuple[int, ...] = (-3, -2, -1, 0, 1, 2, 3)


#: What the second pass sees of a line besides the probabilities: where it stands, not its
#: shape, so that it smooths the first pass's judgements by context instead of re-deciding
#: from the same features (which overfits the out-of-fold probabilities it is trained on).
SECOND_PASS_KEEP: tuple[str, ...] = ("blank",) + POSITION_NAMES + CONTEXT_NAMES + DOC_NAMES
_KEEP_COLUMNS = [FEATURE_NAMES.index(name) for name in SECOND_PASS_KEEP]


def second_pass_features(
    X: np.ndarray, proba: np.ndarray, offsets: np.ndarray, at: np.ndarray | None = None
) -> np.ndarray:
    """The first pass's class probabilities of each line and its non-blank neighbours.

    Lets the model revise a line by what its context was judged to be (a short line between
    body paragraphs is body; one inside a run of related headlines is related), and adds the
    document's mean probabilities (how much of it the first pass thought was story).
    `at`: the rows wanted (all by default): the rows of the whole matrix, at less cost (the
    cascade revises a fraction of the lines).
    """
    n_classes = proba.shape[1]
    wanted = np.arange(X.shape[0]) if at is None else np.asarray(at)
    extra = np.zeros((wanted.size, n_classes * (len(SECOND_PASS_OFFSETS) + 1)))
    rows = np.flatnonzero(X[:, _B["blank"]] == 0)
    if rows.size:
        sizes = np.diff(offsets)
        doc_of = np.repeat(np.arange(sizes.size), sizes)
        segs = _Segments.of(np.bincount(doc_of[rows], minlength=sizes.size))
        doc_proba = proba[rows]
        # The wanted rows that are not blank, and where each stands among the non-blank ones.
        place = np.searchsorted(rows, wanted)
        hit = (place < rows.size) & (rows[np.minimum(place, rows.size - 1)] == wanted)
        pos = place[hit]
        for k, off in enumerate(SECOND_PASS_OFFSETS):  # a neighbour's, zeros past the document
            near = segs.idx[pos] + off
            inside = (near >= 0) & (near < segs.sizes[segs.seg[pos]])
            part = np.zeros((pos.size, n_classes))
            part[inside] = doc_proba[pos[inside] + off]
            extra[hit, k * n_classes : (k + 1) * n_classes] = part
        extra[hit, len(SECOND_PASS_OFFSETS) * n_classes :] = segs.mean(doc_proba)[segs.seg[pos]]
    return np.hstack([X[wanted][:, _KEEP_COLUMNS], extra])

"""The headline model: the probability that a headline is clickbait.

The line model asks this for every line of every document, so scoring is numpy alone and
vectorised over a batch: no scikit-learn import, no Python loop per n-gram. A headline becomes
word 1-2-grams and character 2-5-grams, each hashed into one of `n_features` buckets: a
polynomial hash of the substring, computed for the whole batch at once (char n-grams grown
one character at a time, words from prefix sums), then multiply-shift to a bucket, so every
n-gram of every headline costs a few array operations; the weights, the idf vector and the
calibration are plain arrays in `models/clickbait.npz`, loaded without pickle, after its
bytes match the digest in `models/CLICKBAIT_SHA256`. Training (`training/clickbait.py`)
builds its matrix from `ngram_occurrences` below, so both sides see the same features.
Scoring hashes and sums in one C loop (`cleaner/_scan.c`) where that is built: the same
hashes, the same sums in the same order, so the same margins to the last bit.

Feature value of bucket b in a headline: count(b) * idf[b] / sqrt(sum over the headline's
n-gram occurrences k of idf[b_k]^2). That is the l2 norm when no n-gram repeats; defining it
over occurrences lets the score be two `bincount`s instead of a sort.

The model knows headlines: a score for text of another shape (a lone word, a long paragraph)
is defined but says little, so a caller such as the line model reads it beside length.
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from cleaner.integrity import loaded_once, verified_bytes
from cleaner.numeric import exp

try:  # built from cleaner/_scan.c at install time; optional, as cleaner._walk is
    from cleaner import _scan
except ImportError:  # pragma: no cover - depends on the build
    _scan = None

MODEL_DIR = Path(__file__).parent / "models"
WEIGHTS_FILE = "clickbait.npz"
SETTINGS_FILE = "clickbait.json"
DIGEST_FILE = "CLICKBAIT_SHA256"

# Nothing to judge: a blank line or a missing title is not clickbait.
EMPTY_SCORE = 0.0
# Headlines are short (the training set's longest is 135 characters); a body paragraph
# passed in by the line model is judged on its opening, which bounds the cost per line.
MAX_CHARS = 200
# Headlines per block of array work: bounds memory whatever the batch size.
CHUNK = 8192

# Hash constants (64-bit, arithmetic wraps modulo 2**64). Changing any of them changes every
# feature: the model must then be retrained.
_BASE = 0x100000001B3  # odd, so it has an inverse modulo 2**64
_BASE_INV = pow(_BASE, -1, 2**64)
_SALT_CHAR = 0x9E3779B97F4A7C15
_SALT_WORD = 0xC2B2AE3D27D4EB4F
_SALT_BIGRAM = 0x165667B19E3779F9
_SPREAD = np.uint64(0xD6E8FEB86659FD93)
if _scan is not None and (_scan.BASE, _scan.SALTS, _scan.SPREAD) != (
    _BASE, (_SALT_CHAR, _SALT_WORD, _SALT_BIGRAM), int(_SPREAD)
):  # pragma: no cover - a stale build
    raise ImportError("cleaner/_scan.c hashes n-grams differently from cleaner/clickbait.py: rebuild it")
#: Most models `_scan.ngram_sums` scores at once.
_SCAN_MAX_MODELS = 4

# Typographic punctuation -> ASCII, so curly quotes and dashes (common in real pages, and
# only ever in the news half of the training data) do not read as a class signal.
_PUNCT = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-", "\u2026": "...", "\u00a0": " ",
}

_ASCII_ALNUM = np.zeros(128, dtype=bool)
for _c in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789":
    _ASCII_ALNUM[ord(_c)] = True
_APOSTROPHE = ord("'")


class ClickbaitModelError(RuntimeError):
    """The bundled headline model is missing, or its bytes are not the ones pinned."""


@dataclass(frozen=True)
class Settings:
    """How a headline becomes features; stored in `models/clickbait.json` beside the weights."""

    n_features: int = 2**18
    char_ngrams: tuple[int, int] = (2, 5)
    word_ngrams: tuple[int, int] = (1, 2)
    lowercase: bool = True

    def __post_init__(self) -> None:
        if self.n_features < 2 or self.n_features & (self.n_features - 1):
            raise ValueError(f"n_features must be a power of two, not {self.n_features}")
        if not (1 <= self.char_ngrams[0] <= self.char_ngrams[1]):
            raise ValueError(f"bad char_ngrams {self.char_ngrams}")
        if not (1 <= self.word_ngrams[0] <= self.word_ngrams[1] <= 2):
            raise ValueError(f"word_ngrams must lie within (1, 2), not {self.word_ngrams}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_features": self.n_features,
            "char_ngrams": list(self.char_ngrams),
            "word_ngrams": list(self.word_ngrams),
            "lowercase": self.lowercase,
            "max_chars": MAX_CHARS,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Settings:
        if d.get("max_chars", MAX_CHARS) != MAX_CHARS:
            raise ClickbaitModelError(f"headline model was built with max_chars={d['max_chars']}, "
                                      f"this code truncates at {MAX_CHARS}; retrain it")
        return cls(
            n_features=int(d["n_features"]),
            char_ngrams=(int(d["char_ngrams"][0]), int(d["char_ngrams"][1])),
            word_ngrams=(int(d["word_ngrams"][0]), int(d["word_ngrams"][1])),
            lowercase=bool(d["lowercase"]),
        )


def normalise(headline: str, lowercase: bool = True) -> str:
    """NFKC, ASCII punctuation, one space between words; '' when nothing is left."""
    text = headline[:MAX_CHARS]
    if not text.isascii():  # both steps leave ASCII as it is, and cost more than the rest
        text = unicodedata.normalize("NFKC", text)
        # A replace per mark, not `str.translate`: 10x faster on short non-ASCII lines, the
        # same text (each mark is non-ASCII, each replacement ASCII).
        for mark, ascii_mark in _PUNCT.items():
            if mark in text:
                text = text.replace(mark, ascii_mark)
    if lowercase:
        text = text.lower()
    return " ".join(text.split())


def _bucket(hashes: np.ndarray, salt: int, bits: int) -> np.ndarray:
    """Multiply-shift: the top `bits` bits of (hash ^ salt) * an odd constant, as bucket numbers."""
    return (((hashes ^ np.uint64(salt)) * _SPREAD) >> np.uint64(64 - bits)).view(np.int64)


def _powers(base: int, n: int) -> np.ndarray:
    """base**0 .. base**(n-1) modulo 2**64."""
    out = np.full(n, base, dtype=np.uint64)
    out[:1] = 1
    with np.errstate(over="ignore"):
        return np.cumprod(out, dtype=np.uint64)


def _chunk_groups(texts: list[str], settings: Settings) -> list[tuple[np.ndarray, np.ndarray]]:
    """(row, bucket) of the n-gram occurrences of non-empty normalised texts, one pair a kind."""
    padded = [f" {t} " for t in texts]  # word edges become visible to the char n-grams
    lengths = np.fromiter(map(len, padded), dtype=np.int64, count=len(padded))
    ends = np.cumsum(lengths)
    total = int(ends[-1])
    joined = "".join(padded).encode("utf-32-le", "surrogatepass")
    codes = np.frombuffer(joined, dtype=np.uint32).astype(np.uint64) + np.uint64(1)
    row_of = np.repeat(np.arange(len(padded), dtype=np.int64), lengths)
    room = np.repeat(ends, lengths) - np.arange(total, dtype=np.int64)  # chars left in its text
    bits = settings.n_features.bit_length() - 1
    groups: list[tuple[np.ndarray, np.ndarray]] = []

    # The hash of text[a:b] is sum_{j=a}^{b-1} code_j * BASE**(j-a) (mod 2**64), wherever it
    # stands: char n-grams extend it one character at a time, words take it from prefix sums.
    with np.errstate(over="ignore"):
        lo, hi = settings.char_ngrams
        rolling = codes
        for n in range(1, min(hi, total) + 1):
            if n > 1:
                rolling = rolling[:-1] + codes[n - 1 :] * np.uint64(pow(_BASE, n - 1, 2**64))
            if n >= lo:
                inside = room[: total - n + 1] >= n
                rows = row_of[: total - n + 1][inside]
                groups.append((rows, _bucket(rolling[inside], _SALT_CHAR + n, bits)))

        # Words: runs of letters and digits (anything non-ASCII counts as a letter), with an
        # apostrophe inside a word kept ("won't").
        small = codes <= 128
        word = ~small
        word[small] = _ASCII_ALNUM[(codes[small] - np.uint64(1)).view(np.int64)]
        inner = np.flatnonzero(codes[1:-1] == _APOSTROPHE + 1) + 1
        word[inner] = word[inner - 1] & word[inner + 1]
        edge = np.diff(word.view(np.int8), prepend=0, append=0)
        w_start = np.flatnonzero(edge == 1)
        w_end = np.flatnonzero(edge == -1)
        prefix = np.zeros(total + 1, dtype=np.uint64)
        np.cumsum(codes * _powers(_BASE, total), out=prefix[1:])
        inverse = _powers(_BASE_INV, total)
        w_hash = (prefix[w_end] - prefix[w_start]) * inverse[w_start]
        w_row = row_of[w_start]
        if settings.word_ngrams[0] <= 1:
            groups.append((w_row, _bucket(w_hash, _SALT_WORD, bits)))
        if settings.word_ngrams[1] >= 2 and len(w_row) > 1:
            same = w_row[1:] == w_row[:-1]
            pair = w_hash[:-1][same] * np.uint64(_BASE) + w_hash[1:][same]
            groups.append((w_row[1:][same], _bucket(pair, _SALT_BIGRAM, bits)))
    return groups


def _chunks(
    headlines: Sequence[str], settings: Settings
) -> Iterator[tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray]]]]:
    """Per block of headlines: the indices of its non-empty ones, and their n-gram groups."""
    texts = [normalise(h, settings.lowercase) for h in headlines]
    for first in range(0, len(texts), CHUNK):
        index = [i for i in range(first, min(first + CHUNK, len(texts))) if texts[i]]
        if index:
            yield np.asarray(index, dtype=np.int64), _chunk_groups([texts[i] for i in index], settings)


def ngram_occurrences(headlines: Sequence[str], settings: Settings) -> tuple[np.ndarray, np.ndarray]:
    """Row and hash bucket of every n-gram occurrence in a batch; empty headlines have none.

    Shared by training and scoring so that the two can never featurise differently.
    """
    rows: list[np.ndarray] = [np.zeros(0, dtype=np.int64)]
    buckets: list[np.ndarray] = [np.zeros(0, dtype=np.int64)]
    for index, groups in _chunks(headlines, settings):
        for r, b in groups:
            rows.append(index[r])
            buckets.append(b)
    return np.concatenate(rows), np.concatenate(buckets)


@dataclass(frozen=True)
class HeadlineModel:
    """A calibrated linear model over the hashed features: p = sigmoid(a * (w.x + b0) + b)."""

    settings: Settings
    weighted_coef: np.ndarray  # coef * idf, per bucket
    idf_squared: np.ndarray  # per bucket, for the norm
    intercept: float
    calibration: tuple[float, float]  # (a, b); (1, 0) when the linear model is calibrated itself

    def decision(self, headlines: Sequence[str]) -> np.ndarray:
        """The linear model's margin; NaN for headlines with nothing to score."""
        return margins((self,), headlines)[0]

    def scores(self, headlines: Sequence[str]) -> np.ndarray:
        return self.probability(self.decision(headlines))

    def probability(self, z: np.ndarray) -> np.ndarray:
        """Calibrated probabilities of margins; `EMPTY_SCORE` where the margin is NaN."""
        a, b = self.calibration
        out = np.full(len(z), EMPTY_SCORE)
        has = ~np.isnan(z)
        out[has] = 1.0 / (1.0 + exp(-(a * z[has] + b)))
        return out


def margins(
    models: Sequence[HeadlineModel], headlines: Sequence[str], compiled: bool = True
) -> list[np.ndarray]:
    """Each model's margin of every headline (NaN: nothing to score), the n-grams hashed once:
    models of the same `Settings` differ only in their weights. In C if it is built and
    `compiled`, else with numpy, to the same bits."""
    if any(m.settings != models[0].settings for m in models):
        raise ValueError("models scored together must share their settings")
    out = [np.full(len(headlines), np.nan) for _ in models]
    if compiled and _scan is not None and 0 < len(models) <= _SCAN_MAX_MODELS:
        index, sums = _scanned_sums(models, headlines)
        parts = [(index, [(sums[:, 2 * j], sums[:, 2 * j + 1]) for j in range(len(models))])]
    else:
        parts = [
            (index, _summed(models, groups, len(index)))
            for index, groups in _chunks(headlines, models[0].settings)
        ]
    for index, sums_of in parts:
        for model, z, (num, den) in zip(models, out, sums_of, strict=True):
            with np.errstate(invalid="ignore", divide="ignore"):  # no n-gram at all: NaN
                z[index] = num / np.sqrt(den) + model.intercept
    return out


def _summed(
    models: Sequence[HeadlineModel], groups: list[tuple[np.ndarray, np.ndarray]], n: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each model's sums of weights and of norm terms over the n-gram groups of n headlines."""
    out = []
    for model in models:
        num = np.zeros(n)
        den = np.zeros(n)
        for rows, buckets in groups:
            num += np.bincount(rows, weights=model.weighted_coef[buckets], minlength=n)
            den += np.bincount(rows, weights=model.idf_squared[buckets], minlength=n)
        out.append((num, den))
    return out


def _scanned_sums(
    models: Sequence[HeadlineModel], headlines: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    """`_summed` in C: the indices of the non-empty headlines, and for each of them each
    model's two sums side by side."""
    settings = models[0].settings
    texts = [normalise(h, settings.lowercase) for h in headlines]
    padded = [f" {t} " if t else "" for t in texts]  # an empty headline has no n-grams at all
    lengths = np.fromiter(map(len, padded), dtype=np.int64, count=len(padded))
    cps = "".join(padded).encode("utf-32-le", "surrogatepass")
    sums = np.zeros((len(headlines), 2 * len(models)))
    _scan.ngram_sums(  # type: ignore[union-attr]
        cps, lengths, *settings.char_ngrams, *settings.word_ngrams,
        settings.n_features.bit_length() - 1, _packed_weights(models), len(models), sums,
    )
    index = np.flatnonzero(lengths)
    return index, sums[index]


#: The last tables `_packed_weights` built, with the models they were built of (so that their
#: ids stay theirs): 4 MB a model (the shipped two, and the headline model alone for titles).
_PACKED: dict[tuple[int, ...], tuple[Sequence[HeadlineModel], np.ndarray]] = {}
_PACKED_KEPT = 4
_PACKED_LOCK = threading.Lock()  # threads of one process clean at once (the C loops let go of the GIL)


def _packed_weights(models: Sequence[HeadlineModel]) -> np.ndarray:
    """Per bucket, each model's weight and norm term side by side: the C loop reads one row
    (a cache line) per n-gram instead of one element of each of four arrays."""
    key = tuple(map(id, models))
    with _PACKED_LOCK:
        if key not in _PACKED:
            table = np.empty((models[0].settings.n_features, 2 * len(models)))
            for j, model in enumerate(models):
                table[:, 2 * j] = model.weighted_coef
                table[:, 2 * j + 1] = model.idf_squared
            if len(_PACKED) >= _PACKED_KEPT:
                del _PACKED[next(iter(_PACKED))]
            _PACKED[key] = (tuple(models), table)
        return _PACKED[key][1]


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_model(model_dir: Path = MODEL_DIR) -> HeadlineModel:
    """Read the bundled headline model, after its bytes match the pinned SHA-256.

    The JSON settings are pinned too: their digest is stored inside the checked npz.
    """
    weights = model_dir / WEIGHTS_FILE
    settings_path = model_dir / SETTINGS_FILE
    try:
        pinned = (model_dir / DIGEST_FILE).read_text(encoding="ascii").split()[0].lower()
        settings_bytes = settings_path.read_bytes()
    except (OSError, IndexError) as exc:
        raise ClickbaitModelError(f"cannot read the headline model in {model_dir}: {exc}") from exc
    data = verified_bytes(weights, pinned, ClickbaitModelError, DIGEST_FILE)
    # Load the bytes that were checked, not the file again: it could change in between.
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    if hashlib.sha256(settings_bytes).hexdigest() != str(arrays["settings_sha256"]):
        raise ClickbaitModelError(
            f"settings file {settings_path} is not the one the weights in {weights} were saved with"
        )
    settings = Settings.from_dict(json.loads(settings_bytes))
    coef = arrays["coef"].astype(np.float64)
    idf = arrays["idf"].astype(np.float64)
    if coef.shape != (settings.n_features,) or idf.shape != coef.shape:
        raise ClickbaitModelError(f"{weights}: arrays do not match n_features={settings.n_features}")
    return HeadlineModel(
        settings=settings,
        weighted_coef=coef * idf,
        idf_squared=idf * idf,
        intercept=float(arrays["intercept"]),
        calibration=(float(arrays["calibration"][0]), float(arrays["calibration"][1])),
    )


@loaded_once
def headline_model() -> HeadlineModel:
    """The shipped headline model, loaded on first use and kept for the life of the process."""
    return load_model()


def clickbait_scores(headlines: Sequence[str]) -> np.ndarray:
    """Probability that each headline is clickbait; `EMPTY_SCORE` for blank ones."""
    if len(headlines) == 0:
        return np.zeros(0)
    return headline_model().scores(headlines)


def clickbait_score(headline: str) -> float:
    """Probability that one headline is clickbait; `EMPTY_SCORE` if it is blank."""
    return float(clickbait_scores([headline])[0])

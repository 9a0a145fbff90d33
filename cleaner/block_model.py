"""The block model shipped in the package: checked, loaded once, evaluated with numpy.

Four gradient-boosted tree ensembles (scikit-learn's HistGradientBoosting, fitted by
training/html_train.py):
- `quick` says whether a block is article text from the features a page has before
  trafilatura runs;
- `context` says it again, on a page `quick` is unsure of, from the same features plus
  `quick`'s verdicts on the block's neighbours and on the page (`context_features`), as
  jusText revises a paragraph's class with its neighbours';
- `body` says the same with trafilatura's vote too; it is asked only about pages where
  both are unsure of some block (a cascade): trafilatura is the dearest stage of the HTML
  path, and most pages do not need it (861 of the 1,226 train and dev pages, out of fold,
  648 of them settled by `quick` alone);
- `kind` says what a block that is not body is (title, byline, caption, related...), which
  only fills metadata; it reads no vote, so every page gets the same kinds.
The three body models have one tree an iteration, so they are cheap to fit and to run. All
are stored as plain arrays in `cleaner/models/block_model.npz`, in the line model's format
(cleaner/_trees.py: `Forest`, which also walks them): loading runs no pickle, and the
file's bytes must match the SHA-256 pinned in `cleaner/models/BLOCK_SHA256` before they
are read.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from cleaner._trees import Exit, Forest, UnsupportedModel, outside
from cleaner.integrity import loaded_once, read_pins, verified_bytes
from cleaner.numeric import log

MODEL_DIR = Path(__file__).parent / "models"
BLOCK_MODEL_FILE = "block_model.npz"
BLOCK_CHECKSUM_FILE = "BLOCK_SHA256"
ENSEMBLES = ("body", "quick", "context", "kind")
#: Early exit in `predict` (cleaner/_trees.py: `Forest.predict_proba`): a block whose P(body)
#: is at least 0.97 or at most 0.03 after 30 of the 200 iterations keeps it. Two blocks in
#: three do; on the 26,338 blocks of the dev pages not one decision changed, and the model
#: costs 40 % less. The kind model (metadata only) stops likewise after 20 of its 60
#: iterations at 0.97: 2 of 10,407 dev blocks changed kind. More exits (after 60 or 100
#: iterations too) changed no decision and saved nothing: the rows left are the unsure ones.
BODY_EXITS = ((30, 0.97),)
KIND_EXITS = ((20, 0.97),)
#: Later exits of the context and body models, around the model's own threshold (which
#: training chooses, so `BODY_EXITS`, the exit training predicts with, cannot depend on it):
#: a row stops once its log-odds are 3.5 from the threshold's after 50 iterations, 2.5 after
#: 100. The quick model keeps `BODY_EXITS` alone: the context model reads its figures as
#: training computed them. Out of fold over the 225,483 blocks of the train and dev pages
#: (quick and body models of the other folds' sites), these exits changed no block's side of
#: the threshold and 2 blocks' sureness for the cascade, and cut the iterations walked a block
#: by a third (quick 90.5 to 55.7, body 81.9 to 53.5): many rows left after 30 iterations are
#: far from the threshold, only not sure of their class at 0.97. The shipped context model on
#: the dev pages: no decision of 26,338 changed, no page's cascade.
DECIDED_EXITS = ((50, 3.5), (100, 2.5))
_P_CLIP = 1e-12
#: Neighbours (blocks above: negative) whose quick log-odds the context model reads.
CONTEXT_OFFSETS = (-3, -2, -1, 1, 2, 3)
#: The log-odds a neighbour beyond the page's first or last block counts as (sure boilerplate).
CONTEXT_PAD = -8.0
CONTEXT_NAMES: tuple[str, ...] = (
    ("ctx:self",) + tuple(f"ctx:{off:+d}" for off in CONTEXT_OFFSETS)
    + ("ctx:page_mean", "ctx:page_body_share", "ctx:position")
)


def log_odds(p: np.ndarray | float) -> np.ndarray:
    """ln(p / (1 - p)), p clipped off 0 and 1: the scale the trees add up on (the C library's
    log: the context model reads these, and must read the same bits on every CPU)."""
    p = np.clip(p, _P_CLIP, 1.0 - _P_CLIP)
    return log(p / (1.0 - p))


def sure(p: np.ndarray, threshold: float, margin: float) -> np.ndarray:
    """Per probability: at least `margin` away from `threshold` in log-odds (the scale the
    trees add up on, where a margin means as much near 0.9 as near 0.5)."""
    return np.abs(log_odds(p) - log_odds(threshold)) >= margin


@lru_cache(maxsize=8)
def body_exits(threshold: float) -> tuple[tuple[int, Exit], ...]:
    """The early exits of a body model whose threshold is `threshold` (built once a threshold)."""
    centre = float(log_odds(threshold))
    return (*BODY_EXITS, *((after, outside(centre - m, centre + m)) for after, m in DECIDED_EXITS))


def context_features(quick_log_odds: np.ndarray) -> np.ndarray:
    """Per block of one page, what the quick model said of it, of its neighbours and of the
    page (`CONTEXT_NAMES`): the columns the context model reads after the block's own."""
    lo = np.asarray(quick_log_odds, dtype=np.float64)
    n = lo.size
    columns = [lo]
    for off in CONTEXT_OFFSETS:
        shifted = np.full(n, CONTEXT_PAD)
        if 0 < -off < n:
            shifted[-off:] = lo[:off]
        elif 0 < off < n:
            shifted[:-off] = lo[off:]
        columns.append(shifted)
    columns += [
        np.full(n, lo.mean() if n else 0.0),
        np.full(n, (lo > 0).mean() if n else 0.0),
        np.arange(n) / max(n - 1, 1),
    ]
    return np.column_stack(columns).reshape(n, len(CONTEXT_NAMES))


def with_context(X_free: np.ndarray, p_quick: np.ndarray) -> np.ndarray:
    """A page's rows as the context model reads them: its features without the vote, then
    `context_features` of the quick model's P(body) of its blocks."""
    return np.hstack([X_free, context_features(log_odds(p_quick))])


class BlockModelError(RuntimeError):
    """The block model file is missing, not the pinned one, or not for this code."""


def read_pin(model_dir: Path = MODEL_DIR, name: str = BLOCK_MODEL_FILE) -> str | None:
    """The pinned SHA-256 of `name`, from BLOCK_SHA256 (`sha256sum` format)."""
    return read_pins(model_dir / BLOCK_CHECKSUM_FILE, BlockModelError).get(name)


@dataclass
class BlockModel:
    """Labels blocks from their feature rows; `feature_names` name the columns it reads."""

    body: Forest  # binary: one output, the log-odds of body, with trafilatura's vote
    quick: Forest  # the same without the vote (its columns zero)
    context: Forest  # the same from quick's columns then `CONTEXT_NAMES`
    kind: Forest  # multiclass over `kinds` (or binary when there are two)
    kinds: np.ndarray
    feature_names: tuple[str, ...]
    meta: dict[str, Any]
    #: `columns` per list of names: the same for every page, so worked out once.
    _columns: dict[tuple[str, ...], np.ndarray] = field(default_factory=dict, init=False, repr=False)

    @property
    def body_threshold(self) -> float:
        """A block is body when P(body) reaches this (chosen out of fold: training/html_train.py)."""
        return float(self.meta.get("body_threshold", 0.5))

    @property
    def quick_threshold(self) -> float:
        """The same for the model without the vote, on the pages it settles alone."""
        return float(self.meta.get("quick_threshold", 0.5))

    @property
    def cascade_margin(self) -> float:
        """A page needs the vote when some block's P(body) without it is nearer than this, in
        log-odds, to `quick_threshold` (training/html_train.py chooses it; none: every page)."""
        margin = self.meta.get("cascade_margin")
        return math.inf if margin is None else float(margin)

    @property
    def context_threshold(self) -> float:
        """The same for the context model, on the pages it settles."""
        return float(self.meta.get("context_threshold", 0.5))

    @property
    def context_margin(self) -> float:
        """As `cascade_margin`, around `context_threshold` (none: the context model settles no page)."""
        margin = self.meta.get("context_margin")
        return math.inf if margin is None else float(margin)

    def settled(self, p_quick: np.ndarray) -> bool:
        """Whether every block is far enough from the quick model's threshold to skip the vote."""
        return bool(sure(p_quick, self.quick_threshold, self.cascade_margin).all())

    def context_settled(self, p_context: np.ndarray) -> bool:
        """The same for the context model."""
        return bool(sure(p_context, self.context_threshold, self.context_margin).all())

    def columns(self, names: tuple[str, ...]) -> np.ndarray:
        """Indices, in a matrix whose columns are `names`, of the features this model reads."""
        if names in self._columns:
            return self._columns[names]
        index = {name: i for i, name in enumerate(names)}
        missing = [name for name in self.feature_names if name not in index]
        if missing:
            raise BlockModelError(
                f"the block model {MODEL_DIR / BLOCK_MODEL_FILE} reads features this code no longer "
                f"computes ({', '.join(missing[:5])}{'...' if len(missing) > 5 else ''}); "
                "retrain it with `make train-html`"
            )
        self._columns[names] = np.array([index[name] for name in self.feature_names], dtype=np.int64)
        return self._columns[names]

    def _select(self, X: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        if names == self.feature_names:  # the usual case: no copy of the page's matrix
            return X
        return X[:, self.columns(names)]

    def body_proba(self, X: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
        """P(body) per row of a matrix whose columns are `names` (every iteration: scikit-learn's)."""
        return self.body.predict_proba(self._select(X, names))[:, 1]

    def quick_proba(self, X: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
        """P(body) without the vote (its columns are not read as anything but zero)."""
        return self.quick.predict_proba(self._select(X, names))[:, 1]

    def context_proba(self, X: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
        """P(body) from the block's features without the vote and the quick model's verdicts
        around it (every iteration: scikit-learn's)."""
        Xs = self._select(X, names)
        p_quick = self.quick.predict_proba(Xs, BODY_EXITS)[:, 1]
        return self.context.predict_proba(with_context(Xs, p_quick))[:, 1]

    def kind_proba(self, X: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
        """P(kind | not body) per row, columns in `kinds` order."""
        return self.kind.predict_proba(self._select(X, names))

    def predict(
        self, X: np.ndarray, names: tuple[str, ...], vote: Callable[[], np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Label and score per row of a page: body with P(body) from the threshold on, else the
        likeliest kind. `X` has no vote (its columns zero); `vote()` gives the rows with it,
        and is called only when the quick model and then the context model are each unsure
        of some block. Sure rows stop early (`BODY_EXITS`, `body_exits`, KIND_EXITS)."""
        Xs = self._select(X, names)
        n = Xs.shape[0]
        labels = np.full(n, "other", dtype=object)
        scores = np.ones(n)
        if n == 0:
            return labels, scores
        # The quick model's figures feed the context model, which learnt from them as they
        # come with the threshold-free exits only.
        p_body = self.quick.predict_proba(Xs, BODY_EXITS)[:, 1]
        threshold = self.quick_threshold
        if not self.settled(p_body):
            threshold = self.context_threshold
            p_body = self.context.predict_proba(with_context(Xs, p_body), body_exits(threshold))[:, 1]
            if not self.context_settled(p_body):
                threshold = self.body_threshold
                p_body = self.body.predict_proba(self._select(vote(), names), body_exits(threshold))[:, 1]
        is_body = p_body >= threshold
        labels[is_body] = "body"
        scores[is_body] = p_body[is_body]
        rest = np.flatnonzero(~is_body & self._kind_rows(Xs))
        if rest.size:
            proba = self.kind.predict_proba(Xs[rest], KIND_EXITS)
            labels[rest] = self.kinds[proba.argmax(axis=1)]
            scores[rest] = proba.max(axis=1) * (1.0 - p_body[rest])
        return labels, scores

    def _kind_rows(self, Xs: np.ndarray) -> np.ndarray:
        """Rows the kind model is asked about: those with text features, or in a block whose
        classes say "related". The rest (menus, link lists) are "other" without asking:
        on a page they are half the blocks and would double the cost of the model."""
        names = self.feature_names
        none = np.zeros(len(Xs), dtype=bool)
        skipped = Xs[:, names.index("text_skipped")] > 0 if "text_skipped" in names else none
        related = Xs[:, names.index("near:related")] > 0 if "near:related" in names else none
        return ~skipped | related

    @classmethod
    def from_bytes(cls, data: bytes) -> BlockModel:
        """From the `.npz` bytes; `allow_pickle=False`, so reading them runs no code."""
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as z:
                arrays = {key: z[key] for key in z.files}
            trees = {e: Forest.from_arrays(arrays, f"{e}_") for e in ENSEMBLES}
            meta = json.loads(bytes(arrays["meta_json"]).decode("utf-8"))
            kinds = np.array(meta["kinds"], dtype=object)
            names = tuple(meta["feature_names"])
        except (KeyError, ValueError, OSError, UnsupportedModel) as exc:
            raise BlockModelError(f"the block model arrays cannot be read: {exc}") from exc
        binary = trees["body"].n_classes == trees["quick"].n_classes == trees["context"].n_classes == 1
        if trees["context"].n_features != trees["quick"].n_features + len(CONTEXT_NAMES):
            raise BlockModelError("the context model does not read the quick model's columns and the context")
        if not binary or len(kinds) != max(trees["kind"].n_classes, 2):
            raise BlockModelError("the block model's trees and labels disagree")
        return cls(**trees, kinds=kinds, feature_names=names, meta=meta)

    def to_bytes(self) -> bytes:
        meta = {**self.meta, "kinds": [str(x) for x in self.kinds],
                "feature_names": list(self.feature_names)}
        arrays: dict[str, np.ndarray] = {}
        for e in ENSEMBLES:
            arrays.update(getattr(self, e).to_arrays(f"{e}_"))
        buf = io.BytesIO()
        np.savez_compressed(
            buf, **arrays,
            meta_json=np.frombuffer(json.dumps(meta, sort_keys=True).encode("utf-8"), dtype=np.uint8),
        )
        return buf.getvalue()


def load_verified(model_dir: Path = MODEL_DIR, name: str = BLOCK_MODEL_FILE) -> BlockModel:
    """The model file's bytes, checked against the pinned SHA-256, then read (no pickle)."""
    data = verified_bytes(model_dir / name, read_pin(model_dir, name), BlockModelError, BLOCK_CHECKSUM_FILE)
    return BlockModel.from_bytes(data)


@loaded_once
def block_model() -> BlockModel:
    """The shipped block model, loaded on first use and kept for the life of the process."""
    return load_verified()

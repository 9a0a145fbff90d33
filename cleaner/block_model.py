"""The block model shipped in the package: checked, loaded once, evaluated with numpy.

Two gradient-boosted tree ensembles (scikit-learn's HistGradientBoosting, fitted by
training/html_train.py): `body` says whether a block is article text (one tree an
iteration, so it is cheap to fit and to run), `kind` says what a block that is not body
is (title, byline, caption, related...), which only fills metadata. Both are stored as
plain arrays in `cleaner/models/block_model.npz`: loading runs no pickle, and the file's
bytes must match the SHA-256 pinned in `cleaner/models/BLOCK_SHA256` before they are read.
Prediction walks every tree at once, one level a step, over all blocks of a batch.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from cleaner.integrity import loaded_once, read_pins, verified_bytes

MODEL_DIR = Path(__file__).parent / "models"
BLOCK_MODEL_FILE = "block_model.npz"
BLOCK_CHECKSUM_FILE = "BLOCK_SHA256"
#: Arrays a model file must hold.
TREE_KEYS = ("feature", "threshold", "left", "right", "missing_left", "value", "roots", "baseline")
ENSEMBLES = ("body", "kind")
ARRAY_KEYS = tuple(f"{e}_{k}" for e in ENSEMBLES for k in TREE_KEYS) + ("meta_json",)


class BlockModelError(RuntimeError):
    """The block model file is missing, not the pinned one, or not for this code."""


def read_pin(model_dir: Path = MODEL_DIR, name: str = BLOCK_MODEL_FILE) -> str | None:
    """The pinned SHA-256 of `name`, from BLOCK_SHA256 (`sha256sum` format)."""
    return read_pins(model_dir / BLOCK_CHECKSUM_FILE, BlockModelError).get(name)


@dataclass
class TreeArrays:
    """Every tree of an ensemble in flat arrays; `roots[i, k]` is tree (iteration i, class k)."""

    feature: np.ndarray  # int32, -1 at leaves
    threshold: np.ndarray  # float64: go left when x <= threshold
    left: np.ndarray  # int32 node index; a leaf points to itself
    right: np.ndarray
    missing_left: np.ndarray  # bool: where NaN goes
    value: np.ndarray  # float64, the leaf's raw score (0 elsewhere)
    roots: np.ndarray  # int32 (n_iter, n_outputs)
    baseline: np.ndarray  # float64 (n_outputs,)

    def raw(self, X: np.ndarray) -> np.ndarray:
        """Raw scores (n_samples, n_outputs): baseline plus each tree's leaf value.

        scikit-learn's compiled tree walker when this scikit-learn has it (the arrays are
        turned back into its node records once, at the first call), else numpy.
        """
        compiled = self._compiled()
        if compiled is None:
            return self.raw_numpy(X)
        walk, trees = compiled
        X = np.ascontiguousarray(X, dtype=np.float64)
        n_iter, n_out = self.roots.shape
        out = np.tile(self.baseline, (X.shape[0], 1))
        buf = np.empty(X.shape[0], dtype=np.float64)
        no_cats = np.zeros((0, 8), dtype=np.uint32)
        f_idx_map = np.zeros(X.shape[1], dtype=np.uint32)
        for i, nodes in enumerate(trees):
            walk(nodes, X, no_cats, no_cats, f_idx_map, 1, buf)
            out[:, i % n_out] += buf
        return out

    def _compiled(self) -> tuple[Any, list[np.ndarray]] | None:
        cached = getattr(self, "_compiled_cache", False)
        if cached is not False:
            return cached  # type: ignore[return-value]
        try:
            from sklearn.ensemble._hist_gradient_boosting._predictor import _predict_from_raw_data
            from sklearn.ensemble._hist_gradient_boosting.common import PREDICTOR_RECORD_DTYPE
        except ImportError:
            self._compiled_cache = None
            return None
        starts = self.roots.reshape(-1).astype(np.int64)
        ends = np.append(starts[1:], self.feature.size)
        trees = []
        for start, end in zip(starts, ends, strict=True):
            nodes = np.zeros(end - start, dtype=PREDICTOR_RECORD_DTYPE)
            feat = self.feature[start:end]
            leaf = feat < 0
            nodes["is_leaf"] = leaf
            nodes["feature_idx"] = np.where(leaf, 0, feat)
            nodes["num_threshold"] = self.threshold[start:end]
            nodes["missing_go_to_left"] = self.missing_left[start:end]
            nodes["left"] = np.where(leaf, 0, self.left[start:end] - start)
            nodes["right"] = np.where(leaf, 0, self.right[start:end] - start)
            nodes["value"] = self.value[start:end]
            trees.append(nodes)
        self._compiled_cache = (_predict_from_raw_data, trees)
        return self._compiled_cache

    def raw_numpy(self, X: np.ndarray) -> np.ndarray:
        """Raw scores computed with numpy alone.

        All (row, tree) pairs descend together, one level a step; pairs that reached a leaf
        leave the working set, so a step costs what is still descending.
        """
        n = X.shape[0]
        n_iter, n_out = self.roots.shape
        out = np.tile(self.baseline, (n, 1))
        if n == 0 or n_iter == 0:
            return out
        n_trees = n_iter * n_out
        node = np.tile(self.roots.reshape(-1), n)  # pair p = row p // n_trees, tree p % n_trees
        row = np.repeat(np.arange(n), n_trees)
        pending = np.arange(node.size)
        flat = X.reshape(-1)
        width = X.shape[1]
        while pending.size:
            cur = node[pending]
            feat = self.feature[cur]
            inner = feat >= 0
            if not inner.all():
                pending, cur, feat = pending[inner], cur[inner], feat[inner]
                if not pending.size:
                    break
            x = flat[row[pending] * width + feat]
            go_left = x <= self.threshold[cur]
            nan = np.isnan(x)
            if nan.any():
                go_left[nan] = self.missing_left[cur[nan]]
            node[pending] = np.where(go_left, self.left[cur], self.right[cur])
        leaf = self.value[node].reshape(n, n_iter, n_out)
        return out + leaf.sum(axis=1)


def _softmax(raw: np.ndarray) -> np.ndarray:
    if raw.shape[1] == 1:  # binary: one output, the log-odds of the second class
        p = 1.0 / (1.0 + np.exp(-raw[:, 0]))
        return np.column_stack([1.0 - p, p])
    z = np.exp(raw - raw.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


@dataclass
class BlockModel:
    """Labels blocks from their feature rows; `feature_names` name the columns it reads."""

    body: TreeArrays  # binary: raw score = log-odds of body
    kind: TreeArrays  # multiclass over `kinds` (or binary when there are two)
    kinds: np.ndarray
    feature_names: tuple[str, ...]
    meta: dict[str, Any]

    @property
    def body_threshold(self) -> float:
        """A block is body when P(body) reaches this (tuned on dev sites)."""
        return float(self.meta.get("body_threshold", 0.5))

    def columns(self, names: tuple[str, ...]) -> np.ndarray:
        """Indices, in a matrix whose columns are `names`, of the features this model reads."""
        index = {name: i for i, name in enumerate(names)}
        missing = [name for name in self.feature_names if name not in index]
        if missing:
            raise BlockModelError(
                f"the block model {MODEL_DIR / BLOCK_MODEL_FILE} reads features this code no longer "
                f"computes ({', '.join(missing[:5])}{'...' if len(missing) > 5 else ''}); "
                "retrain it with `make train-html`"
            )
        return np.array([index[name] for name in self.feature_names], dtype=np.int64)

    def _select(self, X: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
        return np.asarray(X, dtype=np.float64)[:, self.columns(names)]

    def body_proba(self, X: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
        """P(body) per row of a matrix whose columns are `names`."""
        return _softmax(self.body.raw(self._select(X, names)))[:, 1]

    def kind_proba(self, X: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
        """P(kind | not body) per row, columns in `kinds` order."""
        return _softmax(self.kind.raw(self._select(X, names)))

    def predict(self, X: np.ndarray, names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        """Label and score per row: body with P(body) from the threshold on, else the likeliest kind."""
        Xs = self._select(X, names)
        n = Xs.shape[0]
        labels = np.full(n, "other", dtype=object)
        scores = np.ones(n)
        if n == 0:
            return labels, scores
        p_body = _softmax(self.body.raw(Xs))[:, 1]
        is_body = p_body >= self.body_threshold
        labels[is_body] = "body"
        scores[is_body] = p_body[is_body]
        rest = np.flatnonzero(~is_body & self._kind_rows(Xs))
        if rest.size:
            proba = _softmax(self.kind.raw(Xs[rest]))
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
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            missing = [key for key in ARRAY_KEYS if key not in z.files]
            if missing:
                raise BlockModelError(f"block model file lacks arrays {missing}")
            arrays = {key: z[key] for key in ARRAY_KEYS}
        meta = json.loads(bytes(arrays.pop("meta_json")).decode("utf-8"))
        trees = {e: TreeArrays(**{k: arrays[f"{e}_{k}"] for k in TREE_KEYS}) for e in ENSEMBLES}
        return cls(
            body=trees["body"],
            kind=trees["kind"],
            kinds=np.array(meta["kinds"], dtype=object),
            feature_names=tuple(meta["feature_names"]),
            meta=meta,
        )

    def to_bytes(self) -> bytes:
        meta = {**self.meta, "kinds": [str(x) for x in self.kinds],
                "feature_names": list(self.feature_names)}
        arrays = {f"{e}_{k}": getattr(getattr(self, e), k) for e in ENSEMBLES for k in TREE_KEYS}
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

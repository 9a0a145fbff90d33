"""Boosted trees as plain arrays: loaded without unpickling, predicted with numpy.

A fitted `HistGradientBoostingClassifier` is a list of iterations, each holding one tree per
class (one tree when there are two classes); its probabilities are the softmax (for two
classes, the logistic function) of a baseline plus the sum of the leaves each row reaches.
`Forest.from_estimator` flattens those trees into a few numeric arrays (an `.npz` that
`np.load(allow_pickle=False)` reads: no code runs when it loads, and scikit-learn is not
imported); the line model and the block model are both shipped so. `Forest.raw_predict`
reproduces scikit-learn's raw predictions bit for bit: the same comparisons (`x <= threshold`,
missing values sent where the split says), the leaf values added iteration by iteration in
scikit-learn's order, on arrays laid out as scikit-learn lays them out (the last bits of a
float sum depend on that order). `Forest.predict_proba` applies scikit-learn's softmax with
the C library's exp, which numpy's is except on CPUs with AVX-512 (cleaner/numeric.py): the
same figures as scikit-learn's there, and the same on every CPU.
`predict_proba` can also stop early for the rows its first iterations are sure of (the line
model's cascade, `cleaner/model.py`); the other rows still get scikit-learn's figures.

Three ways to walk the trees give the same numbers:

- C (`cleaner/_walk.c`, built with the package where a C compiler is found): every row
  walks every tree to the tree's depth, eight rows side by side; used whenever it is
  built. On the shipped line model it walks a row through all 900 trees about twice as
  fast as numpy, and the text path cleans about a third more documents a second
  (reports/bench.md);
- numpy, level by level, all (row, tree) pairs at once: no per-tree Python call, so it wins
  over scikit-learn's on small batches (a single page, the CLI's first record);
- scikit-learn's own compiled walk (`_predict_from_raw_data`), one call per tree on a block
  of rows: faster per row than numpy's once a batch is large enough to pay for its
  per-call cost. Without the C walk, it is used where scikit-learn is imported already
  (training, evaluation): importing it would cost a cleaning process some 180 MB of
  memory for a walk only ~20 % faster on the shipped trees (reports/model_size.md), and
  batch workers are many processes.

All run on one thread: a process cleans on one core, and more cores take more processes.
(The compiled walk could fork OpenMP threads, but a call walks one tree, too short a task:
on a busy two-core machine two threads made it 30 times slower, not faster.) The C walk
lets go of the GIL, so threads of one process can walk at once.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from cleaner.numeric import exp

try:  # built from cleaner/_walk.c at install time; optional, so a machine without a compiler
    from cleaner import _walk  # still installs, and walks with numpy
except ImportError:  # pragma: no cover - depends on the build
    _walk = None

#: Format of the exported arrays; bump when their meaning changes.
FORMAT_VERSION = 1
#: From this many rows a call, scikit-learn's compiled walk (if imported) is worth its per-tree calls.
COMPILED_MIN_ROWS = 64
#: Rows walked together by the compiled walk: X of a block stays in cache across the trees,
#: and its leaf values (8 bytes a tree and row) take some 15 MB.
COMPILED_BLOCK_ROWS = 1024
#: OpenMP threads of a compiled walk call (see the module's docstring).
COMPILED_THREADS = 1
#: (row, tree) pairs walked together by numpy: its working arrays (~50 bytes a pair) then
#: stay within a core's cache (2 MB of L2 here). From 1 << 18 to 1 << 15: a 6,500-row call of
#: 170 iterations 100 -> 65 ms; the text path (bench/profile_text.py) 885 -> 955 docs per CPU-s.
NUMPY_BLOCK_PAIRS = 1 << 15
#: The numpy walk sets aside the pairs that reached a leaf from this level on, every few
#: levels (measured on the shipped model: 1.7x faster than walking all pairs to the deepest leaf).
NUMPY_COMPACT_FROM = 3
NUMPY_COMPACT_EVERY = 2


#: The node records the C walk reads (`node_t` in cleaner/_walk.c), 24 bytes each.
WALK_NODE_DTYPE = np.dtype(
    {
        "names": ["threshold", "feature", "left", "right", "missing_left"],
        "formats": [np.float64, np.int32, np.int32, np.int32, np.uint8],
        "offsets": [0, 8, 12, 16, 20],
        "itemsize": 24,
    }
)
#: The walks `Forest` can take: "c", "sklearn" (scikit-learn's compiled walk), "numpy".
WALKS = ("c", "sklearn", "numpy")


class UnsupportedModel(ValueError):
    """The estimator uses something these arrays do not represent (categorical splits)."""


#: An early-exit rule of `Forest.predict_proba`: a probability, or raw predictions -> rows that stop.
Exit = float | Callable[[np.ndarray], np.ndarray]


def outside(low: float, high: float) -> Callable[[np.ndarray], np.ndarray]:
    """An exit rule of a binary model: the rows whose log-odds are at most `low` or at least `high`."""

    def stops(raw: np.ndarray) -> np.ndarray:
        return (raw[:, 0] <= low) | (raw[:, 0] >= high)

    return stops


@dataclass
class Forest:
    """One fitted HistGradientBoostingClassifier as arrays; trees are numbered iteration-major."""

    n_classes: int
    n_iter: int
    n_features: int
    baseline: np.ndarray  # (n_classes,) float64
    tree_start: np.ndarray  # (n_trees + 1,) index of each tree's root in the node arrays
    feature: np.ndarray  # (n_nodes,) int32; 0 at leaves
    threshold: np.ndarray  # (n_nodes,) float64; go left if x <= threshold
    missing_left: np.ndarray  # (n_nodes,) bool; where a NaN goes
    children: np.ndarray  # (n_nodes, 2) int32 global indices: left, right; a leaf is its own child
    is_leaf: np.ndarray  # (n_nodes,) bool
    value: np.ndarray  # (n_nodes,) float64 leaf values
    max_depth: int
    _records: list[Any] | None = None  # per tree, scikit-learn's node records (compiled walk)
    _walk_index: tuple[np.ndarray, np.ndarray] | None = None  # feature, children as intp (numpy walk)
    _walk_nodes: tuple[np.ndarray, np.ndarray] | None = None  # node records, depth per tree (C walk)

    @property
    def n_trees(self) -> int:
        return self.tree_start.size - 1

    # --- conversion ----------------------------------------------------------------------

    @classmethod
    def from_estimator(cls, est: Any) -> Forest:
        """Flatten a fitted HistGradientBoostingClassifier (scikit-learn >= 1.0)."""
        predictors = est._predictors
        n_classes = len(predictors[0])
        flat = [tree for iteration in predictors for tree in iteration]
        for tree in flat:
            if tree.nodes["is_categorical"].any():
                raise UnsupportedModel("categorical splits are not exported")
        sizes = np.array([tree.nodes.shape[0] for tree in flat])
        tree_start = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
        nodes = np.concatenate([tree.nodes for tree in flat])
        offset = np.repeat(tree_start[:-1], sizes)
        leaf = nodes["is_leaf"].astype(bool)
        own = np.arange(nodes.shape[0])
        left = np.where(leaf, own, nodes["left"].astype(np.int64) + offset)
        right = np.where(leaf, own, nodes["right"].astype(np.int64) + offset)
        baseline = np.asarray(est._baseline_prediction, dtype=np.float64).reshape(-1)
        if baseline.size != n_classes:
            raise UnsupportedModel("one baseline per class expected")
        return cls(
            n_classes=n_classes,
            n_iter=len(predictors),
            n_features=int(est.n_features_in_),
            baseline=baseline,
            tree_start=tree_start,
            feature=np.where(leaf, 0, nodes["feature_idx"]).astype(np.int32),
            threshold=nodes["num_threshold"].astype(np.float64),
            missing_left=nodes["missing_go_to_left"].astype(bool),
            children=np.stack([left, right], axis=1).astype(np.int32),
            is_leaf=leaf,
            value=nodes["value"].astype(np.float64),
            max_depth=int(nodes["depth"].max()),
        )

    def to_arrays(self, prefix: str) -> dict[str, np.ndarray]:
        """The arrays an `.npz` holds for this forest, their names starting with `prefix`."""
        meta = np.array([FORMAT_VERSION, self.n_classes, self.n_iter, self.n_features, self.max_depth])
        return {
            f"{prefix}meta": meta.astype(np.int64),
            f"{prefix}baseline": self.baseline,
            f"{prefix}tree_start": self.tree_start,
            f"{prefix}feature": self.feature,
            f"{prefix}threshold": self.threshold,
            f"{prefix}missing_left": self.missing_left,
            f"{prefix}children": self.children,
            f"{prefix}is_leaf": self.is_leaf,
            f"{prefix}value": self.value,
        }

    @classmethod
    def from_arrays(cls, arrays: Any, prefix: str) -> Forest:
        meta = [int(v) for v in arrays[f"{prefix}meta"]]
        if meta[0] != FORMAT_VERSION:
            raise UnsupportedModel(f"tree arrays of format {meta[0]}, this code reads {FORMAT_VERSION}")
        forest = cls(
            n_classes=meta[1],
            n_iter=meta[2],
            n_features=meta[3],
            max_depth=meta[4],
            baseline=np.asarray(arrays[f"{prefix}baseline"], dtype=np.float64),
            tree_start=np.asarray(arrays[f"{prefix}tree_start"], dtype=np.int64),
            feature=np.asarray(arrays[f"{prefix}feature"], dtype=np.int32),
            threshold=np.asarray(arrays[f"{prefix}threshold"], dtype=np.float64),
            missing_left=np.asarray(arrays[f"{prefix}missing_left"], dtype=bool),
            children=np.asarray(arrays[f"{prefix}children"], dtype=np.int32),
            is_leaf=np.asarray(arrays[f"{prefix}is_leaf"], dtype=bool),
            value=np.asarray(arrays[f"{prefix}value"], dtype=np.float64),
        )
        forest.check()
        return forest

    def check(self) -> None:
        """Refuse arrays that would index out of bounds or loop: they come from a file."""
        n = self.feature.size
        if self.tree_start.size != self.n_iter * self.n_classes + 1 or self.tree_start[-1] != n:
            raise UnsupportedModel("tree offsets do not cover the nodes")
        if self.baseline.shape != (self.n_classes,):
            raise UnsupportedModel("one baseline per class expected")
        for name in ("threshold", "missing_left", "is_leaf", "value"):
            if getattr(self, name).shape != (n,):
                raise UnsupportedModel(f"{name} has the wrong shape")
        if self.children.shape != (n, 2):
            raise UnsupportedModel("children has the wrong shape")
        if n and (self.children.min() < 0 or self.children.max() >= n):
            raise UnsupportedModel("a child index is out of range")
        if n and (self.feature.min() < 0 or self.feature.max() >= self.n_features):
            raise UnsupportedModel("a feature index is out of range")
        own = np.arange(n)
        inner = ~self.is_leaf
        if (self.children[self.is_leaf] != own[self.is_leaf, None]).any():
            raise UnsupportedModel("a leaf must be its own child")
        # A child comes after its parent, within its tree: the walk cannot loop.
        tree_end = np.repeat(self.tree_start[1:], np.diff(self.tree_start))
        kids = self.children[inner]
        if (kids <= own[inner, None]).any() or (kids >= tree_end[inner, None]).any():
            raise UnsupportedModel("a child must follow its parent within its tree")
        # ... and every root reaches its leaves within max_depth steps.
        self._node_depths()

    def _node_depths(self) -> np.ndarray:
        """Each node's level below its tree's root; UnsupportedModel if a tree goes deeper
        than max_depth (the levels are walked from the roots, at most max_depth + 1 of them)."""
        depth = np.zeros(self.feature.size, dtype=np.int32)
        frontier = self.tree_start[:-1].astype(np.intp)
        for level in range(self.max_depth + 1):
            depth[frontier] = level
            frontier = np.unique(self.children[frontier[~self.is_leaf[frontier]]])
            if not frontier.size:
                return depth
        raise UnsupportedModel("a tree is deeper than max_depth")

    # --- prediction ----------------------------------------------------------------------

    def raw_predict(self, X: np.ndarray, stop: int | None = None) -> np.ndarray:
        """Baseline plus the leaf values of iterations [0, stop) (all by default), summed as
        scikit-learn sums them."""
        X = self._checked(X)
        # Column k of raw is class k; scikit-learn keeps it in Fortran order and adds the
        # trees' values one iteration at a time: the same order gives the same bits.
        raw = np.zeros((X.shape[0], self.n_classes), dtype=np.float64, order="F")
        raw += self.baseline
        self._add_iterations(X, raw, 0, self.n_iter if stop is None else stop)
        return raw

    def predict_proba(self, X: np.ndarray, exits: Sequence[tuple[int, Exit]] = ()) -> np.ndarray:
        """scikit-learn's `predict_proba`: softmax of the raw predictions, as it computes it.

        With `exits`, (iterations, rule) pairs in increasing order of iterations, a row the
        rule stops after that many iterations keeps its probabilities then (a boosted model's
        first iterations already settle the easy rows); the other rows go on, and those no
        exit takes get exactly scikit-learn's probabilities. A rule is a probability (the
        row's largest class probability is at least it) or a function of the raw predictions
        so far, (rows, outputs), to a mask of the rows that stop (`outside`).
        """
        stages = [(after, rule) for after, rule in exits if after < self.n_iter]
        if not stages:
            return _proba(self.raw_predict(X))
        if any(b[0] <= a[0] for a, b in zip(stages, stages[1:], strict=False)):
            raise ValueError(f"exits must come in increasing order of iterations: {list(exits)}")
        X = self._checked(X)
        raw = self.raw_predict(X, stop=stages[0][0])
        proba = _proba(raw)
        rows = np.arange(X.shape[0])  # the rows still going, and their raw sums so far
        done = stages[0][0]
        for i, (_, rule) in enumerate(stages):
            if callable(rule):
                stops = rule(raw)
            else:
                stops = proba[rows].max(axis=1) >= rule
            going = np.flatnonzero(~stops)
            if not going.size:
                return proba
            rows, raw = rows[going], np.asfortranarray(raw[going])
            stop = stages[i + 1][0] if i + 1 < len(stages) else self.n_iter
            self._add_iterations(X[rows], raw, done, stop)
            proba[rows] = _proba(raw)
            done = stop
        return proba

    def _checked(self, X: np.ndarray) -> np.ndarray:
        X = np.ascontiguousarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise ValueError(f"X must have {self.n_features} columns, not {X.shape[1:]}")
        return X

    def _add_iterations(self, X: np.ndarray, raw: np.ndarray, start: int, stop: int) -> None:
        """Add the leaf values of iterations [start, stop) to `raw`, an iteration at a time.

        The C walk takes the whole batch in one call. The others take rows in blocks, so
        that the leaf values held at once (a float per tree and row) stay a few megabytes
        however large the batch.
        """
        n, k = X.shape[0], self.n_classes
        n_iter = stop - start
        if n_iter <= 0 or n == 0:
            return
        walk = self.walk_for(n)
        if walk == "c":
            self._add_iterations_c(X, raw, start, stop)
            return
        trees = (start * k, stop * k)
        step = COMPILED_BLOCK_ROWS if walk == "sklearn" else max(1, NUMPY_BLOCK_PAIRS // (n_iter * k))
        for a in range(0, n, step):
            block = X[a : a + step]
            if walk == "sklearn":
                leaves = self._leaf_values_compiled(block, *trees)
            else:
                leaves = self._leaf_values_numpy(block, *trees)
            # One reduction over the iterations, the block's sums so far first: numpy adds
            # along an outer axis one slice at a time, in order, as scikit-learn does.
            m = block.shape[0]
            terms = np.empty((n_iter + 1, k, m), dtype=np.float64)
            terms[0] = raw[a : a + step].T
            terms[1:] = leaves.reshape(n_iter, k, m)
            raw[a : a + step] = np.add.reduce(terms, axis=0).T

    def walk_for(self, n_rows: int) -> str:
        """Which of `WALKS` a call on `n_rows` rows takes: C if it is built, else
        scikit-learn's where it pays and is imported already, else numpy."""
        if _walk is not None:
            return "c"
        if n_rows >= COMPILED_MIN_ROWS and "sklearn" in sys.modules and _compiled_walk() is not None:
            return "sklearn"
        return "numpy"

    def _add_iterations_c(self, X: np.ndarray, raw: np.ndarray, start: int, stop: int) -> None:
        nodes, depth = self.walk_arrays()
        # raw is (rows, classes) in Fortran order, so its transpose is the C-ordered
        # (classes, rows) buffer the walk adds to, in place.
        in_place = raw.T.flags.c_contiguous
        out = raw.T if in_place else np.ascontiguousarray(raw.T)
        _walk.add_leaves(X, self.n_features, self.tree_start, nodes, depth, self.value,  # type: ignore[union-attr]
                         self.n_classes, start, stop, out)
        if not in_place:
            raw[...] = out.T

    def walk_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """The C walk's inputs (built once): node records, and each tree's depth (the levels
        from its root to its deepest leaf, the most a row walks)."""
        if self._walk_nodes is None:
            nodes = np.zeros(self.feature.size, dtype=WALK_NODE_DTYPE)
            nodes["threshold"] = self.threshold
            nodes["feature"] = self.feature
            nodes["left"], nodes["right"] = self.children[:, 0], self.children[:, 1]
            nodes["missing_left"] = self.missing_left
            depth = np.zeros(self.n_trees, dtype=np.int32)
            tree_of = np.repeat(np.arange(self.n_trees), np.diff(self.tree_start))
            np.maximum.at(depth, tree_of, self._node_depths())
            self._walk_nodes = (nodes, depth)
        return self._walk_nodes

    def _leaf_values_numpy(self, X: np.ndarray, first: int, stop: int) -> np.ndarray:
        """Leaf value of every (tree, row) of trees [first, stop): all pairs walk down one
        level a step.

        Pairs are ordered tree by tree (a tree's nodes stay in cache); from level
        `NUMPY_COMPACT_FROM` on, every `NUMPY_COMPACT_EVERY` levels, the pairs that reached a
        leaf are set aside (half of them have by depth 5).
        """
        m, t = X.shape[0], stop - first
        n_cols = X.shape[1]
        # Indices as intp: numpy converts any other index array at every gather.
        if self._walk_index is None:
            self._walk_index = (self.feature.astype(np.intp), self.children.reshape(-1).astype(np.intp))
        feature, children = self._walk_index
        has_nan = bool(np.isnan(X).any())
        flat_x = X.reshape(-1)
        node = np.repeat(self.tree_start[first:stop].astype(np.intp), m)
        base = np.tile(np.arange(m, dtype=np.intp) * n_cols, t)
        slot: np.ndarray | None = None  # which pair each active entry is (None: all, in order)
        result = np.empty(m * t, dtype=np.float64)
        for level in range(1, self.max_depth + 1):
            x = flat_x[base + feature[node]]
            right = x > self.threshold[node]
            if has_nan:  # NaN compares false: it went left; send it where the split says
                right |= np.isnan(x) & ~self.missing_left[node]
            node += node  # children[2 * node + right]: left, right
            node += right
            node = children[node]
            if level >= NUMPY_COMPACT_FROM and (level - NUMPY_COMPACT_FROM) % NUMPY_COMPACT_EVERY == 0:
                done = self.is_leaf[node]
                finished = np.flatnonzero(done)
                if finished.size:
                    result[finished if slot is None else slot[finished]] = self.value[node[finished]]
                    keep = np.flatnonzero(~done)
                    slot = keep if slot is None else slot[keep]
                    node, base = node[keep], base[keep]
                    if not node.size:
                        break
        result[slice(None) if slot is None else slot] = self.value[node]
        return result.reshape(t, m)

    def _leaf_values_compiled(self, X: np.ndarray, first: int, stop: int) -> np.ndarray:
        """Leaf value of every (tree, row) of trees [first, stop) by scikit-learn's compiled
        walk, a call per tree."""
        walk, record_dtype = _compiled_walk()  # type: ignore[misc]
        records = self._sklearn_records(record_dtype)
        out = np.empty((stop - first, X.shape[0]), dtype=np.float64)
        no_bitsets = np.zeros((0, 8), dtype=np.uint32)
        no_map = np.zeros(self.n_features, dtype=np.uint32)
        for j, record in enumerate(records[first:stop]):
            walk(record, X, no_bitsets, no_bitsets, no_map, COMPILED_THREADS, out[j])
        return out

    def _sklearn_records(self, record_dtype: np.dtype) -> list[Any]:
        """Per tree, its nodes as scikit-learn's record array (built once, on first use)."""
        if self._records is None:
            records = []
            for j in range(self.n_trees):
                lo, hi = int(self.tree_start[j]), int(self.tree_start[j + 1])
                rec = np.zeros(hi - lo, dtype=record_dtype)
                rec["value"] = self.value[lo:hi]
                rec["feature_idx"] = self.feature[lo:hi]
                rec["num_threshold"] = self.threshold[lo:hi]
                rec["missing_go_to_left"] = self.missing_left[lo:hi]
                leaf = self.is_leaf[lo:hi]
                rec["is_leaf"] = leaf
                rec["left"] = np.where(leaf, 0, self.children[lo:hi, 0] - lo)
                rec["right"] = np.where(leaf, 0, self.children[lo:hi, 1] - lo)
                records.append(rec)
            self._records = records
        return self._records


def _proba(raw: np.ndarray) -> np.ndarray:
    """Class probabilities from raw predictions; a binary model has one output, its log-odds
    (scikit-learn's `expit`, and one minus it for the first class).

    exp is the C library's (cleaner/numeric.py), as scikit-learn's `expit` takes it; its
    softmax takes numpy's, whose last bits change with the CPU (AVX-512). These
    probabilities are features of the line model's second pass: theirs must not.
    """
    if raw.shape[1] == 1:
        p = 1.0 / (1.0 + exp(-raw[:, 0]))
        return np.column_stack([1.0 - p, p])
    return _softmax(raw)


def _softmax(raw: np.ndarray) -> np.ndarray:
    """scikit-learn's softmax, on an array laid out as its raw predictions are (Fortran order)."""
    out = np.asarray(raw, copy=True)
    out -= out.max(axis=1).reshape(-1, 1)
    out[...] = exp(out)
    out /= out.sum(axis=1).reshape(-1, 1)
    return out


def _compiled_walk() -> tuple[Any, np.dtype] | None:
    """scikit-learn's compiled tree walk and its node record type, if scikit-learn is installed."""
    try:
        from sklearn.ensemble._hist_gradient_boosting._predictor import _predict_from_raw_data
        from sklearn.ensemble._hist_gradient_boosting.common import PREDICTOR_RECORD_DTYPE
    except ImportError:
        return None
    return _predict_from_raw_data, PREDICTOR_RECORD_DTYPE


def main(argv: list[str] | None = None) -> None:
    """`python -m cleaner._trees [OUT]`: write the shipped joblib line model as arrays."""
    import argparse
    import hashlib
    from pathlib import Path

    from cleaner import model

    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("out", nargs="?", type=Path, default=model.MODEL_DIR / model.LINE_MODEL_ARRAYS)
    args = ap.parse_args(argv)
    line_model = model.LineModel.from_bundle(model.load_verified(model.LINE_MODEL_FILE))
    data = line_model.to_arrays()
    args.out.write_bytes(data)
    # The line to add to SHA256SUMS, which is what makes the model load from these arrays.
    print(f"{hashlib.sha256(data).hexdigest()}  {args.out.name}")


if __name__ == "__main__":
    main()

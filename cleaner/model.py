"""The line model shipped in the package: checked, loaded once, asked once per batch.

Two files can hold it. `line_model.npz` holds the fitted trees as plain arrays
(`cleaner/_trees.py`): `np.load(allow_pickle=False)` reads it, no code runs and scikit-learn
is not imported, so a process starts cleaning in a fraction of a second. `line_model.joblib`
is the fitted scikit-learn bundle that training writes; `joblib.load` runs code, so it is
loaded only if no pinned `.npz` is shipped. Either file is read only after its bytes match
the SHA-256 pinned in `cleaner/models/SHA256SUMS`. Both give the same probabilities, to the
last bit: `_trees` walks the trees and sums the leaves as scikit-learn does.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from cleaner import features
from cleaner._trees import Forest
from cleaner.integrity import loaded_once, read_pins, verified_bytes

MODEL_DIR = Path(__file__).parent / "models"
LINE_MODEL_FILE = "line_model.joblib"
#: The same model as plain arrays (`python -m cleaner._trees` writes it from the joblib file).
LINE_MODEL_ARRAYS = "line_model.npz"
CHECKSUMS_FILE = "SHA256SUMS"
_PASSES = ("first", "second")


class ModelIntegrityError(RuntimeError):
    """A bundled model file is missing, or its bytes are not the ones pinned."""


def read_checksums(model_dir: Path = MODEL_DIR) -> dict[str, str]:
    """`sha256sum` format: `<hex>  <file name>` a line."""
    return read_pins(model_dir / CHECKSUMS_FILE, ModelIntegrityError)


def read_verified(name: str, model_dir: Path = MODEL_DIR) -> bytes:
    """The bytes of a bundled model file, but only if their SHA-256 is the pinned one."""
    if Path(name).name != name:
        raise ModelIntegrityError(f"model files are named, not given as paths: {name!r}")
    pinned = read_checksums(model_dir).get(name)
    return verified_bytes(model_dir / name, pinned, ModelIntegrityError, CHECKSUMS_FILE)


def load_verified(name: str, model_dir: Path = MODEL_DIR) -> Any:
    """Unpickle a bundled model file, but only if its SHA-256 is the pinned one."""
    data = read_verified(name, model_dir)
    import joblib

    # Load the bytes that were checked, not the file again: it could change in between.
    return joblib.load(io.BytesIO(data))


@dataclass(frozen=True)
class Cascade:
    """Where the line model spares itself work on lines it is already sure of.

    `exits` are (iterations, probability) pairs in increasing order of iterations: the first
    pass stops after that many iterations for a line whose largest probability is then at
    least that; the second pass revises only the lines the first pass is less than
    `revise_below` sure of. Training applies the same rule to the first pass's out-of-fold
    probabilities, so the second pass learns from what it will see. No cascade (None) runs
    every iteration on every line.
    """

    exits: tuple[tuple[int, float], ...]
    revise_below: float

    @classmethod
    def from_meta(cls, meta: dict[str, Any]) -> Cascade | None:
        spec = meta.get("cascade")
        if spec is None:
            return None
        return cls(tuple((int(after), float(at)) for after, at in spec["exits"]), float(spec["revise_below"]))

    def revises(self, proba1: np.ndarray) -> np.ndarray:
        """Which rows the second pass revises, from their first-pass probabilities."""
        return proba1.max(axis=1) < self.revise_below


def first_pass_proba(forest: Forest, X: np.ndarray, cascade: Cascade | None) -> np.ndarray:
    """The first pass's probabilities under `cascade`: what the shipped model computes, and
    what training feeds the second pass (out of fold)."""
    if cascade is None:
        return forest.predict_proba(X)
    return forest.predict_proba(X, cascade.exits)


@dataclass
class LineModel:
    """Two passes of a classifier: lines alone, then lines with their neighbours' judgements."""

    labels: np.ndarray
    first: Forest
    second: Forest
    feature_names: tuple[str, ...]
    meta: dict[str, Any]
    cascade: Cascade | None = field(init=False, default=None)  # from meta["cascade"]

    def __post_init__(self) -> None:
        if tuple(self.feature_names) != features.FEATURE_NAMES:
            raise ModelIntegrityError(
                "the bundled line model was trained on other features than this code computes; "
                "retrain it with `make train`"
            )
        for forest in (self.first, self.second):
            if forest.n_classes != self.labels.size:
                raise ModelIntegrityError("the line model's trees and labels disagree")
        try:
            self.cascade = Cascade.from_meta(self.meta)
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelIntegrityError(f"the line model's cascade settings are unreadable: {exc}") from exc

    @classmethod
    def from_bundle(cls, bundle: dict[str, Any]) -> LineModel:
        """From the scikit-learn bundle training writes (its trees converted to arrays)."""
        return cls(
            labels=np.asarray(bundle["labels"]),
            first=Forest.from_estimator(bundle["first"]),
            second=Forest.from_estimator(bundle["second"]),
            feature_names=tuple(bundle["feature_names"]),
            meta=dict(bundle.get("meta", {})),
        )

    def to_arrays(self) -> bytes:
        """The `.npz` bytes of this model: every array numeric or text, nothing pickled."""
        arrays: dict[str, np.ndarray] = {}
        for name in _PASSES:
            arrays.update(getattr(self, name).to_arrays(f"{name}_"))
        buf = io.BytesIO()
        np.savez_compressed(
            buf,
            labels=np.array([str(x) for x in self.labels]),
            feature_names=np.array(self.feature_names),
            meta_json=np.frombuffer(json.dumps(self.meta, sort_keys=True).encode("utf-8"), dtype=np.uint8),
            **arrays,
        )
        return buf.getvalue()

    @classmethod
    def from_arrays(cls, data: bytes) -> LineModel:
        """From `.npz` bytes; `allow_pickle=False`, so reading them runs no code."""
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as z:
                arrays = {key: z[key] for key in z.files}
            forests = {name: Forest.from_arrays(arrays, f"{name}_") for name in _PASSES}
            meta = json.loads(bytes(arrays["meta_json"]).decode("utf-8"))
            labels = np.array([str(x) for x in arrays["labels"]])
            names = tuple(str(x) for x in arrays["feature_names"])
        except (KeyError, ValueError, OSError) as exc:
            raise ModelIntegrityError(f"the line model arrays cannot be read: {exc}") from exc
        return cls(labels=labels, first=forests["first"], second=forests["second"],
                   feature_names=names, meta=meta)

    def first_pass(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities of rows judged alone (early exit for the sure ones, if cascaded)."""
        return first_pass_proba(self.first, X, self.cascade)

    def to_revise(self, proba1: np.ndarray) -> np.ndarray:
        """Which rows the second pass revises, from their first-pass probabilities."""
        if self.cascade is None:
            return np.ones(proba1.shape[0], dtype=bool)
        return self.cascade.revises(proba1)

    def predict(self, X: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Label and probability per row; blank lines are `blank` without asking the model.

        Only the non-blank rows go through the trees: a row's prediction does not depend on
        the others, and the second pass reads the first pass's only at non-blank rows. With a
        cascade, a row the second pass does not revise keeps its first-pass probabilities.
        """
        n = X.shape[0]
        labels = np.full(n, "blank", dtype=object)
        scores = np.ones(n)
        rows = np.flatnonzero(X[:, features.BASE_NAMES.index("blank")] == 0)
        if rows.size == 0:
            return labels, scores
        proba1 = np.zeros((n, self.labels.size))
        proba1[rows] = proba = self.first_pass(X[rows])
        revise = np.flatnonzero(self.to_revise(proba))
        if revise.size:
            X2 = features.second_pass_features(X, proba1, offsets, at=rows[revise])
            proba = proba.copy()
            proba[revise] = self.second.predict_proba(X2)
        best = proba.argmax(axis=1)
        labels[rows] = self.labels[best]
        scores[rows] = proba[np.arange(rows.size), best]
        return labels, scores


def _load(model_dir: Path | None = None) -> LineModel:
    """The arrays if they are shipped and pinned, else the scikit-learn bundle."""
    model_dir = MODEL_DIR if model_dir is None else model_dir
    if LINE_MODEL_ARRAYS in read_checksums(model_dir):
        return LineModel.from_arrays(read_verified(LINE_MODEL_ARRAYS, model_dir))
    return LineModel.from_bundle(load_verified(LINE_MODEL_FILE, model_dir))


@loaded_once
def line_model() -> LineModel:
    """The shipped line model, loaded on first use and kept for the life of the process."""
    return _load()

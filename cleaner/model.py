"""The line model shipped in the package: checked, loaded once, asked once per batch.

`joblib.load` runs code, so only the files in `cleaner/models/` are loaded, and only after
their bytes match the SHA-256 pinned in `cleaner/models/SHA256SUMS`.
"""

from __future__ import annotations

import hashlib
import io
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from cleaner import features

MODEL_DIR = Path(__file__).parent / "models"
LINE_MODEL_FILE = "line_model.joblib"
CHECKSUMS_FILE = "SHA256SUMS"

_lock = threading.Lock()
_cache: dict[str, LineModel] = {}


class ModelIntegrityError(RuntimeError):
    """A bundled model file is missing, or its bytes are not the ones pinned."""


def read_checksums(model_dir: Path = MODEL_DIR) -> dict[str, str]:
    """`sha256sum` format: `<hex>  <file name>` a line."""
    path = model_dir / CHECKSUMS_FILE
    try:
        text = path.read_text(encoding="ascii")
    except OSError as exc:
        raise ModelIntegrityError(f"cannot read model checksums {path}: {exc}") from exc
    pins: dict[str, str] = {}
    for line in text.splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            pins[name.strip().lstrip("*")] = digest.lower()
    return pins


def load_verified(name: str, model_dir: Path = MODEL_DIR) -> Any:
    """Unpickle a bundled model file, but only if its SHA-256 is the pinned one."""
    if Path(name).name != name:
        raise ModelIntegrityError(f"model files are named, not given as paths: {name!r}")
    path = model_dir / name
    pinned = read_checksums(model_dir).get(name)
    if pinned is None:
        raise ModelIntegrityError(f"no pinned SHA-256 for model file {path}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ModelIntegrityError(f"cannot read model file {path}: {exc}") from exc
    digest = hashlib.sha256(data).hexdigest()
    if digest != pinned:
        raise ModelIntegrityError(
            f"model file {path} does not match its pinned SHA-256 "
            f"(expected {pinned}, found {digest}); refusing to load it"
        )
    import joblib

    # Load the bytes that were checked, not the file again: it could change in between.
    return joblib.load(io.BytesIO(data))


@dataclass
class LineModel:
    """Two passes of a classifier: lines alone, then lines with their neighbours' judgements."""

    labels: np.ndarray
    first: Any
    second: Any
    feature_names: tuple[str, ...]
    meta: dict[str, Any]

    @classmethod
    def from_bundle(cls, bundle: dict[str, Any]) -> LineModel:
        if tuple(bundle["feature_names"]) != features.FEATURE_NAMES:
            raise ModelIntegrityError(
                "the bundled line model was trained on other features than this code computes; "
                "retrain it with `make train`"
            )
        return cls(
            labels=np.asarray(bundle["labels"]),
            first=bundle["first"],
            second=bundle["second"],
            feature_names=tuple(bundle["feature_names"]),
            meta=dict(bundle.get("meta", {})),
        )

    def predict(self, X: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Label and probability per row; blank lines are `blank` without asking the model."""
        n = X.shape[0]
        labels = np.full(n, "blank", dtype=object)
        scores = np.ones(n)
        if n == 0:
            return labels, scores
        proba1 = self.first.predict_proba(X)
        X2 = features.second_pass_features(X, proba1, offsets)
        proba = self.second.predict_proba(X2)
        best = proba.argmax(axis=1)
        blank = X[:, features.BASE_NAMES.index("blank")] > 0
        labels[~blank] = self.labels[best[~blank]]
        scores[~blank] = proba[~blank, best[~blank]]
        return labels, scores


def line_model() -> LineModel:
    """The shipped line model, loaded on first use and kept for the life of the process."""
    with _lock:
        model = _cache.get(LINE_MODEL_FILE)
        if model is None:
            model = LineModel.from_bundle(load_verified(LINE_MODEL_FILE))
            _cache[LINE_MODEL_FILE] = model
        return model

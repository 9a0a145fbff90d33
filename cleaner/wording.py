"""The wording model: how much a short line's words read like article text, in any language.

The shape features cannot tell `Mehr zum Thema`, `Noch keine Bewertungen` or `Foto: dpa`
from a subheading of the story; their words can. The wording model is a linear model over
the same hashed word and character n-grams as the headline model (`cleaner/clickbait.py`),
so one hashing of a batch's short lines serves both; its probability that a line is body is
a feature of the line model (`wording`), beside the headline model's. It is trained with the
line model (`training/wording.py`), on the same lines, and written beside it: its weights
are plain arrays in `models/wording.npz`, read after their bytes match the SHA-256 pinned in
`models/SHA256SUMS` with the line model's.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from cleaner.clickbait import HeadlineModel, Settings, headline_model
from cleaner.integrity import loaded_once, read_pins, verified_bytes

# The line model's directory and pin file (cleaner/model.py), named here again: model.py
# imports features.py, which imports this module, so this one cannot import model.py.
MODEL_DIR = Path(__file__).parent / "models"
WORDING_FILE = "wording.npz"
CHECKSUMS_FILE = "SHA256SUMS"


class WordingError(RuntimeError):
    """The bundled wording model is missing, unreadable, or not the one pinned."""


def to_bytes(model: HeadlineModel) -> bytes:
    """The `.npz` bytes of a wording model: numbers and its settings as JSON, nothing pickled."""
    buf = io.BytesIO()
    np.savez_compressed(
        buf,
        coef=model.weighted_coef.astype(np.float32),
        intercept=np.array(model.intercept),
        calibration=np.array(model.calibration),
        settings_json=np.frombuffer(json.dumps(model.settings.to_dict()).encode("utf-8"), dtype=np.uint8),
    )
    return buf.getvalue()


def from_bytes(data: bytes) -> HeadlineModel:
    """A wording model from `.npz` bytes (`allow_pickle=False`: reading them runs no code)."""
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            arrays = {key: z[key] for key in z.files}
        settings = Settings.from_dict(json.loads(bytes(arrays["settings_json"]).decode("utf-8")))
        coef = arrays["coef"].astype(np.float64)
        calibration = tuple(float(x) for x in arrays["calibration"])
        intercept = float(arrays["intercept"])
    except (KeyError, ValueError, OSError) as exc:
        raise WordingError(f"the wording model cannot be read: {exc}") from exc
    if coef.shape != (settings.n_features,):
        raise WordingError(f"the wording model has {coef.size} weights for {settings.n_features} features")
    # Plain term frequencies: the norm of a line counts each n-gram occurrence once.
    return HeadlineModel(settings, coef, np.ones_like(coef), intercept, (calibration[0], calibration[1]))


def load(model_dir: Path = MODEL_DIR) -> HeadlineModel:
    """The wording model in `model_dir`, after its bytes match the pinned SHA-256; it must share the
    headline model's settings, since the two are scored from one hashing."""
    pinned = read_pins(model_dir / CHECKSUMS_FILE, WordingError).get(WORDING_FILE)
    model = from_bytes(verified_bytes(model_dir / WORDING_FILE, pinned, WordingError, CHECKSUMS_FILE))
    if model.settings != headline_model().settings:
        raise WordingError("the wording model and the headline model hash lines differently; retrain it")
    return model


@loaded_once
def _shipped() -> HeadlineModel:
    return load()


#: Set by `using`: the wording model to score with (None: none), instead of the shipped one.
_override: list[HeadlineModel | None] = []


def wording_model() -> HeadlineModel | None:
    """The wording model features are computed with: the shipped one unless `using` says otherwise."""
    return _override[-1] if _override else _shipped()


@contextmanager
def using(model: HeadlineModel | None) -> Iterator[None]:
    """Score with `model` (None: no wording model, the feature left constant) inside the block:
    training builds its matrices before its wording model exists, and cross-validation scores each
    fold with its own. Training tools only."""
    _override.append(model)
    try:
        yield
    finally:
        _override.pop()

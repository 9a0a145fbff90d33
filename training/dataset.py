"""All training sources as labelled documents, and their feature matrices.

Sources: L3S-GN1 pages (human block labels, as whole-page text and as extractor output),
hand-annotated scraped articles (training/annotations), and wire stories built from real
Reuters stories and real headlines (training/wire.py). DATA.md describes each.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cleaner import features
from training.docs import LabelledDoc

CACHE_DIR = Path(__file__).parent / ".cache"
SOURCES = ("l3s", "annotations", "wire")


def load_docs(sources: Iterable[str] = SOURCES) -> list[LabelledDoc]:
    docs: list[LabelledDoc] = []
    for source in sources:
        if source == "l3s":
            from training.l3s import load_l3s

            docs.extend(load_l3s(cache_dir=CACHE_DIR))
        elif source == "annotations":
            from training.annotations import load_annotations

            docs.extend(load_annotations())
        elif source == "wire":
            from training.wire import build_wire_docs

            docs.extend(build_wire_docs())
        else:
            raise ValueError(f"unknown source {source!r}")
    return docs


@dataclass
class Matrix:
    """Features of every line of some documents, and which rows carry a label to learn."""

    X: np.ndarray
    offsets: np.ndarray  # start row of each document, total at the end
    y: np.ndarray  # label per row ("" where unlabelled or blank)
    doc_index: np.ndarray  # which document each row comes from

    @property
    def labelled(self) -> np.ndarray:
        return self.y != ""


def build_matrix(docs: list[LabelledDoc]) -> Matrix:
    batch = [doc.lines for doc in docs]
    X = features.batch_features(batch)
    offsets = features.doc_offsets(batch)
    y = np.array(
        [
            (label if label not in (None, "blank") and line.strip() else "")
            for doc in docs
            for line, label in zip(doc.lines, doc.labels, strict=True)
        ],
        dtype=object,
    )
    doc_index = np.repeat(np.arange(len(docs)), np.diff(offsets))
    return Matrix(X=X, offsets=offsets, y=y, doc_index=doc_index)

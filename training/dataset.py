"""All training sources as labelled documents, and their feature matrices.

Sources: L3S-GN1 pages (human block labels, as whole-page text and as extractor output),
trafilatura's evaluation pages of 2019-2023 (lines labelled from must/must-not snippets, as
whole-page text and extractor output, each made by more than one tool; training/modern.py),
hand-annotated scraped articles (training/annotations), and wire stories built from real
Reuters stories and real headlines (training/wire.py). DATA.md describes each.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cleaner import features
from training.docs import LabelledDoc

CACHE_DIR = Path(__file__).parent / ".cache"
#: What the shipped line model is trained on (train-split sites of each; DATA.md).
SOURCES = ("l3s", "modern", "annotations", "wire", "cleaned")
#: Every source the evaluation scores, on test-split sites. "modern-hand" is not among the
#: line model's sources: the hand-labelled lines of extractor output of modern pages
#: (training/modern.py), which train only the wording model (training/train.py, train-split
#: sites), and "cleaned-modern-hand" their clean texts, evaluation only.
EVAL_SOURCES = ("l3s", "modern", "modern-hand", "annotations", "cleaned", "cleaned-modern-hand")
#: Sources whose documents are labelled line by line throughout: their clean text (what
#: `clean()` returns for them under perfect labels) is exact, so it can be a document too.
FULLY_LABELLED = ("annotations", "wire")
#: Extractor output whose body lines are labelled well enough to make clean text of (L3S).
CLEANED_SHAPES = ("article", "extract")


def load_docs(sources: Iterable[str] = SOURCES) -> list[LabelledDoc]:
    """The documents of `sources`, in that order. A source that others are made from (L3S and
    the fully labelled ones for "cleaned", "modern" for the hand-labelled lines) is loaded
    once per call, however many of the requested sources use it."""
    loaded: dict[str, list[LabelledDoc]] = {}

    def of(source: str) -> list[LabelledDoc]:
        if source not in loaded:
            loaded[source] = _load(source, of)
        return loaded[source]

    return [doc for source in sources for doc in of(source)]


def _load(source: str, of: Callable[[str], list[LabelledDoc]]) -> list[LabelledDoc]:
    """One source's documents; `of` gives those of the sources it is made from."""
    if source == "l3s":
        from training.l3s import load_l3s

        return load_l3s(cache_dir=CACHE_DIR)
    if source == "modern":
        from training.modern import load_modern

        return load_modern(cache_dir=CACHE_DIR)
    if source == "modern-hand":
        from training.modern import hand_labelled_docs, read_hand_labels

        return hand_labelled_docs(of("modern"), read_hand_labels())
    if source == "annotations":
        from training.annotations import load_annotations

        return load_annotations()
    if source == "wire":
        from training.wire import build_wire_docs

        return build_wire_docs()
    if source == "cleaned":
        return cleaned_docs([doc for base in FULLY_LABELLED + ("l3s",) for doc in of(base)])
    if source == "cleaned-modern-hand":
        return cleaned_docs(of("modern-hand"))
    raise ValueError(f"unknown source {source!r}")


def cleaned_docs(docs: list[LabelledDoc]) -> list[LabelledDoc]:
    """Each document's clean text as a document of its own, every line body.

    Pipelines also feed text that is already clean (or clean it twice); a cleaner must then
    keep every line. Without such documents the model learns that the first line of any
    input is a headline or a standfirst. The clean text is made by the cleaner's own
    assembly under the human labels, so a stripped dateline comes off as it would at run
    time. Unlabelled lines are left out of it.
    """
    from cleaner.assemble import assemble

    out = []
    for doc in docs:
        if doc.shape not in CLEANED_SHAPES:
            continue
        labels = [label or "other" for label in doc.labels]
        lines = [line for line in assemble(doc.lines, labels, [1.0] * len(labels)).text.split("\n") if line]
        if len(lines) < 2:
            continue
        out.append(LabelledDoc(
            doc_id=f"cleaned:{doc.doc_id}", site=doc.site, url=doc.url, shape="clean",
            lines=lines, labels=["body"] * len(lines), source=f"cleaned {doc.source}",
            split=doc.split, group=doc.group,
        ))
    return out


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

"""clean(text), clean_many(texts): segment -> features -> model -> assemble, one pass a batch."""

from __future__ import annotations

from collections.abc import Iterable

from cleaner import features
from cleaner.assemble import assemble
from cleaner.model import line_model
from cleaner.result import Result
from cleaner.segment import split_lines

Text = str | bytes


def _as_text(doc: Text) -> str:
    if isinstance(doc, str):
        return doc
    if isinstance(doc, bytes | bytearray):
        return bytes(doc).decode("utf-8")
    raise TypeError(f"clean() takes str or bytes, not {type(doc).__name__}")


def clean_many(docs: Iterable[Text]) -> list[Result]:
    """Clean a batch of documents; the model is asked once for all of their lines.

    A document that cannot be read (bytes that are not UTF-8) gets a Result carrying the
    error; the others are cleaned as usual.
    """
    results: list[Result | None] = []
    batch: list[list[str]] = []
    slots: list[int] = []
    for doc in docs:
        try:
            lines = split_lines(_as_text(doc))
        except UnicodeDecodeError as exc:
            results.append(Result.failed(f"input is not valid UTF-8: {exc}", "DecodeError"))
            continue
        slots.append(len(results))
        results.append(None)
        batch.append(lines)
    if batch:
        X = features.batch_features(batch)
        offsets = features.doc_offsets(batch)
        labels, scores = line_model().predict(X, offsets)
        for slot, lines, start, end in zip(slots, batch, offsets[:-1], offsets[1:], strict=True):
            results[slot] = assemble(lines, labels[start:end], scores[start:end])
    return [r for r in results if r is not None]


def clean(text: Text) -> Result:
    """Clean one scraped article: the story alone in `.text`, the rest as metadata."""
    return clean_many([text])[0]

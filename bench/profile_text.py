"""Where the text path's time goes, stage by stage, on the benchmark's article corpus.

    .venv/bin/python -m bench.profile_text [--corpus articles|pages] [--chunk 64] [--cprofile]

Runs the stages of `clean_many` one after the other on CLI-sized chunks, one thread, and
prints CPU seconds per stage (and per 1,000 documents). Feature extraction is also split
into its groups (character shapes, patterns, context). With --cprofile, the functions that
take the most time under cProfile follow (cProfile slows Python code more than C code, so
use the stage table for proportions).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import time
from collections import defaultdict
from collections.abc import Callable
from functools import partial
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from bench import corpora  # noqa: E402
from cleaner import features  # noqa: E402
from cleaner.assemble import assemble  # noqa: E402
from cleaner.model import line_model  # noqa: E402
from cleaner.segment import split_lines  # noqa: E402

#: Passes over the corpus; the stage times are their medians.
REPEAT = 3


def _stages(texts: list[bytes], chunk: int, clock: Callable[[str, Callable[[], Any]], Any]) -> None:
    model = line_model()
    blank = features.BASE_NAMES.index("blank")
    for a in range(0, len(texts), chunk):
        docs = texts[a : a + chunk]
        batch = clock("segmentation (decode, split_lines)", partial(_segment, docs))
        stripped = [s for s in (line.strip() for doc in batch for line in doc) if s]
        b = features._Batch.of(stripped)
        clock("  features: character shapes", partial(features._shape_columns, b))
        clock("  features: patterns (regexes)", partial(features._pattern_columns, b))
        X = clock("features, all (batch_features)", partial(features.batch_features, batch))
        offsets = features.doc_offsets(batch)
        rows = np.flatnonzero(X[:, blank] == 0)
        proba1 = np.zeros((X.shape[0], model.labels.size))
        proba1[rows] = clock("predict, first pass", partial(model.first.predict_proba, X[rows]))
        X2 = clock("second-pass features", partial(features.second_pass_features, X, proba1, offsets))
        proba = clock("predict, second pass", partial(model.second.predict_proba, X2[rows]))
        labels = np.full(X.shape[0], "blank", dtype=object)
        scores = np.ones(X.shape[0])
        best = proba.argmax(axis=1)
        labels[rows] = model.labels[best]
        scores[rows] = proba[np.arange(rows.size), best]
        results = clock("assemble", partial(_assemble, batch, labels, scores, offsets))
        clock("to_dict + json.dumps", partial(_records, results))


def _segment(docs: list[bytes]) -> list[list[str]]:
    return [split_lines(x.decode("utf-8")) for x in docs]


def _assemble(batch: list[list[str]], labels: np.ndarray, scores: np.ndarray, offsets: np.ndarray) -> list:
    spans = zip(batch, offsets[:-1], offsets[1:], strict=True)
    return [assemble(doc, labels[s:e], scores[s:e]) for doc, s, e in spans]


def _records(results: list) -> list[str]:
    return [json.dumps(r.to_dict(), ensure_ascii=False) for r in results]


def run(texts: list[bytes], chunk: int, repeat: int = REPEAT) -> dict[str, float]:
    """Median CPU seconds per stage over `repeat` passes (after a warm-up chunk)."""
    runs: dict[str, list[float]] = defaultdict(list)
    _stages(texts[:chunk], chunk, lambda name, f: f())
    for _ in range(repeat):
        acc: dict[str, float] = defaultdict(float)

        def clock(name: str, f: Callable[[], Any], acc: dict[str, float] = acc) -> Any:
            t0 = time.process_time()
            out = f()
            acc[name] += time.process_time() - t0
            return out

        _stages(texts, chunk, clock)
        for name, secs in acc.items():
            runs[name].append(secs)
    return {name: float(np.median(v)) for name, v in runs.items()}


def report(stages: dict[str, float], n_docs: int, n_lines: int) -> str:
    total = sum(v for k, v in stages.items() if not k.startswith("  "))
    out = [
        f"{n_docs} documents, {n_lines} lines; {total:.2f} CPU s in all: "
        f"{n_docs / total:,.0f} documents per CPU-second",
        "",
        "| stage | CPU s | share | ms per 1,000 docs | us per line |",
        "|---|--:|--:|--:|--:|",
    ]
    for name, secs in stages.items():
        per_doc, per_line = secs / n_docs * 1e6, secs / n_lines * 1e6
        out.append(f"| {name} | {secs:.3f} | {secs / total:.0%} | {per_doc:,.0f} | {per_line:.1f} |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", choices=("articles", "pages"), default="articles")
    ap.add_argument("--chunk", type=int, default=64)
    ap.add_argument("--cprofile", action="store_true")
    args = ap.parse_args(argv)
    corpus = corpora.build_articles() if args.corpus == "articles" else corpora.build_pages()
    n_lines = sum(len(split_lines(d.decode("utf-8"))) for d in corpus.docs)
    print(report(run(corpus.docs, args.chunk), len(corpus.docs), n_lines))
    if args.cprofile:
        prof = cProfile.Profile()
        prof.enable()
        _stages(corpus.docs, args.chunk, lambda name, f: f())
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(20)


if __name__ == "__main__":
    main()

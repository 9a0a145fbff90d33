"""Where the text path's time goes, stage by stage, on the benchmark's article corpus.

    .venv/bin/python -m bench.profile_text [--corpus articles|pages] [--chunk N] [--cprofile]

Runs `clean_many` itself on CLI-sized chunks, one thread, with the functions it calls for
each stage wrapped in a clock, and prints CPU seconds per stage (and per 1,000 documents).
A stage's time is its own: a stage that calls another (the model inside settling) is not
charged for it, and the model's stages are named for the round they serve (the input, or
the clean texts `_settle` labels again). With --cprofile, the functions that take the most
time under cProfile follow (cProfile slows Python code more than C code, so use the stage
table for proportions).
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import os
import pstats
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from bench import corpora  # noqa: E402
from cleaner import _trees, features, pipeline  # noqa: E402
from cleaner.batch import CHUNK_SIZE  # noqa: E402
from cleaner.model import line_model  # noqa: E402
from cleaner.segment import split_lines  # noqa: E402

#: Passes over the corpus; the stage times are their medians.
REPEAT = 3
#: Documents a `clean_many` call, as the CLI batches them.
CHUNK = CHUNK_SIZE
#: (module or class, function name, stage name): what is clocked. A stage name with `{round}`
#: is charged to the round it runs in.
STAGES: tuple[tuple[Any, str, str], ...] = (
    (pipeline, "_prepare", "segmentation (decode, split_lines)"),
    (features, "_shape_columns", "features: character shapes"),
    (features, "_pattern_columns", "features: patterns (regexes)"),
    (features, "_headline_columns", "features: headline model"),
    (features, "base_matrix", "features: base, the rest"),
    (features, "features_from_base", "features: context ({round})"),
    (features, "second_pass_features", "second-pass features ({round})"),
    (_trees.Forest, "predict_proba", "trees ({round})"),
    (pipeline, "_settle", "settling, the rest"),
    (pipeline, "assemble", "assemble (metadata, Result)"),
    (pipeline, "score_headlines", "related headlines' clickbait"),
)


class _Clock:
    """Own CPU time per stage: time spent in a nested stage is charged to that stage only."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = defaultdict(float)
        self._stack: list[tuple[str, float]] = []
        self._round = "input"

    def wrap(self, name: str, f: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(f)
        def clocked(*args: Any, **kwargs: Any) -> Any:
            stage = name.format(round=self._round)
            if name.startswith("trees"):
                model = line_model()
                which = "first pass" if args[0] is model.first else "second pass"
                stage = f"{which} trees ({self._round})"
            if f.__name__ == "_settle":
                self._round = "settling"
            self._enter(stage)
            try:
                return f(*args, **kwargs)
            finally:
                self._leave()
                if f.__name__ == "_settle":
                    self._round = "input"

        return clocked

    def _enter(self, stage: str) -> None:
        now = time.process_time()
        if self._stack:
            outer, since = self._stack[-1]
            self.spent[outer] += now - since
        self._stack.append((stage, now))

    def _leave(self) -> None:
        now = time.process_time()
        stage, since = self._stack.pop()
        self.spent[stage] += now - since
        if self._stack:
            self._stack[-1] = (self._stack[-1][0], now)


@contextmanager
def clocked_stages(clock: _Clock) -> Iterator[None]:
    saved = [(owner, attr, getattr(owner, attr)) for owner, attr, _ in STAGES]
    try:
        for owner, attr, name in STAGES:
            setattr(owner, attr, clock.wrap(name, getattr(owner, attr)))
        yield
    finally:
        for owner, attr, f in saved:
            setattr(owner, attr, f)


def _clean_all(texts: list[bytes], chunk: int) -> None:
    for a in range(0, len(texts), chunk):
        pipeline.clean_many(texts[a : a + chunk])


def run(texts: list[bytes], chunk: int, repeat: int = REPEAT) -> dict[str, float]:
    """Median CPU seconds per stage over `repeat` passes (after a warm-up chunk)."""
    runs: dict[str, list[float]] = defaultdict(list)
    _clean_all(texts[:chunk], chunk)
    for _ in range(repeat):
        clock = _Clock()
        t0 = time.process_time()
        with clocked_stages(clock):
            _clean_all(texts, chunk)
        total = time.process_time() - t0
        for name, secs in clock.spent.items():
            runs[name].append(secs)
        runs["everything else (batching, clean_many)"].append(total - sum(clock.spent.values()))
    return {name: float(np.median(v)) for name, v in sorted(runs.items(), key=lambda kv: -np.median(kv[1]))}


def report(stages: dict[str, float], n_docs: int, n_lines: int) -> str:
    total = sum(stages.values())
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
    ap.add_argument("--chunk", type=int, default=CHUNK)
    ap.add_argument("--cprofile", action="store_true")
    args = ap.parse_args(argv)
    corpus = corpora.build_articles() if args.corpus == "articles" else corpora.build_pages()
    n_lines = sum(len(split_lines(d.decode("utf-8"))) for d in corpus.docs)
    print(report(run(corpus.docs, args.chunk), len(corpus.docs), n_lines))
    if args.cprofile:
        prof = cProfile.Profile()
        prof.enable()
        _clean_all(corpus.docs, args.chunk)
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(20)


if __name__ == "__main__":
    main()

"""One measurement in a fresh process: a tool over a corpus on one core or on all cores.

    python -m bench.worker CORPUS.jsonl TOOL [--cores 1|all] [--repeat N] [--chunk N]
    python -m bench.worker CORPUS.jsonl TOOL --paired OTHER [--repeat N] [--chunk N]

Prints one JSON object. A fresh process per measurement makes its peak RSS its own. The
caller sets OMP_NUM_THREADS=1 (and the BLAS equivalents) in the environment before this
process starts; on one core the process is also pinned to one CPU with sched_setaffinity.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from bench import corpora
from bench.tools import prepare
from cleaner.batch import CHUNK_SIZE

#: Documents per call: the CLI's batch size, so the text path runs as `cleaner` does.
DEFAULT_CHUNK = CHUNK_SIZE

_pool_docs: list[bytes] = []
_pool_tool = None


def _rss_mb() -> float:
    """Resident set size now, from /proc (Linux)."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _peak_rss_mb() -> float:
    """Peak RSS of this process so far (getrusage ru_maxrss, KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _chunks(n_docs: int, chunk: int, multiply: int) -> Iterator[tuple[int, int]]:
    for _ in range(multiply):
        for start in range(0, n_docs, chunk):
            yield start, min(start + chunk, n_docs)


def _omp_threads() -> int | None:
    try:
        from sklearn.utils._openmp_helpers import _openmp_effective_n_threads
    except ImportError:
        return None
    return int(_openmp_effective_n_threads())


def run_one_core(corpus: corpora.Corpus, tool_name: str, repeat: int, chunk: int, multiply: int) -> dict:
    os.sched_setaffinity(0, {max(os.sched_getaffinity(0))})
    started = time.perf_counter()
    tool = prepare(tool_name)
    # Warm-up on one chunk: first-call costs (lazy imports, caches) are start-up, not throughput.
    tool(corpus.docs[:chunk])
    ready = time.perf_counter()
    rss_ready = _rss_mb()
    times, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        for a, b in _chunks(len(corpus.docs), chunk, multiply):
            tool(corpus.docs[a:b])
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return {
        "prepare_s": ready - started,
        "times_s": times,
        "cpu_s": cpu,
        "rss_ready_mb": rss_ready,
        "peak_rss_mb": _peak_rss_mb(),
        "omp_threads": _omp_threads() if tool_name.startswith("cleaner") else None,
        "affinity": sorted(os.sched_getaffinity(0)),
    }


def run_paired(corpus: corpora.Corpus, tool_name: str, other_name: str, repeat: int, chunk: int) -> dict:
    """Two tools in one process on one core, taking turns chunk by chunk (the one that goes
    first on a chunk alternating), CPU time each.

    Rows of separate processes run minutes apart, and on a shared machine the load drifts in
    between; here both tools see the same minutes, so their ratio is the steady figure.
    """
    os.sched_setaffinity(0, {max(os.sched_getaffinity(0))})
    tools = {name: prepare(name) for name in (tool_name, other_name)}
    for tool in tools.values():
        tool(corpus.docs[:chunk])
    cpu = dict.fromkeys(tools, 0.0)
    turns = [list(tools.items()), list(tools.items())[::-1]]
    for _ in range(repeat):
        for k, (a, b) in enumerate(_chunks(len(corpus.docs), chunk, 1)):
            # Who goes first turns chunk by chunk: the first to read pages pays for it.
            for name, tool in turns[k % 2]:
                c0 = time.process_time()
                tool(corpus.docs[a:b])
                cpu[name] += time.process_time() - c0
    docs = len(corpus.docs) * repeat
    return {
        "paired": [tool_name, other_name],
        "chunk": chunk,
        "passes": repeat,
        "docs_per_cpu_s": {name: docs / seconds for name, seconds in cpu.items()},
        "ratio": cpu[other_name] / cpu[tool_name],  # tool's docs/s over the other's
    }


def _pool_init(path: str, tool_name: str, chunk: int, barrier) -> None:
    global _pool_docs, _pool_tool
    _pool_docs = corpora.read(Path(path)).docs
    _pool_tool = prepare(tool_name)
    _pool_tool(_pool_docs[:chunk])
    barrier.wait()


def _pool_run(span: tuple[int, int]) -> tuple[int, float]:
    assert _pool_tool is not None
    _pool_tool(_pool_docs[span[0] : span[1]])
    return os.getpid(), _peak_rss_mb()


def run_all_cores(path: Path, corpus: corpora.Corpus, tool_name: str, repeat: int, chunk: int) -> dict:
    n = len(os.sched_getaffinity(0))
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(n + 1)
    times = []
    peaks: dict[int, float] = {}
    with ctx.Pool(n, initializer=_pool_init, initargs=(str(path), tool_name, chunk, barrier)) as pool:
        barrier.wait()
        spans = list(_chunks(len(corpus.docs), chunk, 1))
        for _ in range(repeat):
            t0 = time.perf_counter()
            for pid, peak in pool.imap_unordered(_pool_run, spans):
                peaks[pid] = max(peak, peaks.get(pid, 0.0))
            times.append(time.perf_counter() - t0)
    return {"processes": n, "times_s": times, "peak_rss_mb": max(peaks.values())}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("tool")
    ap.add_argument("--cores", choices=("1", "all"), default="1")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--chunk", type=int, default=DEFAULT_CHUNK)
    ap.add_argument("--multiply", type=int, default=1, help="stream the corpus this many times (memory)")
    ap.add_argument("--paired", metavar="OTHER", help="time TOOL and OTHER taking turns in this process")
    args = ap.parse_args(argv)
    corpus = corpora.read(args.corpus)
    if args.paired:
        paired = run_paired(corpus, args.tool, args.paired, args.repeat, args.chunk)
        json.dump({"corpus": corpus.name, **paired}, sys.stdout)
        sys.stdout.write("\n")
        return
    if args.cores == "1":
        out = run_one_core(corpus, args.tool, args.repeat, args.chunk, args.multiply)
    else:
        out = run_all_cores(args.corpus, corpus, args.tool, args.repeat, args.chunk)
    docs = len(corpus.docs) * args.multiply
    median = statistics.median(out["times_s"])
    if "cpu_s" in out:
        out["docs_per_cpu_s"] = docs / statistics.median(out["cpu_s"])
    out.update(
        corpus=corpus.name,
        tool=args.tool,
        cores=args.cores,
        docs=docs,
        mb=corpus.n_bytes * args.multiply / 1e6,
        docs_per_s=docs / median,
        mb_per_s=corpus.n_bytes * args.multiply / 1e6 / median,
    )
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

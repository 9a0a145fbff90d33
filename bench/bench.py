"""`make bench`: cleaner's throughput, memory and start-up beside the tools a user would pick.

    .venv/bin/python -m bench.bench [--out reports/bench.md] [--repeat 3] [--quick]

Builds its inputs from ../shared/data and samples/ (see bench/corpora.py), times every tool
on the same documents in fresh processes (bench/worker.py), and writes a markdown table and
the raw figures as JSON. Throughput is the median of `--repeat` passes over a corpus after a
warm-up chunk; start-up is timed separately. One core: the process is pinned to one CPU and
OMP_NUM_THREADS=1 (so is every BLAS pool), and the rows take turns pass by pass (`_in_rounds`);
all cores: one process per CPU, each single-threaded.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

from bench import corpora
from cleaner.batch import CHUNK_SIZE

REPO = corpora.REPO
DEFAULT_OUT = REPO / "reports" / "bench.md"
#: Start-up timings are repeated this many times and the median reported.
STARTUP_REPEAT = 5
#: The memory check streams the article corpus once and this many times: flat means equal peaks.
MEMORY_MULTIPLY = 8
SINGLE_THREAD_ENV = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}
TEXT_TOOLS = ("cleaner", "c4_filter", "justext")
HTML_TOOLS = ("cleaner_html", "trafilatura", "trafilatura_recall")
#: Tools also run on all cores (the comparisons are run on one core, the fair ratio).
ALL_CORE_TOOLS = ("cleaner", "cleaner_html")
SMALL_FILE = REPO / "samples" / "input" / "004_d228352cad494497.txt"
#: The HTML path and trafilatura timed taking turns in one process (bench/worker.py: run_paired),
#: on chunks of this many pages.
PAIRED_HTML = ("cleaner_html", "trafilatura")
PAIRED_CHUNK = 10


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(SINGLE_THREAD_ENV)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _run_worker(*args: str) -> dict:
    """`python -m bench.worker ARGS` in a fresh process: the JSON object it prints last."""
    cmd = [sys.executable, "-m", "bench.worker", *args]
    out = subprocess.run(cmd, cwd=REPO, env=_env(), check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _worker(corpus: Path, tool: str, cores: str, repeat: int, multiply: int = 1) -> dict:
    result = _run_worker(str(corpus), tool, "--cores", cores, "--repeat", str(repeat),
                         "--multiply", str(multiply))
    _print_row(result, tool, cores, multiply)
    return result


def _print_row(row: dict, tool: str, cores: str, multiply: int = 1) -> None:
    print(f"  {row['corpus']:9} {tool:19} cores={cores:3} x{multiply}: {row['docs_per_s']:9.1f} docs/s "
          f"{row['mb_per_s']:7.2f} MB/s  peak {row['peak_rss_mb']:.0f} MB", flush=True)


def _in_rounds(rows: list[tuple[Path, str]], rounds: int) -> list[dict]:
    """One-core rows timed in `rounds` rounds, each row once a round (a fresh process, one
    pass), so that each row's passes are spread over the whole run: this machine's speed
    drifts by a third within a minute (stop 37: one row's passes at 1,412-1,605 docs/s, the
    same work at 2,453 a minute later), and a row timed in one go got whatever minute it fell
    in. A row's figures are the median of its passes, its peak memory the largest."""
    runs: list[list[dict]] = [[] for _ in rows]
    for k in range(rounds):
        print(f"  round {k + 1} of {rounds}", flush=True)
        for (corpus, tool), done in zip(rows, runs, strict=True):
            done.append(_run_worker(str(corpus), tool, "--cores", "1", "--repeat", "1"))
    out = []
    for (_corpus, tool), done in zip(rows, runs, strict=True):
        row = dict(done[0])
        for key in ("times_s", "cpu_s"):
            row[key] = [t for r in done for t in r[key]]
        row["prepare_s"] = statistics.median(r["prepare_s"] for r in done)
        for key in ("rss_ready_mb", "peak_rss_mb"):
            row[key] = max(r[key] for r in done)
        median = statistics.median(row["times_s"])
        row.update(docs_per_s=row["docs"] / median, mb_per_s=row["mb"] / median,
                   docs_per_cpu_s=row["docs"] / statistics.median(row["cpu_s"]))
        _print_row(row, tool, "1")
        out.append(row)
    return out


def _paired(corpus: Path, tool: str, other: str, repeat: int) -> dict:
    result = _run_worker(str(corpus), tool, "--paired", other, "--repeat", str(repeat),
                         "--chunk", str(PAIRED_CHUNK))
    print(f"  paired {tool} / {other}: {result['ratio']:.2f}x", flush=True)
    return result


def _python_seconds(code: str) -> float:
    """Run `code` in a fresh interpreter; it prints one float (seconds)."""
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=_env(), check=True,
                         capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1])


_SITECUSTOMIZE = """\
import importlib.abc, importlib.machinery, sys
from pathlib import Path


class _PointModelDir(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name != "cleaner.model":
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        run = spec.loader.exec_module

        def exec_module(module):
            run(module)
            module.MODEL_DIR = Path({dir!r})

        spec.loader.exec_module = exec_module
        return spec


sys.meta_path.insert(0, _PointModelDir())
"""


def _cli_first_record(npz_dir: Path | None = None) -> tuple[float, float]:
    """Wall time from starting `cleaner FILE` to its first output line, and to its exit.

    With `npz_dir`, the CLI's processes (it cleans in worker processes) read the model from
    the arrays there: a `sitecustomize` module on their PYTHONPATH points `cleaner.model` at
    that directory in any process that imports it (a measuring device only; it imports
    nothing itself).
    """
    env = _env()
    if npz_dir is not None:
        site = npz_dir / "site"
        site.mkdir(exist_ok=True)
        (site / "sitecustomize.py").write_text(_SITECUSTOMIZE.format(dir=str(npz_dir)), encoding="utf-8")
        env["PYTHONPATH"] = str(site) + os.pathsep + env["PYTHONPATH"]
    t0 = time.perf_counter()
    proc = subprocess.Popen([str(Path(sys.executable).parent / "cleaner"), str(SMALL_FILE)],
                            stdout=subprocess.PIPE, env=env)
    assert proc.stdout is not None
    first = proc.stdout.readline()
    t1 = time.perf_counter()
    proc.stdout.read()
    proc.wait()
    t2 = time.perf_counter()
    if not first or proc.returncode != 0:
        raise RuntimeError(f"cleaner CLI failed with status {proc.returncode}")
    return t1 - t0, t2 - t0


_TIMED = "import time; t = time.perf_counter(); {body}; print(time.perf_counter() - t)"
STARTUP_PROBES = {
    "python -c pass (interpreter alone)": None,
    "import cleaner": _TIMED.format(body="import cleaner"),
    "import cleaner.pipeline": _TIMED.format(body="import cleaner.pipeline"),
    "model load (line_model(), first call)": (
        "import cleaner.pipeline, time; from cleaner.model import line_model; "
        "t = time.perf_counter(); line_model(); print(time.perf_counter() - t)"
    ),
    "first clean() in a fresh process (imports + load + one seed)": _TIMED.format(
        body=f"import cleaner; cleaner.clean(open({str(SMALL_FILE)!r}).read())"
    ),
}


#: With the model as arrays (`python -m cleaner._trees` writes them): loaded from a scratch
#: directory until `cleaner/models/line_model.npz` is shipped and pinned.
_NPZ_PROBES = {
    "model load from line_model.npz (arrays, no pickle, no scikit-learn)": (
        "import cleaner.pipeline, time; from pathlib import Path; from cleaner import model; "
        "t = time.perf_counter(); model._load(Path({dir!r})); print(time.perf_counter() - t)"
    ),
    "first clean() in a fresh process, model from line_model.npz": (
        "import time; t = time.perf_counter(); from pathlib import Path; import cleaner.model as m; "
        "m.MODEL_DIR = Path({dir!r}); import cleaner; cleaner.clean(open({file!r}).read()); "
        "print(time.perf_counter() - t)"
    ),
}


def _npz_dir(tmpdir: Path) -> Path | None:
    """The shipped model written as arrays into `tmpdir`, with its pin; None if it cannot be."""
    if (REPO / "cleaner" / "models" / "line_model.npz").exists():
        return None  # shipped: the probes above already load it
    out = subprocess.run([sys.executable, "-m", "cleaner._trees", str(tmpdir / "line_model.npz")],
                         cwd=REPO, env=_env(), capture_output=True, text=True)
    if out.returncode != 0:
        return None
    (tmpdir / "SHA256SUMS").write_text(out.stdout.strip().splitlines()[-1] + "\n", encoding="ascii")
    return tmpdir


def startup(repeat: int, npz_dir: Path | None = None) -> dict[str, float]:
    out: dict[str, list[float]] = {}
    probes = dict(STARTUP_PROBES)
    if npz_dir is not None:
        probes.update({k: v.format(dir=str(npz_dir), file=str(SMALL_FILE)) for k, v in _NPZ_PROBES.items()})
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True, env=_env())
        out.setdefault("python -c pass (interpreter alone)", []).append(time.perf_counter() - t0)
        for name, code in probes.items():
            if code is not None:
                out.setdefault(name, []).append(_python_seconds(code))
        first, total = _cli_first_record()
        out.setdefault("`cleaner FILE`: start to first record", []).append(first)
        out.setdefault("`cleaner FILE`: start to exit", []).append(total)
        if npz_dir is not None:
            first, total = _cli_first_record(npz_dir)
            npz = "`cleaner FILE`, model from line_model.npz"
            out.setdefault(f"{npz}: start to first record", []).append(first)
            out.setdefault(f"{npz}: start to exit", []).append(total)
    return {name: statistics.median(v) for name, v in out.items()}


def _versions() -> str:
    names = ("numpy", "scikit-learn", "trafilatura", "jusText")
    return ", ".join(f"{n} {metadata.version(n)}" for n in names) + f", Python {platform.python_version()}"


def _git() -> str:
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                             text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return rev + (" with uncommitted changes" if dirty else "")


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _fmt(x: float, digits: int = 1) -> str:
    return f"{x:,.{digits}f}"


def _throughput_table(rows: list[dict], all_cores: dict[str, dict], base_tool: str) -> list[str]:
    lines = [
        "| corpus | tool | docs | MB | docs/s, 1 core | MB/s, 1 core | docs per CPU-s, 1 core "
        "| docs/s vs cleaner | docs/s, all cores | MB/s, all cores | peak RSS MB |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    base = {r["corpus"]: r["docs_per_s"] for r in rows if r["tool"] == base_tool}
    for r in rows:
        allc = all_cores.get(f"{r['corpus']}/{r['tool']}")
        ratio = r["docs_per_s"] / base[r["corpus"]] if r["corpus"] in base else float("nan")
        lines.append(
            f"| {r['corpus']} | {r['tool']} | {r['docs']} | {_fmt(r['mb'], 2)} | {_fmt(r['docs_per_s'])} "
            f"| {_fmt(r['mb_per_s'], 2)} | {_fmt(r['docs_per_cpu_s'])} | {ratio:.2f}× "
            f"| {_fmt(allc['docs_per_s']) if allc else '–'} | {_fmt(allc['mb_per_s'], 2) if allc else '–'} "
            f"| {_fmt(r['peak_rss_mb'], 0)} |"
        )
    return lines


def _paired_lines(paired: dict | None) -> list[str]:
    if not paired:
        return []
    tool, other = paired["paired"]
    rate = paired["docs_per_cpu_s"]
    return [
        f"Paired: `{tool}` and `{other}` in one process on one core, taking turns on chunks of "
        f"{paired['chunk']} pages (which goes first alternating), {paired['passes']} passes, "
        f"CPU time: {rate[tool]:.1f} and "
        f"{rate[other]:.1f} documents per CPU-second, **{paired['ratio']:.2f}×** "
        "(both see the same minutes of the machine).",
        "",
    ]


def render(res: dict) -> str:
    rows = res["one_core"]
    allc = {f"{r['corpus']}/{r['tool']}": r for r in res["all_cores"]}
    text_rows = [r for r in rows if r["corpus"] != "html"]
    html_rows = [r for r in rows if r["corpus"] == "html"]
    c = res["corpora"]
    out = [
        "# Benchmark",
        "",
        f"Written by `make bench` (`bench/bench.py`) on {res['date']}, code at {res['git']}.",
        f"Machine: {res['cpu']}, {res['cpus']} CPUs; {res['versions']}.",
        f"Load average before / after the run: {res['load_before']} / {res['load_after']} "
        "(rows run minutes apart: on a shared machine the load can change between two rows, and "
        "with it their ratio; the paired HTML figure is measured so that it cannot).",
        "",
        "Inputs (built by `bench/corpora.py` from `../shared/data` and `samples/`):",
        "",
        "| corpus | what | docs | mean KB | mean lines |",
        "|---|---|--:|--:|--:|",
    ]
    for name, info in c.items():
        lines = info["mean_lines"]
        lines_cell = "–" if lines != lines else f"{lines:.0f}"  # NaN: HTML has no lines
        out.append(f"| {name} | {info['what']} | {info['docs']} | {info['mean_kb']:.1f} | {lines_cell} |")
    out += [
        "",
        "Throughput: the median of "
        f"{res['repeat']} passes over each corpus after a warm-up chunk. One core: each pass in a "
        "fresh process, the rows taking turns pass by pass, so that the machine's drifts in speed "
        "fall on every row alike; all cores: the passes in one process per row. "
        "*1 core*: pinned to one CPU with `sched_setaffinity`, `OMP_NUM_THREADS=1`"
        f" (scikit-learn's effective OpenMP threads in the cleaner rows: {res['omp_threads']}). "
        f"*All cores*: {res['cpus']} single-threaded worker processes (multiprocessing), documents in "
        f"chunks of {CHUNK_SIZE}. `cleaner` is called as the CLI calls it (`clean_many` on chunks of "
        f"{CHUNK_SIZE} documents); "
        "the other tools document by document. Peak RSS is `getrusage(RUSAGE_SELF).ru_maxrss` of the "
        "one-core process (interpreter, imports and model included). `vs cleaner` is the tool's "
        "documents/s over cleaner's on the same corpus, one core each. *Docs per CPU-s*: documents "
        "over the process's CPU time (`time.process_time`), which waiting for a busy CPU does not "
        "inflate: on a loaded machine it is the steadier figure.",
        "",
        "## Text",
        "",
        "`c4_filter`: C4's line rule (keep a line that ends in . ! ? or a closing quote and has at "
        "least 3 words). `justext`: `justext.justext` with the English stoplist on the text, each line "
        "wrapped as an HTML `<p>` paragraph. `cleaner+json`: cleaner plus `to_dict()` and `json.dumps` "
        "of every record, as the CLI writes them.",
        "",
        *_throughput_table(text_rows, allc, "cleaner"),
        "",
        "## HTML",
        "",
        "Raw page bytes to every tool, page by page. `cleaner_html`: `cleaner.clean_html(page)`, "
        "the HTML path as shipped (its docstring says what it runs; trafilatura is part of it). "
        "`trafilatura`: `trafilatura.extract(page)`; `trafilatura_recall`: the same with "
        "`favor_recall=True`.",
        "",
        *_throughput_table(html_rows, allc, "cleaner_html"),
        "",
        *_paired_lines(res.get("paired")),
        "## Start-up",
        "",
        f"Median of {res['startup_repeat']} fresh processes each. The CLI is run on "
        f"`{SMALL_FILE.relative_to(REPO)}`.",
        "",
        "| what | seconds |",
        "|---|--:|",
    ]
    out += [f"| {name} | {secs:.3f} |" for name, secs in res["startup"].items()]
    mem = res["memory"]
    out += [
        "",
        "## Memory in the number of documents",
        "",
        f"cleaner on the article corpus streamed through `clean_many` in chunks of {CHUNK_SIZE}, one core, "
        "outputs dropped as they come: peak RSS after one pass and after "
        f"{MEMORY_MULTIPLY} passes.",
        "",
        "| documents | RSS after load MB | peak RSS MB |",
        "|--:|--:|--:|",
    ]
    out += [f"| {m['docs']} | {m['rss_ready_mb']:.0f} | {m['peak_rss_mb']:.0f} |" for m in mem]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--html-per-source", type=int, default=corpora.DEFAULT_HTML_PER_SOURCE)
    ap.add_argument("--quick", action="store_true", help="small corpora, one pass: to try the script")
    ap.add_argument("--render", type=Path, metavar="JSON",
                    help="only write the markdown again from the figures of an earlier run")
    args = ap.parse_args(argv)
    if args.render:
        args.out.write_text(render(json.loads(args.render.read_text(encoding="utf-8"))), encoding="utf-8")
        return
    repeat = 1 if args.quick else args.repeat
    load_before = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print("building corpora", flush=True)
    with tempfile.TemporaryDirectory(prefix="cleaner-bench-") as tmp:
        tmpdir = Path(tmp)
        built = [
            corpora.build_articles(),
            corpora.build_pages(limit=40 if args.quick else None),
            corpora.build_html(per_source=20 if args.quick else args.html_per_source),
        ]
        if args.quick:
            built[0].ids, built[0].docs = built[0].ids[:200], built[0].docs[:200]
        paths = {c.name: corpora.write(c, tmpdir) for c in built}
        what = {
            "articles": "seeds + FakeNewsCorpus articles + ISOT Reuters stories cut into paragraphs",
            "pages": "L3S-GN1 pages as whole-page text",
            "html": "L3S-GN1 + trafilatura evaluation pages of held-out sites, raw HTML",
        }
        info = {
            c.name: {
                "what": what[c.name],
                "docs": len(c.docs),
                "mean_kb": c.n_bytes / len(c.docs) / 1e3,
                "mean_lines": (
                    sum(d.count(b"\n") for d in c.docs) / len(c.docs) if c.kind == "text" else float("nan")
                ),
            }
            for c in built
        }
        allc = []
        print("one core / all cores", flush=True)
        rows = [(name, tool) for name in ("articles", "pages")
                for tool in TEXT_TOOLS + (("cleaner+json",) if name == "articles" else ())]
        rows += [("html", tool) for tool in HTML_TOOLS]
        one = _in_rounds([(paths[name], tool) for name, tool in rows], repeat)
        for name, tool in (("articles", "cleaner"), ("pages", "cleaner"), ("html", "cleaner_html")):
            allc.append(_worker(paths[name], tool, "all", repeat))
        paired = _paired(paths["html"], *PAIRED_HTML, repeat)
        print("memory", flush=True)
        memory = [_worker(paths["articles"], "cleaner", "1", 1, multiply=k) for k in (1, MEMORY_MULTIPLY)]
        print("start-up", flush=True)
        npz_dir = tmpdir / "npz"
        npz_dir.mkdir()
        start = startup(2 if args.quick else STARTUP_REPEAT, _npz_dir(npz_dir))
    omp = sorted({r["omp_threads"] for r in one if r["omp_threads"] is not None})
    res = {
        "date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "git": _git(),
        "cpu": _cpu(),
        "cpus": len(os.sched_getaffinity(0)),
        "versions": _versions(),
        "load_before": load_before,
        "load_after": ", ".join(f"{x:.2f}" for x in os.getloadavg()),
        "repeat": repeat,
        "startup_repeat": 2 if args.quick else STARTUP_REPEAT,
        "omp_threads": ", ".join(map(str, omp)) or "n/a",
        "corpora": info,
        "one_core": one,
        "all_cores": allc,
        "paired": paired,
        "memory": memory,
        "startup": start,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(res), encoding="utf-8")
    args.out.with_suffix(".json").write_text(json.dumps(res, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out} and {args.out.with_suffix('.json')}")
    for name, secs in start.items():
        print(f"  {name}: {secs:.3f} s")


if __name__ == "__main__":
    main()

"""How prediction time and held-out accuracy trade off with the size of the line model.

    .venv/bin/python -m bench.model_size [--sources l3s,annotations,wire] [--out reports/model_size.md]

An experiment for choosing the model's size, not a benchmark of the shipped model. The
training documents and the test documents are split by site as `make train` and `make eval`
split them. For each number of leaves, the first pass is fitted once with the shipped
number of iterations (and the shipped learning rate, weights and other parameters), and is
scored at fewer iterations from its staged predictions; smaller two-pass models are fitted
whole (second pass on out-of-fold first-pass probabilities, as training/train.py does) and
set beside the shipped model (`--shipped`), scored on the same test documents. Prediction
time is measured on the test lines with cleaner's own tree walks (`cleaner/_trees.py`), one
thread, for the first pass alone and for both passes.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("OMP_NUM_THREADS", "2")

from cleaner import _trees, features  # noqa: E402
from cleaner.model import line_model  # noqa: E402
from training import train  # noqa: E402
from training.dataset import build_matrix, load_docs  # noqa: E402

DEFAULT_SOURCES = ("l3s", "annotations", "wire")
LEAVES = (31, 15, 7)
STAGES = (20, 40, 60, 80, 120)
#: Two-pass models fitted whole: (iterations, leaves). The shipped size (120, 31) takes five
#: full fits; `--shipped` scores the shipped model instead.
TWO_PASS = ((60, 15), (30, 15))
#: Rows a prediction call in the timing: about one CLI batch of seed-sized articles.
TIMING_ROWS = 1024
TIMING_REPEAT = 5


def _scores(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    acc = float((y_true == y_pred).mean())
    tp = float(((y_true == "body") & (y_pred == "body")).sum())
    fp = float(((y_true != "body") & (y_pred == "body")).sum())
    fn = float(((y_true == "body") & (y_pred != "body")).sum())
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    labels = np.unique(y_true)
    f1s = []
    for lab in labels:
        t = float(((y_true == lab) & (y_pred == lab)).sum())
        pp = float((y_pred == lab).sum())
        tt = float((y_true == lab).sum())
        f1s.append(2 * t / (pp + tt) if pp + tt else 0.0)
    body_f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"accuracy": acc, "body_f1": body_f1, "macro_f1": float(np.mean(f1s))}


def _time(forest: _trees.Forest, X: np.ndarray, walk: str) -> float:
    """Median CPU seconds per row of `forest.predict_proba` on TIMING_ROWS rows, walking the
    trees the `_trees.WALKS` way named."""
    rows = np.ascontiguousarray(X[:TIMING_ROWS])
    forest.walk_for = lambda n: walk  # type: ignore[method-assign]
    forest.predict_proba(rows)  # warm-up (builds the compiled walk's records)
    times = []
    for _ in range(TIMING_REPEAT):
        t0 = time.process_time()
        forest.predict_proba(rows)
        times.append(time.process_time() - t0)
    return float(np.median(times)) / rows.shape[0]


def _truncate(forest: _trees.Forest, n_iter: int) -> _trees.Forest:
    """The forest of the first `n_iter` iterations (what staged prediction scores)."""
    n_trees = n_iter * forest.n_classes
    end = int(forest.tree_start[n_trees])
    return _trees.Forest(
        n_classes=forest.n_classes, n_iter=n_iter, n_features=forest.n_features,
        baseline=forest.baseline, tree_start=forest.tree_start[: n_trees + 1],
        feature=forest.feature[:end], threshold=forest.threshold[:end],
        missing_left=forest.missing_left[:end], children=forest.children[:end],
        is_leaf=forest.is_leaf[:end], value=forest.value[:end], max_depth=forest.max_depth,
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sources", default=",".join(DEFAULT_SOURCES))
    ap.add_argument("--out", type=Path, default=Path("reports/model_size.md"))
    ap.add_argument("--leaves", default=",".join(map(str, LEAVES)),
                    help="first pass alone, staged: leaf counts ('' for none)")
    ap.add_argument("--two-pass", default=",".join(f"{i}x{k}" for i, k in TWO_PASS),
                    help="two-pass models fitted whole, as ITERATIONSxLEAVES ('' for none)")
    ap.add_argument("--shipped", action="store_true", help="also score the shipped line model")
    args = ap.parse_args(argv)
    leaves_list = [int(x) for x in args.leaves.split(",") if x]
    two_pass = [tuple(int(v) for v in x.split("x")) for x in args.two_pass.split(",") if x]
    started = time.time()
    docs = load_docs(tuple(args.sources.split(",")))
    train_docs = [d for d in docs if d.split == "train"]
    test_docs = [d for d in docs if d.split == "test"]
    m, mt = build_matrix(train_docs), build_matrix(test_docs)
    lab, labt = m.labelled, mt.labelled
    y, yt = m.y[lab].astype(str), mt.y[labt].astype(str)
    classes = np.unique(y)
    w = train.row_weights(train_docs, m)
    nonblank_t = mt.X[:, features.BASE_NAMES.index("blank")] == 0
    X_time = mt.X[nonblank_t]
    print(f"{len(train_docs)} train / {len(test_docs)} test documents, {lab.sum()} / {labt.sum()} "
          f"labelled lines ({time.time() - started:.0f} s)", flush=True)
    rows: list[str] = []

    # First pass alone, staged.
    for leaves in leaves_list:
        params = {**train.TREE_PARAMS, "max_leaf_nodes": leaves}
        t0 = time.time()
        est = train.HistGradientBoostingClassifier(**params).fit(m.X[lab], y, sample_weight=w[lab])
        fit_s = time.time() - t0
        forest = _trees.Forest.from_estimator(est)
        for k, proba in enumerate(est.staged_predict_proba(mt.X[labt]), start=1):
            if k not in STAGES:
                continue
            sc = _scores(yt, est.classes_[proba.argmax(axis=1)])
            sub = _truncate(forest, k)
            t_np, t_c = _time(sub, X_time, "numpy"), _time(sub, X_time, "sklearn")
            rows.append(
                f"| first pass only | {k} | {leaves} | {k * classes.size} | {sc['accuracy']:.4f} | "
                f"{sc['body_f1']:.4f} | {sc['macro_f1']:.4f} | {t_c * 1e6:.1f} | {t_np * 1e6:.1f} |"
            )
            print(rows[-1], f"(fit {fit_s:.0f} s)", flush=True)

    # Two passes: the shipped model, and smaller ones fitted whole.
    todo: list[tuple[str, int, int]] = [("shipped", 0, 0)] if args.shipped else []
    todo += [("fit", n_iter, leaves) for n_iter, leaves in two_pass]
    for kind, n_iter, leaves in todo:
        t0 = time.time()
        if kind == "shipped":
            shipped = line_model()
            f1, f2 = shipped.first, shipped.second
            n_iter, leaves = f1.n_iter, int(shipped.meta.get("tree_params", {}).get("max_leaf_nodes", 0))
            if list(shipped.labels) != list(classes):
                raise SystemExit("the shipped model knows other labels than these documents")
        else:
            train.TREE_PARAMS.update(max_iter=n_iter, max_leaf_nodes=leaves)
            oof = train.out_of_fold_proba(train_docs, m, w, classes)
            X2 = features.second_pass_features(m.X, oof, m.offsets)
            first = train._estimator().fit(m.X[lab], y, sample_weight=w[lab])
            second = train._estimator().fit(X2[lab], y, sample_weight=w[lab])
            f1, f2 = _trees.Forest.from_estimator(first), _trees.Forest.from_estimator(second)
        fit_s = time.time() - t0
        p1 = np.zeros((mt.X.shape[0], classes.size))
        p1[nonblank_t] = f1.predict_proba(mt.X[nonblank_t])
        X2t = features.second_pass_features(mt.X, p1, mt.offsets)
        pred = classes[f2.predict_proba(X2t[labt]).argmax(axis=1)]
        sc = _scores(yt, pred)
        X2_time = X2t[nonblank_t]
        t_c = _time(f1, X_time, "sklearn") + _time(f2, X2_time, "sklearn")
        t_np = _time(f1, X_time, "numpy") + _time(f2, X2_time, "numpy")
        rows.append(
            f"| two passes{' (shipped)' if kind == 'shipped' else ''} | {n_iter} | {leaves} | "
            f"{2 * n_iter * classes.size} | {sc['accuracy']:.4f} | "
            f"{sc['body_f1']:.4f} | {sc['macro_f1']:.4f} | {t_c * 1e6:.1f} | {t_np * 1e6:.1f} |"
        )
        print(rows[-1], f"(fit {fit_s:.0f} s)", flush=True)

    lines = [
        "# Line model size: accuracy against prediction time",
        "",
        f"Written by `bench/model_size.py` ({time.strftime('%Y-%m-%d %H:%M')}); sources {args.sources}; "
        f"{len(train_docs)} training and {len(test_docs)} test documents (split by site), "
        f"{int(labt.sum())} labelled test lines. Shipped size: two passes of 120 iterations x 31 leaves. "
        "Every row in one run; its rows were written as each finished.",
        "",
        "Accuracy and F1 are over labelled non-blank test lines (macro F1 over the labels present). "
        f"Time: CPU microseconds per non-blank line, one thread, {TIMING_ROWS} lines a call, "
        "median of repeats; `compiled` is scikit-learn's tree walk called directly, `numpy` "
        "cleaner's own. Times were taken on a shared, loaded 2-core machine: compare rows, not "
        "absolute values.",
        "",
        "| model | iterations | leaves | trees | accuracy | body F1 | macro F1 "
        "| us/line compiled | us/line numpy |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|",
        *rows,
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out} in {time.time() - started:.0f} s")


if __name__ == "__main__":
    main()

"""Train the block model from both HTML sources and write it into the package.

    python -m training.html_train        # what `make train-html` runs

Four gradient-boosted tree ensembles over the block features (cleaner/blocks.py), fitted
on train-split sites: `body` (body or not, every labelled block), `quick` (the same without
trafilatura's vote), `context` (the same from the quick model's out-of-fold verdicts on
each block and its neighbours too) and `kind` (what a labelled block that is not body is:
title, byline, caption, related, comment, other..., without the vote). The thresholds on
P(body) are chosen on out-of-fold predictions over the train and dev sites (folds by site;
the sum of the L3S shingle F1 and the modern pages' snippet F1), and so are the cascade's
margins: for the quick model, then for the context model on the pages it leaves, the
narrowest band around the threshold with which the sum stays within CASCADE_TOLERANCE of
the model with the vote on every page, when pages with no block inside it skip the vote.
The shipped model is then fitted on train + dev sites with those settings. Test-split
sites are never read here. Deterministic: fixed seeds, no early stopping on a random split,
a seeded sample of the "other" blocks.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from sklearn.ensemble import HistGradientBoostingClassifier

from cleaner._trees import Forest
from cleaner.block_model import (
    BLOCK_CHECKSUM_FILE,
    BLOCK_MODEL_FILE,
    BODY_EXITS,
    CONTEXT_NAMES,
    ENSEMBLES,
    MODEL_DIR,
    BlockModel,
    context_features,
    log_odds,
    sure,
    with_context,
)
from cleaner.blocks import block_feature_names, without_vote
from training.html_data import SOURCES, HtmlDoc, load_html_docs
from training.html_metrics import snippet_scores, text_scores

RANDOM_STATE = 0
NAMES = block_feature_names()
#: Labels with fewer training blocks than this are learnt as "other".
MIN_LABEL_BLOCKS = 40
#: Each source weighs (total / its labelled blocks) ** this: the few snippet-labelled
#: modern blocks must not drown under L3S's fully labelled 2008 pages.
BALANCE_POWER = 0.7
#: Losing article text costs more than keeping a stray line.
LABEL_WEIGHTS = {"body": 1.5}
TREE_PARAMS: dict = dict(
    max_iter=200,
    learning_rate=0.1,
    max_leaf_nodes=31,
    max_depth=10,
    min_samples_leaf=20,
    l2_regularization=1.0,
    early_stopping=False,
    random_state=RANDOM_STATE,
)
#: The kind model only fills metadata: fewer rounds.
KIND_PARAMS: dict = {**TREE_PARAMS, "max_iter": 60}
#: Both models see at most this share of the fully labelled pages' "other" blocks (a seeded
#: sample, weighted up to stand for all of them): they are three quarters of L3S's blocks,
#: and fitting time grows with them more than what the models learn from them.
OTHER_SHARE = 0.3
#: One thread: on a shared 2-core machine OpenMP's spinning threads fit several times slower.
THREADS = 1
THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.2, 0.91, 0.05))
#: Thresholds and the cascade margin are chosen on out-of-fold predictions over the train and
#: dev sites, in this many folds by site: the dev split alone (91 modern pages, 397 labelled
#: blocks) chose them by noise (its best thresholds held out worse than they scored on dev).
CV_FOLDS = 5
#: Margins tried for the cascade, in log-odds around the quick model's threshold, widest
#: first (none chosen: every page gets the vote).
CASCADE_MARGINS = (3.0, 2.5, 2.0, 1.75, 1.5, 1.25, 1.0, 0.75, 0.5)
#: What the cascade may cost, out of fold, in the sum of L3S F1 and snippet F1: 0.001, half
#: of what refitting on another seeded sample of the "other" blocks moves that sum by.
CASCADE_TOLERANCE = 0.001


def stack(docs: list[HtmlDoc]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows of every block, their labels ("" = unlabelled) and the document of each row."""
    X = np.vstack([d.X for d in docs]) if docs else np.zeros((0, len(NAMES)))
    y = np.array([label or "" for d in docs for label in d.labels], dtype=object)
    doc_index = np.repeat(np.arange(len(docs)), [len(d.texts) for d in docs])
    return X, y, doc_index


def label_set(y: np.ndarray) -> dict[str, str]:
    """Each label to the one learnt: rare labels become "other"."""
    counts = Counter(y[y != ""])
    return {label: (label if n >= MIN_LABEL_BLOCKS else "other") for label, n in counts.items()}


def weights(docs: list[HtmlDoc], y: np.ndarray, doc_index: np.ndarray) -> np.ndarray:
    sources = np.array([docs[i].source for i in doc_index], dtype=object)
    lab = y != ""
    counts = Counter(sources[lab])
    total = sum(counts.values())
    w = np.array([(total / counts[s]) ** BALANCE_POWER if s in counts else 0.0 for s in sources])
    w *= np.array([LABEL_WEIGHTS.get(label, 1.0) for label in y])
    return w / w[lab].mean()


@dataclass
class Fitted:
    body: HistGradientBoostingClassifier | None  # with trafilatura's vote
    quick: HistGradientBoostingClassifier | None  # without it
    context: HistGradientBoostingClassifier | None  # without it, with the quick model's context
    kind: HistGradientBoostingClassifier | None  # without it
    mapping: dict[str, str]  # (a model is None when `fit` was not asked for it)


def fit(docs: list[HtmlDoc], parts: tuple[str, ...] = ENSEMBLES, context: np.ndarray | None = None) -> Fitted:
    """The models named in `parts`; the context model needs `context`, the rows of
    `context_features` of the quick model's out-of-fold verdicts, in `stack(docs)` order."""
    X, y, doc_index = stack(docs)
    mapping = label_set(y)
    w = weights(docs, y, doc_index)
    target = np.array([mapping.get(label, "") for label in y], dtype=object)
    sources = np.array([docs[i].source for i in doc_index], dtype=object)
    rng = np.random.RandomState(RANDOM_STATE)
    other = np.flatnonzero((target == "other") & (sources == "l3s"))
    dropped = rng.choice(other, int(round(other.size * (1 - OTHER_SHARE))), replace=False)
    w[other] /= OTHER_SHARE
    keep = target != ""
    keep[dropped] = False
    rows = np.flatnonzero(keep)
    X_free = without_vote(X[rows], NAMES)
    is_body = target[rows] == "body"
    rest = np.flatnonzero(~is_body)
    models: dict[str, Any] = dict.fromkeys(ENSEMBLES)
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=THREADS):
        if "body" in parts:
            models["body"] = HistGradientBoostingClassifier(**TREE_PARAMS).fit(
                X[rows], is_body, sample_weight=w[rows])
        if "quick" in parts:
            models["quick"] = HistGradientBoostingClassifier(**TREE_PARAMS).fit(
                X_free, is_body, sample_weight=w[rows])
        if "context" in parts:
            if context is None:
                raise ValueError("the context model needs the quick model's context rows")
            models["context"] = HistGradientBoostingClassifier(**TREE_PARAMS).fit(
                np.hstack([X_free, context[rows]]), is_body, sample_weight=w[rows])
        if "kind" in parts:
            models["kind"] = HistGradientBoostingClassifier(**KIND_PARAMS).fit(
                X_free[rest], target[rows][rest].astype(str), sample_weight=w[rows][rest])
    return Fitted(**models, mapping=mapping)


def to_model(fitted: Fitted, meta: dict) -> BlockModel:
    for name in ENSEMBLES:
        if getattr(fitted, name) is None:
            raise RuntimeError(f"the {name} model was not fitted")
    for name in ("body", "quick", "context"):
        if list(getattr(fitted, name).classes_) != [False, True]:
            classes = getattr(fitted, name).classes_
            raise RuntimeError(f"{name} model classes are {classes}, not [False, True]")
    return BlockModel(
        body=Forest.from_estimator(fitted.body),
        quick=Forest.from_estimator(fitted.quick),
        context=Forest.from_estimator(fitted.context),
        kind=Forest.from_estimator(fitted.kind),
        kinds=np.array([str(c) for c in fitted.kind.classes_], dtype=object),
        feature_names=NAMES,
        meta=meta,
    )


def check_same(model: BlockModel, fitted: Fitted, X: np.ndarray) -> float:
    """Largest difference between the array model's and scikit-learn's probabilities."""
    if not X.shape[0]:
        return 0.0
    names = model.feature_names
    X_free = without_vote(X, names)
    body = np.abs(model.body_proba(X, names) - fitted.body.predict_proba(X)[:, 1]).max()
    quick = np.abs(model.quick_proba(X_free, names) - fitted.quick.predict_proba(X_free)[:, 1]).max()
    X_context = with_context(X_free, model.quick_proba(X_free, names))
    context = np.abs(model.context.predict_proba(X_context)[:, 1]
                     - fitted.context.predict_proba(X_context)[:, 1]).max()
    kind = np.abs(model.kind_proba(X_free, names) - fitted.kind.predict_proba(X_free)).max()
    return float(max(body, quick, context, kind))


def body_outputs(docs: list[HtmlDoc], body_proba: np.ndarray, threshold: float) -> list[str]:
    """Each page's kept text: its blocks with P(body) >= threshold, one a line."""
    out, start = [], 0
    for d in docs:
        p = body_proba[start:start + len(d.texts)]
        out.append("\n".join(t for t, keep in zip(d.texts, p >= threshold, strict=True) if keep))
        start += len(d.texts)
    return out


def page_scores(docs: list[HtmlDoc], body_proba: np.ndarray, threshold: float) -> dict:
    """The kept text of each page scored: L3S shingle and token F1, modern snippet scores."""
    outputs = body_outputs(docs, body_proba, threshold)
    l3s = [i for i, d in enumerate(docs) if d.source == "l3s"]
    modern = [i for i, d in enumerate(docs) if d.source == "modern"]
    return {
        "l3s": text_scores([outputs[i] for i in l3s], [docs[i].gold_text for i in l3s]),
        "l3s_tokens": text_scores([outputs[i] for i in l3s], [docs[i].gold_text for i in l3s], n=1),
        "modern": snippet_scores(
            [outputs[i] for i in modern],
            [docs[i].with_snippets for i in modern],
            [docs[i].without_snippets for i in modern],
        ),
    }


def _f1_sum(scores: dict) -> float:
    return scores["l3s"]["f1"] + scores["modern"]["f1"]


def threshold_table(docs: list[HtmlDoc], body_proba: np.ndarray) -> tuple[float, dict]:
    """The scores at every threshold, and the one with the best sum of L3S F1 and snippet
    F1 (the nearer to 0.5 on a tie)."""
    table = {t: page_scores(docs, body_proba, t) for t in THRESHOLDS}
    return max(THRESHOLDS, key=lambda t: (_f1_sum(table[t]), -abs(t - 0.5))), table


def _print_table(name: str, table: dict, best: float) -> None:
    for t in THRESHOLDS:
        s = table[t]
        mark = "  <- best" if t == best else ""
        print(f"  {name} threshold {t:.2f}: L3S F1 {s['l3s']['f1']:.4f} "
              f"(tokens {s['l3s_tokens']['f1']:.4f}), snippet F1 {s['modern']['f1']:.4f}{mark}", flush=True)


def cascade_proba(
    pages: list[slice], p_body: np.ndarray, stages: list[tuple[np.ndarray, float, float]]
) -> tuple[np.ndarray, np.ndarray]:
    """P(body) as the cascade decides it: a page takes the first of `stages` (P(body),
    threshold, margin) sure of all its blocks (1 or 0 by its threshold), and the others keep
    the model with the vote; and which stage settled each page (-1: none)."""
    out = p_body.copy()
    settled_by = np.full(len(pages), -1)
    for i, rows in enumerate(pages):
        for k, (p, threshold, margin) in enumerate(stages):
            if sure(p[rows], threshold, margin).all():
                settled_by[i] = k
                out[rows] = np.where(p[rows] >= threshold, 1.0, 0.0)
                break
    return out, settled_by


def fold_of(site: str) -> int:
    """The cross-validation fold of a site: every page of a site in the same one."""
    return int(hashlib.sha256(site.encode("utf-8")).hexdigest(), 16) % CV_FOLDS


def _over_folds(predict: Callable[[int], Any]) -> list[Any]:
    """`predict(k)` for every fold k, in order, two folds at a time."""
    from joblib import Parallel, delayed
    from threadpoolctl import threadpool_limits

    # threads: the trees fit outside the GIL; one OpenMP thread each, set here for all of them
    with threadpool_limits(limits=THREADS):
        return Parallel(n_jobs=2, prefer="threads")(delayed(predict)(k) for k in range(CV_FOLDS))


def out_of_fold(docs: list[HtmlDoc]) -> tuple[list[HtmlDoc], np.ndarray, np.ndarray]:
    """The pages in fold order, and P(body) with and without the vote of each of their
    blocks from the models fitted on the other folds' sites (two folds at a time)."""
    folds = [[d for d in docs if fold_of(d.site) == k] for k in range(CV_FOLDS)]

    def predict(k: int) -> tuple[np.ndarray, np.ndarray]:
        fitted = fit([d for j, fold in enumerate(folds) if j != k for d in fold], ("body", "quick"))
        X, _, _ = stack(folds[k])
        # as `BlockModel.predict` runs them, early exits included
        body, quick = Forest.from_estimator(fitted.body), Forest.from_estimator(fitted.quick)
        p_quick = quick.predict_proba(without_vote(X, NAMES), BODY_EXITS)[:, 1]
        return body.predict_proba(X, BODY_EXITS)[:, 1], p_quick

    parts = _over_folds(predict)
    ordered = [d for fold in folds for d in fold]
    return ordered, np.concatenate([p for p, _ in parts]), np.concatenate([q for _, q in parts])


def page_slices(docs: list[HtmlDoc]) -> list[slice]:
    """Each page's rows in `stack(docs)`."""
    starts = np.cumsum([0] + [len(d.texts) for d in docs])
    return [slice(a, b) for a, b in zip(starts[:-1], starts[1:], strict=True)]


def page_context(docs: list[HtmlDoc], p_quick: np.ndarray) -> np.ndarray:
    """`context_features` of each page's quick verdicts, stacked as `stack(docs)` stacks rows."""
    parts = [context_features(log_odds(p_quick[rows])) for rows in page_slices(docs)]
    return np.vstack(parts) if parts else np.zeros((0, len(CONTEXT_NAMES)))


def context_out_of_fold(docs: list[HtmlDoc], context: np.ndarray) -> np.ndarray:
    """P(body) of each block of `docs` (in fold order, `context` row by row with them) from
    the context model fitted on the other folds' sites."""
    slices = page_slices(docs)
    fold = np.array([fold_of(d.site) for d in docs])

    def rows_of(pages: np.ndarray) -> np.ndarray:
        ranges = [np.arange(slices[i].start, slices[i].stop) for i in pages]
        return np.concatenate(ranges) if ranges else np.zeros(0, dtype=int)

    def predict(k: int) -> np.ndarray:
        train, held = np.flatnonzero(fold != k), np.flatnonzero(fold == k)
        fitted = fit([docs[i] for i in train], ("context",), context[rows_of(train)])
        X, _, _ = stack([docs[i] for i in held])
        X_context = np.hstack([without_vote(X, NAMES), context[rows_of(held)]])
        return Forest.from_estimator(fitted.context).predict_proba(X_context, BODY_EXITS)[:, 1]

    return np.concatenate(_over_folds(predict))


def _narrowest_margin(
    name: str, docs: list[HtmlDoc], pages: list[slice], p_body: np.ndarray, body_threshold: float,
    stages: list[tuple[np.ndarray, float, float]], p: np.ndarray, threshold: float, full: dict,
) -> tuple[float, dict, int]:
    """The narrowest margin for a last stage (`p`, `threshold`) after `stages` whose sum of
    L3S and snippet F1 (and every wider one's) stays within CASCADE_TOLERANCE of `full`."""
    margin, scores, settled_pages = math.inf, full, 0
    for m in CASCADE_MARGINS:
        proba, settled_by = cascade_proba(pages, p_body, [*stages, (p, threshold, m)])
        got = page_scores(docs, proba, body_threshold)
        print(f"  {name} margin {m:.2f}: {(settled_by >= 0).sum()} of {len(docs)} pages settled without "
              f"the vote; L3S F1 {got['l3s']['f1']:.4f}, snippet F1 {got['modern']['f1']:.4f}", flush=True)
        if _f1_sum(got) < _f1_sum(full) - CASCADE_TOLERANCE:
            break
        margin, scores, settled_pages = m, got, int((settled_by >= 0).sum())
    return margin, scores, settled_pages


def tune(docs: list[HtmlDoc]) -> tuple[list[HtmlDoc], np.ndarray, dict]:
    """The thresholds of the three body models with the best sum of L3S F1 and snippet F1
    out of fold; the narrowest quick-model margin whose sum (and every wider one's) is within
    CASCADE_TOLERANCE of the model with the vote on every page; then, on the pages left, the
    same for the context model. Returns the pages in fold order and the context rows of the
    quick model's out-of-fold verdicts, which the shipped context model learns from."""
    docs, p_body, p_quick = out_of_fold(docs)
    context = page_context(docs, p_quick)
    p_context = context_out_of_fold(docs, context)
    pages = page_slices(docs)
    thresholds, tables = {}, {}
    for name, p in (("body", p_body), ("quick", p_quick), ("context", p_context)):
        thresholds[name], tables[name] = threshold_table(docs, p)
        _print_table(name, tables[name], thresholds[name])
    full = tables["body"][thresholds["body"]]
    quick_margin, quick_scores, quick_pages = _narrowest_margin(
        "quick", docs, pages, p_body, thresholds["body"], [], p_quick, thresholds["quick"], full)
    quick_stage = [(p_quick, thresholds["quick"], quick_margin)]
    context_margin, cascade, settled_pages = _narrowest_margin(
        "context", docs, pages, p_body, thresholds["body"], quick_stage,
        p_context, thresholds["context"], full,
    )
    if not math.isfinite(context_margin):
        cascade, settled_pages = quick_scores, quick_pages
    print(f"  margins chosen: quick {quick_margin:.2f} ({quick_pages} pages settled), context "
          f"{context_margin:.2f} ({settled_pages} of {len(docs)} pages skip the vote)")
    return docs, context, {
        "body_threshold": thresholds["body"],
        "quick_threshold": thresholds["quick"],
        "context_threshold": thresholds["context"],
        "cascade_margin": quick_margin if math.isfinite(quick_margin) else None,
        "context_margin": context_margin if math.isfinite(context_margin) else None,
        "out_of_fold_scores": full,
        "out_of_fold_scores_quick_model": tables["quick"][thresholds["quick"]],
        "out_of_fold_scores_context_model": tables["context"][thresholds["context"]],
        "out_of_fold_scores_quick_cascade": quick_scores,
        "out_of_fold_scores_cascade": cascade,
        "out_of_fold_pages_settled_by_quick_model": f"{quick_pages} of {len(docs)}",
        "out_of_fold_pages_settled_without_vote": f"{settled_pages} of {len(docs)}",
    }


def train(
    sources: tuple[str, ...] = SOURCES, refit_on_dev: bool = True, out_dir: Path = MODEL_DIR,
    drop_sites: frozenset[str] = frozenset(),
) -> dict:
    """Choose the thresholds and margins, fit, and write the block model into `out_dir`;
    `drop_sites` are left out of it all (training/noise.py's retrains)."""
    started = time.time()
    docs = [d for d in load_html_docs(sources) if d.site not in drop_sites]
    train_docs = [d for d in docs if d.split == "train"]
    dev_docs = [d for d in docs if d.split == "dev"]
    print(f"train: {len(train_docs)} pages, {len({d.site for d in train_docs})} sites; "
          f"dev: {len(dev_docs)} pages, {len({d.site for d in dev_docs})} sites", flush=True)
    final_docs, context, tuned = tune(train_docs + dev_docs if refit_on_dev else train_docs)
    print(f"thresholds and margins chosen in {time.time() - started:.0f} s", flush=True)
    fitted = fit(final_docs, context=context)
    _, y, _ = stack(final_docs)
    meta = {
        "sklearn_version": sklearn.__version__,
        "sources": list(sources),
        "fitted_on": "train+dev sites" if refit_on_dev else "train sites",
        "cv_folds": CV_FOLDS,
        "pages": dict(Counter(d.source for d in final_docs)),
        "sites": len({d.site for d in final_docs}),
        "label_counts": dict(sorted(Counter(label for label in y if label).items())),
        "label_mapping": fitted.mapping,
        "tree_params": TREE_PARAMS,
        "kind_params": KIND_PARAMS,
        "other_share": OTHER_SHARE,
        "label_weights": LABEL_WEIGHTS,
        "balance_power": BALANCE_POWER,
        **tuned,
    }
    model = to_model(fitted, meta)
    X_check = np.vstack([d.X for d in dev_docs[:50]])
    diff = check_same(model, fitted, X_check)
    if diff > 1e-6:
        raise RuntimeError(f"array model differs from scikit-learn's by {diff}")
    data = model.to_bytes()
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / BLOCK_MODEL_FILE
    path.write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    (out_dir / BLOCK_CHECKSUM_FILE).write_text(f"{digest}  {BLOCK_MODEL_FILE}\n", encoding="ascii")
    (out_dir / "block_model.meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {path} ({len(data) / 1e6:.2f} MB, sha256 {digest[:12]}, max diff to sklearn {diff:.1e}) "
          f"in {time.time() - started:.0f} s", flush=True)
    return meta


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-refit", action="store_true", help="ship the model fitted on train sites only")
    args = parser.parse_args()
    train(refit_on_dev=not args.no_refit)


if __name__ == "__main__":
    main()

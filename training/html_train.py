"""Train the block model from both HTML sources and write it into the package.

    python -m training.html_train        # what `make train-html` runs

Two gradient-boosted tree ensembles over the block features (cleaner/blocks.py), fitted on
train-split sites: `body` (body or not, every labelled block) and `kind` (what a labelled
block that is not body is: title, byline, caption, related, comment, other...). The
threshold on P(body) is chosen on dev-split sites (the sum of the L3S shingle F1 and the
modern pages' snippet F1); the shipped model is then refitted on train + dev sites with
that threshold. Test-split sites are never read here. Deterministic: fixed seeds, no early
stopping on a random split, a seeded sample of the "other" blocks for the kind model.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from collections import Counter
from dataclasses import dataclass

import numpy as np
import sklearn
from sklearn.ensemble import HistGradientBoostingClassifier

from cleaner._trees import Forest
from cleaner.block_model import BLOCK_CHECKSUM_FILE, BLOCK_MODEL_FILE, MODEL_DIR, BlockModel
from cleaner.blocks import block_feature_names
from training.html_data import SOURCES, HtmlDoc, load_html_docs
from training.html_metrics import snippet_scores, text_scores

RANDOM_STATE = 0
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
THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.2, 0.71, 0.05))


def stack(docs: list[HtmlDoc]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows of every block, their labels ("" = unlabelled) and the document of each row."""
    X = np.vstack([d.X for d in docs]) if docs else np.zeros((0, len(block_feature_names())))
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
    body: HistGradientBoostingClassifier
    kind: HistGradientBoostingClassifier
    mapping: dict[str, str]


def fit(docs: list[HtmlDoc]) -> Fitted:
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
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=THREADS):
        body = HistGradientBoostingClassifier(**TREE_PARAMS)
        body.fit(X[rows], (target[rows] == "body"), sample_weight=w[rows])
        rest = rows[target[rows] != "body"]
        kind = HistGradientBoostingClassifier(**KIND_PARAMS)
        kind.fit(X[rest], target[rest].astype(str), sample_weight=w[rest])
    return Fitted(body=body, kind=kind, mapping=mapping)


def to_model(fitted: Fitted, meta: dict) -> BlockModel:
    if list(fitted.body.classes_) != [False, True]:
        raise RuntimeError(f"body model classes are {fitted.body.classes_}, not [False, True]")
    return BlockModel(
        body=Forest.from_estimator(fitted.body),
        kind=Forest.from_estimator(fitted.kind),
        kinds=np.array([str(c) for c in fitted.kind.classes_], dtype=object),
        feature_names=block_feature_names(),
        meta=meta,
    )


def check_same(model: BlockModel, fitted: Fitted, X: np.ndarray) -> float:
    """Largest difference between the array model's and scikit-learn's probabilities."""
    if not X.shape[0]:
        return 0.0
    names = model.feature_names
    body = np.abs(model.body_proba(X, names) - fitted.body.predict_proba(X)[:, 1]).max()
    kind = np.abs(model.kind_proba(X, names) - fitted.kind.predict_proba(X)).max()
    return float(max(body, kind))


def body_outputs(docs: list[HtmlDoc], body_proba: np.ndarray, threshold: float) -> list[str]:
    """Each page's kept text: its blocks with P(body) >= threshold, one a line."""
    out, start = [], 0
    for d in docs:
        p = body_proba[start:start + len(d.texts)]
        out.append("\n".join(t for t, keep in zip(d.texts, p >= threshold, strict=True) if keep))
        start += len(d.texts)
    return out


def dev_scores(docs: list[HtmlDoc], body_proba: np.ndarray, threshold: float) -> dict:
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


def threshold_table(dev: list[HtmlDoc], body_proba: np.ndarray) -> tuple[float, dict]:
    """The dev scores at every threshold, and the one with the best sum of dev L3S F1 and
    dev snippet F1 (the nearer to 0.5 on a tie)."""
    table = {t: dev_scores(dev, body_proba, t) for t in THRESHOLDS}
    best = max(THRESHOLDS, key=lambda t: (table[t]["l3s"]["f1"] + table[t]["modern"]["f1"], -abs(t - 0.5)))
    return best, table


def tune(fitted: Fitted, dev: list[HtmlDoc]) -> tuple[float, dict]:
    """The P(body) threshold with the best sum of dev L3S F1 and dev snippet F1."""
    X, _, _ = stack(dev)
    best, table = threshold_table(dev, fitted.body.predict_proba(X)[:, 1])
    for t in THRESHOLDS:
        s = table[t]
        print(f"  threshold {t:.2f}: L3S F1 {s['l3s']['f1']:.4f} (tokens {s['l3s_tokens']['f1']:.4f}), "
              f"snippet F1 {s['modern']['f1']:.4f}{'  <- best' if t == best else ''}", flush=True)
    return best, table[best]


def train(sources: tuple[str, ...] = SOURCES, refit_on_dev: bool = True) -> dict:
    started = time.time()
    docs = load_html_docs(sources)
    train_docs = [d for d in docs if d.split == "train"]
    dev_docs = [d for d in docs if d.split == "dev"]
    print(f"train: {len(train_docs)} pages, {len({d.site for d in train_docs})} sites; "
          f"dev: {len(dev_docs)} pages, {len({d.site for d in dev_docs})} sites", flush=True)
    fitted = fit(train_docs)
    print(f"fitted on train in {time.time() - started:.0f} s; kinds {list(fitted.kind.classes_)}", flush=True)
    threshold, dev = tune(fitted, dev_docs)
    final_docs = train_docs + dev_docs if refit_on_dev else train_docs
    if refit_on_dev:
        fitted = fit(final_docs)
    _, y, _ = stack(final_docs)
    meta = {
        "sklearn_version": sklearn.__version__,
        "sources": list(sources),
        "fitted_on": "train+dev sites" if refit_on_dev else "train sites",
        "pages": dict(Counter(d.source for d in final_docs)),
        "sites": len({d.site for d in final_docs}),
        "label_counts": dict(sorted(Counter(label for label in y if label).items())),
        "label_mapping": fitted.mapping,
        "tree_params": TREE_PARAMS,
        "kind_params": KIND_PARAMS,
        "other_share": OTHER_SHARE,
        "label_weights": LABEL_WEIGHTS,
        "balance_power": BALANCE_POWER,
        "body_threshold": threshold,
        "dev_scores_train_only_model": dev,
    }
    model = to_model(fitted, meta)
    X_check = np.vstack([d.X for d in dev_docs[:50]])
    diff = check_same(model, fitted, X_check)
    if diff > 1e-6:
        raise RuntimeError(f"array model differs from scikit-learn's by {diff}")
    data = model.to_bytes()
    path = MODEL_DIR / BLOCK_MODEL_FILE
    path.write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    (MODEL_DIR / BLOCK_CHECKSUM_FILE).write_text(f"{digest}  {BLOCK_MODEL_FILE}\n", encoding="ascii")
    (MODEL_DIR / "block_model.meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
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

"""Train the line model from ../shared/data and write it into the package.

    python -m training.train            # what `make train` runs

Two passes of gradient-boosted trees: the first labels lines from their own and their
neighbours' features; the second also sees the first pass's probabilities for the
neighbouring lines. The second pass is trained on first-pass probabilities predicted
out-of-fold (folds by site), so it learns how the first pass errs on unseen sites, and
predicted as the shipped model predicts them, cascade included (`CASCADE`). The wording
model, one of whose scores is a feature of both passes, is trained here too, its scores of
the training lines predicted out of fold in the same way (`training/wording.py`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from collections import Counter
from pathlib import Path

import joblib
import numpy as np
import sklearn
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import GroupKFold

from cleaner import features, wording
from cleaner._trees import Forest
from cleaner.model import (
    CHECKSUMS_FILE,
    LINE_MODEL_ARRAYS,
    LINE_MODEL_FILE,
    MODEL_DIR,
    Cascade,
    LineModel,
    first_pass_proba,
)
from training.dataset import SOURCES, Matrix, build_matrix, load_docs
from training.docs import LabelledDoc
from training.wording import WORDING_C, train_wording

RANDOM_STATE = 0
FOLDS = 3
#: Rows of a (source, shape) pair are weighted by (total / rows of the pair) ** this, so
#: that the many boilerplate lines of whole pages do not drown the article-shaped sources.
BALANCE_POWER = 0.5
#: Per-label weights: losing article text is worse than keeping a boilerplate line. (Weighting
#: the rare standfirst up made the model read a story's first paragraph as one: seed 000.)
LABEL_WEIGHTS = {"body": 1.5}
#: Size chosen on dev sites, for speed at equal accuracy: 120 iterations score as 60 (and 30
#: of 15 leaves as 120 of 31 on the old sources, reports/model_size.md); with modern pages in
#: training, 60 of 31 keep more body lines of whole pages than 30 of 15. Fewer iterations at a
#: higher rate walk fewer trees but lose clean text (`make cv`, pooled over three site folds,
#: before `REVISED_WEIGHT`): 40 at 0.18, with the cascade's exits at 7 and 14, walk 27 %
#: fewer (row, tree) pairs, yet body recall of cleaned FakeNewsCorpus texts falls from 0.835
#: to 0.827 at a body weight of 1.5 and to 0.827 / 0.825 at 1.6 / 1.75 (which restore modern
#: `with` snippets, 0.965 / 0.969 against 0.967, and give up modern whole-page `without`
#: removal, 0.762 / 0.749 against 0.773); 40 of 47 leaves fall to 0.823; 30 at 0.24 halve the
#: pairs and fall to 0.803, and keep 0.955 of the modern `with` snippets.
TREE_PARAMS = dict(
    max_iter=60,
    learning_rate=0.12,
    max_leaf_nodes=31,
    min_samples_leaf=40,
    l2_regularization=1.0,
    early_stopping=False,
    random_state=RANDOM_STATE,
)


#: The line model's cascade (cleaner/model.py: Cascade), chosen for speed at equal accuracy
#: (site-fold cross-validation over the train and dev sites: the same figures as one exit at
#: 20 iterations, within the folds' noise). With 15 classes no line is 95 % sure before
#: iteration 10; there most lines of articles are, and by 20 most of those of whole pages. The
#: second pass changes almost no line the first is 95 % sure of; it is still trained on every
#: line (on the lines it revises alone, some classes have no example left), those weighing
#: more (`REVISED_WEIGHT`). Revising below 0.90 instead (stop 30, `make cv` pooled, paired
#: site bootstrap): nothing moved beyond chance, but figures of article text kept leaned down
#: (modern extract `with` -0.004 [-0.009, +0.001], cleaned FakeNewsCorpus recall -0.010
#: [-0.036, +0.004]) for 2 % more documents per CPU-second (fold 0's models, paired runs on
#: the benchmark's articles): not kept.
#: A binary gate ahead of the first pass (stop 33, branch `gate`): body or not, 20 iterations
#: at 0.2, a line it is sure is body skipping the 15-class trees. At 0.95 it let through 87 % of
#: the benchmark's article lines, and bench/profile_text went from 1,143 to 1,299 documents
#: per CPU-second (paired runs). `make cv` against this configuration, both dealings: at 0.95,
#: L3S page body F1 -0.019 [-0.035, -0.003] (dealing 1), modern page `without` -0.013; at 0.98,
#: cleaned L3S recall -0.004 [-0.010, -0.000] and -0.005 [-0.013, -0.000], cleaned
#: FakeNewsCorpus recall -0.009 [-0.018, -0.002], modern extract `with` -0.003: article text
#: lost, not kept. A gated line shows the second pass its body probability and nothing of
#: which other class it might be; many of the lines it newly kept on L3S pages were comments.
CASCADE = {"exits": [[10, 0.95], [20, 0.95]], "revise_below": 0.95}
_CASCADE = Cascade.from_meta({"cascade": CASCADE})
#: The second pass sees only the lines the first is less than `revise_below` sure of; it is
#: trained on every line, but these weigh this many times more, so that it spends its trees
#: where it is asked. Chosen by `make cv` against 1 (the decision rule written before the
#: run: no figure more than 0.005 worse, `without` no more than 0.02 worse, one figure 0.005
#: better), pooled: modern extract `with` / `without` 0.968 / 0.295 against 0.967 / 0.279,
#: whole pages 0.902 / 0.781 against 0.902 / 0.773, L3S extract text F1 0.955 against 0.952,
#: L3S page body F1 0.847 against 0.842; cleaned L3S recall 0.974 against 0.978 (0.944 against
#: 0.966 in one fold), cleaned FakeNewsCorpus 0.836 against 0.835, FakeNewsCorpus F1 0.845
#: against 0.848.
REVISED_WEIGHT = 3.0


def config() -> dict:
    """The settings a model is trained with, as its meta records them."""
    return {
        "tree_params": TREE_PARAMS,
        "label_weights": LABEL_WEIGHTS,
        "cascade": CASCADE,
        "revised_weight": REVISED_WEIGHT,
        "wording_c": WORDING_C,
    }


def _estimator() -> HistGradientBoostingClassifier:
    return HistGradientBoostingClassifier(**TREE_PARAMS)


def row_weights(docs: list[LabelledDoc], m: Matrix) -> np.ndarray:
    keys = np.array([f"{docs[i].source}|{docs[i].shape}" for i in m.doc_index], dtype=object)
    lab = m.labelled
    counts = Counter(keys[lab])
    total = sum(counts.values())
    w = np.array([(total / counts[k]) ** BALANCE_POWER if k in counts else 0.0 for k in keys])
    w = w * np.array([LABEL_WEIGHTS.get(label, 1.0) for label in m.y])
    return w / w[lab].mean()


def _first_pass_proba(est: HistGradientBoostingClassifier, X: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """First-pass probabilities as the shipped model computes them (cascade included), in the
    column order of `classes`, zero for a class the fold never saw."""
    out = np.zeros((X.shape[0], classes.size))
    cols = np.searchsorted(classes, est.classes_)
    out[:, cols] = first_pass_proba(Forest.from_estimator(est), X, _CASCADE)
    return out


def out_of_fold_proba(docs: list[LabelledDoc], m: Matrix, w: np.ndarray, classes: np.ndarray) -> np.ndarray:
    groups = np.array([docs[i].group for i in m.doc_index], dtype=object)
    proba = np.zeros((m.X.shape[0], classes.size))
    lab = m.labelled
    for k, (fit_rows, held_rows) in enumerate(GroupKFold(n_splits=FOLDS).split(m.X, groups=groups)):
        fit_rows = fit_rows[lab[fit_rows]]
        est = _estimator().fit(m.X[fit_rows], m.y[fit_rows].astype(str), sample_weight=w[fit_rows])
        proba[held_rows] = _first_pass_proba(est, m.X[held_rows], classes)
        print(f"  fold {k + 1}/{FOLDS}: fitted on {fit_rows.size} lines", flush=True)
    return proba


def train(
    sources: tuple[str, ...] = SOURCES, out_dir: Path = MODEL_DIR, docs: list[LabelledDoc] | None = None
) -> dict:
    """Fit both passes on the train-split documents of `sources` (or on `docs`, as given:
    cross-validation's folds) and write the model files into `out_dir`."""
    started = time.time()
    if docs is None:
        docs = [d for d in load_docs(sources) if d.split == "train"]
    with wording.using(None):  # the `wording` column is filled out of fold below
        m = build_matrix(docs)
    lab = m.labelled
    y = m.y[lab].astype(str)
    classes = np.unique(y)
    w = row_weights(docs, m)
    print(f"training on {len(docs)} documents, {int(lab.sum())} labelled lines, "
          f"{len({d.group for d in docs})} groups; classes {list(classes)}", flush=True)

    groups, splits = {d.group for d in docs}, {d.split for d in docs}
    hand = [d for d in load_docs(("modern-hand",)) if d.group in groups and d.split in splits]
    m, words = train_wording(docs, m, w, FOLDS, hand)
    oof = out_of_fold_proba(docs, m, w, classes)
    X2 = features.second_pass_features(m.X, oof, m.offsets)
    first = _estimator().fit(m.X[lab], y, sample_weight=w[lab])
    revised = _CASCADE.revises(oof)
    second = _estimator().fit(X2[lab], y, sample_weight=(w * np.where(revised, REVISED_WEIGHT, 1.0))[lab])
    if not np.array_equal(first.classes_, classes) or not np.array_equal(second.classes_, classes):
        raise RuntimeError("both passes must know the same classes")

    meta = {
        "sklearn_version": sklearn.__version__,
        "sources": list(sources),
        "train_documents": len(docs),
        "train_lines": int(lab.sum()),
        "label_counts": dict(sorted(Counter(y).items())),
        "documents_by_source": dict(sorted(Counter(f"{d.source}|{d.shape}" for d in docs).items())),
        "wording_hand_labelled_documents": len(hand),
        **config(),
    }
    bundle = {
        "labels": [str(c) for c in classes],
        "first": first,
        "second": second,
        "feature_names": list(features.FEATURE_NAMES),
        "meta": meta,
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / LINE_MODEL_FILE
    joblib.dump(bundle, path, compress=3)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    # The same trees as plain arrays: what the package loads (no unpickling, no scikit-learn).
    arrays = LineModel.from_bundle(bundle).to_arrays()
    (out_dir / LINE_MODEL_ARRAYS).write_bytes(arrays)
    wording_bytes = wording.to_bytes(words)
    (out_dir / wording.WORDING_FILE).write_bytes(wording_bytes)
    (out_dir / CHECKSUMS_FILE).write_text(
        f"{digest}  {LINE_MODEL_FILE}\n{hashlib.sha256(arrays).hexdigest()}  {LINE_MODEL_ARRAYS}\n"
        f"{hashlib.sha256(wording_bytes).hexdigest()}  {wording.WORDING_FILE}\n",
        encoding="ascii",
    )
    (out_dir / "line_model.meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB, sha256 {digest[:12]}) "
          f"in {time.time() - started:.0f} s", flush=True)
    return meta


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sources", default=",".join(SOURCES),
                        help=f"comma-separated, from {', '.join(SOURCES)}")
    parser.add_argument("--out", type=Path, default=MODEL_DIR,
                        help="directory to write the model into (default: the package's)")
    args = parser.parse_args()
    train(tuple(s for s in args.sources.split(",") if s), args.out)


if __name__ == "__main__":
    main()

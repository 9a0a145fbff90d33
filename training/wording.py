"""Train the wording model (cleaner/wording.py) beside the line model.

The wording model is a logistic regression from a short line's hashed n-grams to whether it
is body, fitted on the labelled short lines of the line model's training documents. The
line model learns how far to trust its score; trusting the score of a line the wording model
was fitted on would teach it too much trust, so the `wording` column of the training matrix
holds scores predicted out of fold (the same folds by site as the first pass's), and the
shipped wording model is fitted on every line afterwards.

Chosen by the cross-validation rule (`training/crossval.py`; stop 31, `make cv` against the
model without it, paired site bootstrap, 95 % intervals). Dealing 0: modern extractor
output's `without` removed +0.039 [+0.007, +0.073], whole pages' `with` kept +0.018 [+0.009,
+0.026], L3S whole-page text F1 +0.005 [+0.001, +0.008]. Dealing 1: whole pages' `with`
+0.022 [+0.014, +0.030], L3S whole-page text F1 +0.005 [+0.001, +0.009] and body F1 +0.020
[+0.005, +0.038]. No figure worse beyond chance on either; leaning down, within chance: body
recall of hand-labelled extractor lines -0.011 / -0.015 (one list of singers' names,
hearya.com, loses 83 lines) and of their clean texts -0.011 / -0.012.

Scoring every line, not only the short ones (a long one on its first 200 characters: `MAX_CHARS`),
was measured against this by the same rule and not kept: better beyond chance on one figure
a dealing and not the same one (L3S whole-page text F1 +0.005 [+0.001, +0.009] on dealing 0,
+0.003 [-0.000, +0.006] on 1; cleaned L3S recall +0.011 [+0.002, +0.026] on dealing 1,
+0.004 on 0), cleaned FakeNewsCorpus recall leaning down on both (-0.017 [-0.035, +0.006],
-0.010 [-0.025, +0.000]), and every line hashed instead of the short ones.

Since stop 31 the wording model also learns from the hand-labelled lines of extractor output
of the same sites (`training/annotations/modern/`; `make train` reads the train split's,
never a test site's; cross-validation a fold's training sites'): the snippets label few short
lines of modern extractor output (1,319 on the train sites), the hand labels 5,140 more. Out
of fold its AUC there rose from 0.808 to 0.832 (whole pages 0.822 to 0.836). By the rule,
against the wording model without them: better beyond chance on both dealings, body recall
of hand-labelled extractor lines +0.030 [+0.010, +0.054] / +0.029 [+0.015, +0.045], of their
clean texts +0.027 / +0.026, L3S whole-page body F1 +0.013 / +0.016; besides, on dealing 0
whole pages' `with` +0.013, on dealing 1 modern extract `with` +0.007 [+0.003, +0.012], L3S
page text F1 +0.005 and cleaned L3S recall +0.009. Nothing worse beyond chance; leaning down:
modern extract `without` -0.014 / -0.025 [-0.058, +0.005], L3S extractor output's text F1
-0.006 [-0.015, +0.000] / -0.004.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from cleaner import features
from cleaner.clickbait import HeadlineModel, headline_model, margins, normalise
from training.clickbait import matrix
from training.dataset import Matrix
from training.docs import LabelledDoc
from training.modern import SOURCE as MODERN_SOURCE

#: Inverse regularisation of the logistic regression (plain term frequencies, l2-normalised),
#: chosen by the out-of-fold AUC of its score on the short labelled lines of the train sites:
#: 0.912 / 0.923 / 0.934 / 0.937 / 0.939 at C = 0.1 / 0.25 / 1 / 2 / 4 (modern extractor
#: output 0.756 / 0.777 / 0.802 / 0.808 / 0.812).
WORDING_C = 2.0
RANDOM_STATE = 0
_WORDING = features.BASE_NAMES.index("wording")


def short_rows(m: Matrix) -> np.ndarray:
    """Rows the wording model scores: non-blank lines of headline length (`_headline_columns`)."""
    blank = m.X[:, features.BASE_NAMES.index("blank")] > 0
    return np.flatnonzero(~blank & features.headline_length(m.X[:, features.BASE_NAMES.index("log_words")]))


def fit(texts: list[str], is_body: np.ndarray, weights: np.ndarray) -> HeadlineModel:
    """A wording model of the lines given; a line repeated (menus) counts once, weights summed."""
    settings = headline_model().settings
    merged: dict[tuple[str, bool], float] = defaultdict(float)
    for text, body, weight in zip(texts, is_body.tolist(), weights.tolist(), strict=True):
        merged[(normalise(text, settings.lowercase), body)] += weight
    keys = list(merged)
    X = matrix([text for text, _ in keys], settings, np.ones(settings.n_features))
    y = np.array([body for _, body in keys], dtype=int)
    w = np.array([merged[k] for k in keys])
    est = LogisticRegression(C=WORDING_C, solver="liblinear", dual=True, max_iter=1000,
                             random_state=RANDOM_STATE)
    est.fit(X, y, sample_weight=w / w.mean())
    coef = est.coef_.ravel().astype(np.float32).astype(np.float64)  # as shipped
    return HeadlineModel(settings, coef, np.ones_like(coef), float(est.intercept_[0]), (1.0, 0.0))


def scores(model: HeadlineModel, texts: list[str]) -> np.ndarray:
    """The wording model's body probability of each line, as the feature computes it."""
    return model.probability(margins((headline_model(), model), texts)[1])


def hand_lines(docs: list[LabelledDoc], hand: list[LabelledDoc], m: Matrix, w: np.ndarray
               ) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """(text, body?, weight, group) of the labelled lines of at most `HEADLINE_MAX_WORDS`
    words (split on spaces) of hand-labelled extractor output; each weighs what the training
    matrix gives a labelled line of modern extractor output of its class (the median)."""
    keys = np.array([f"{docs[i].source}|{docs[i].shape}" for i in m.doc_index], dtype=object)
    extract = m.labelled & (keys == f"{MODERN_SOURCE}|extract")
    weight_of = {body: float(np.median(w[rows])) if rows.any() else 1.0
                 for body in (True, False) for rows in [extract & ((m.y == "body") == body)]}
    texts, body, weight, group = [], [], [], []
    for doc in hand:
        for line, label in zip(doc.lines, doc.labels, strict=True):
            text = line.strip()
            if not text or label in (None, "blank") or len(text.split()) > features.HEADLINE_MAX_WORDS:
                continue
            texts.append(text)
            body.append(label == "body")
            weight.append(weight_of[label == "body"])
            group.append(doc.group)
    return texts, np.array(body, dtype=bool), np.array(weight), np.array(group, dtype=object)


def train_wording(
    docs: list[LabelledDoc], m: Matrix, w: np.ndarray, folds: int, hand: list[LabelledDoc] = ()
) -> tuple[Matrix, HeadlineModel]:
    """The matrix with its `wording` column predicted out of fold (and the features that read
    it recomputed), and the wording model fitted on every labelled short line (and on those
    of `hand`, hand-labelled extractor output of the same sites)."""
    lines = [line.strip() for doc in docs for line in doc.lines]
    groups = np.array([docs[i].group for i in m.doc_index], dtype=object)
    is_short = np.zeros(m.X.shape[0], dtype=bool)
    is_short[short_rows(m)] = True
    fit_mask = is_short & m.labelled & (w > 0)
    is_body = m.y == "body"
    h_text, h_body, h_weight, h_group = hand_lines(docs, list(hand), m, w)
    column = m.X[:, _WORDING].copy()
    for k, (fit_rows, held_rows) in enumerate(GroupKFold(n_splits=folds).split(m.X, groups=groups)):
        held_groups = set(groups[held_rows].tolist())
        h_fit = [i for i, g in enumerate(h_group.tolist()) if g not in held_groups]
        fit_rows = fit_rows[fit_mask[fit_rows]]
        held_rows = held_rows[is_short[held_rows]]
        model = fit([lines[i] for i in fit_rows] + [h_text[i] for i in h_fit],
                    np.concatenate([is_body[fit_rows], h_body[h_fit]]),
                    np.concatenate([w[fit_rows], h_weight[h_fit]]))
        column[held_rows] = scores(model, [lines[i] for i in held_rows])
        print(f"  wording fold {k + 1}/{folds}: fitted on {fit_rows.size} + {len(h_fit)} lines", flush=True)
    rows = np.flatnonzero(fit_mask)
    model = fit([lines[i] for i in rows] + h_text, np.concatenate([is_body[rows], h_body]),
                np.concatenate([w[rows], h_weight]))
    base = m.X[:, : len(features.BASE_NAMES)].copy()
    base[:, _WORDING] = column
    X = features.features_from_base(base, np.diff(m.offsets).tolist())
    return Matrix(X=X, offsets=m.offsets, y=m.y, doc_index=m.doc_index), model

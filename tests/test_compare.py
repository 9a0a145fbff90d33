"""The paired comparison counts as the evaluation counts, and its intervals resample sites."""

import numpy as np

from training import evaluate as ev
from training.compare import body_counts, compare, doc_stats
from training.crossval import COLUMNS
from training.docs import LabelledDoc

F1_COLUMN = next(c for c in COLUMNS if c.kind == "f1")
N_SITES = 40


def _doc(labels: list[str | None]) -> LabelledDoc:
    return LabelledDoc(doc_id="d", site="a.example", url="", shape="article",
                       lines=[f"line {i}" for i in range(len(labels))], labels=labels)


def test_body_counts_are_those_of_the_evaluations_line_scores():
    doc = _doc(["body", "body", "other", None, "title", "body"])
    pred = ["body", "other", "body", "body", "title", "caption"]
    tp, fp, fn = body_counts(doc, pred)
    scores = ev.line_scores([doc], [pred])["body"]
    assert (tp, fp, fn) == (1, 1, 2)  # the unlabelled line counts for nothing
    assert scores["precision"] == round(tp / (tp + fp), 4) and scores["recall"] == round(tp / (tp + fn), 4)


def test_text_stats_leave_out_a_document_without_a_human_text():
    doc = _doc(["body"])
    stats = doc_stats(next(c for c in COLUMNS if c.kind == "text"), doc, ["body"], gold_text={})
    assert stats == [0.0, 0.0, 0.0, 1, 0, 0]


def _sums(per_site: list[tuple[int, int, int]]) -> dict[str, np.ndarray]:
    return {F1_COLUMN.title: np.array(per_site, dtype=float)}


def test_the_same_predictions_differ_by_nothing():
    base = _sums([(8, 2, 1)] * N_SITES)
    (row,) = compare(base, base, N_SITES, resamples=200)
    assert row.base == row.other and row.low == row.high == 0.0


def test_a_gain_spread_over_every_site_is_told_apart_from_chance():
    base = _sums([(8, 2, 2)] * N_SITES)
    other = _sums([(9, 2, 1)] * N_SITES)
    (row,) = compare(base, other, N_SITES, resamples=500)
    assert row.low > 0


def test_a_gain_on_one_site_alone_is_not():
    base = _sums([(8, 2, 2)] * N_SITES)
    other = _sums([(8, 2, 2)] * (N_SITES - 1) + [(40, 2, 2)])
    (row,) = compare(base, other, N_SITES, resamples=500)
    assert row.other > row.base and row.low <= 0 < row.high

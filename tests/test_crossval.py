"""Cross-validation deals whole sites into folds, never reads the test split, and pools folds."""

import json
import os
import subprocess
import sys

import pytest

from training.crossval import COLUMNS, FOLDS, fold_of, fold_split, pooled
from training.docs import LabelledDoc


def _doc(site: str, split: str, n: int = 0) -> LabelledDoc:
    return LabelledDoc(doc_id=f"{site}/{n}", site=site, url="", shape="page",
                       lines=["x"], labels=["body"], split=split)


@pytest.fixture
def docs() -> list[LabelledDoc]:
    sites = [f"site{i}.example" for i in range(40)]
    return [_doc(site, split, n) for site in sites for split in ("train", "dev", "test") for n in range(2)]


def test_each_tuning_document_is_held_out_in_exactly_one_fold(docs):
    held = [d.doc_id + d.split for k in range(FOLDS) for d in fold_split(docs, k)[1]]
    tuning = [d.doc_id + d.split for d in docs if d.split != "test"]
    assert sorted(held) == sorted(tuning)


def test_a_site_is_never_on_both_sides_of_a_fold(docs):
    for k in range(FOLDS):
        train, held = fold_split(docs, k)
        assert not {d.group for d in train} & {d.group for d in held}
        assert train and held


def test_test_split_documents_are_in_no_fold(docs):
    for k in range(FOLDS):
        assert all(d.split != "test" for side in fold_split(docs, k) for d in side)


def test_fold_of_is_the_same_in_another_process():
    # sha1, not Python's salted hash: the same folds on every run, so results stay comparable.
    code = "from training.crossval import fold_of; print([fold_of(f'site{i}.example') for i in range(12)])"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.strip() == str([fold_of(f"site{i}.example") for i in range(12)])


def test_unknown_fold_is_refused(docs):
    with pytest.raises(ValueError):
        fold_split(docs, FOLDS)


def _report(with_kept: int, with_present: int, documents: int, recall: float) -> dict:
    snippets = {"with_kept": with_kept, "with_present": with_present,
                "without_removed": 1, "without_present": 4}
    modern = {"snippets": {"body": {"all": snippets}}}
    cleaned = {"body": {"recall": recall}}
    return {"groups": {
        "modern|extract": {"documents": documents, "systems": {"cleaner": modern}},
        "cleaned L3S-GN1|clean": {"documents": documents, "systems": {"cleaner": cleaned}},
    }}


def test_pooled_counts_snippets_over_folds_and_weights_recall_by_documents():
    figures = pooled([_report(9, 10, documents=1, recall=1.0), _report(1, 10, documents=3, recall=0.6)])
    assert figures["modern extract with/without"] == pytest.approx((0.5, 0.25))
    assert figures["cleaned L3S recall"] == pytest.approx(((1.0 * 1 + 0.6 * 3) / 4,))
    assert len(figures) == 2 and len(COLUMNS) > 2  # columns no report has are left out


def test_a_fold_directory_of_another_configuration_is_not_reused(tmp_path):
    from training.crossval import run_fold

    (tmp_path / "fold_0").mkdir()
    (tmp_path / "fold_0" / "line_model.meta.json").write_text(
        '{"tree_params": {"max_iter": 1}, "label_weights": {}, "cascade": null}', encoding="utf-8"
    )
    with pytest.raises(SystemExit, match="another configuration"):
        run_fold(0, tmp_path)


def test_report_lists_each_fold_and_their_pooled_figures(tmp_path):
    from training.crossval import report

    for k, (kept, docs) in enumerate(((9, 1), (1, 3))):
        fold = tmp_path / f"fold_{k}"
        fold.mkdir()
        (fold / "cv_eval.json").write_text(json.dumps(_report(kept, 10, docs, 1.0)), encoding="utf-8")
        (fold / "line_model.meta.json").write_text('{"cascade": null}', encoding="utf-8")
    text = report(tmp_path)
    rows = [line for line in text.splitlines() if line.startswith("| fold_") or line.startswith("| pooled")]
    assert [row.split(" | ")[3] for row in rows] == ["0.900/0.250", "0.100/0.250", "0.500/0.250"]


def test_another_dealing_deals_the_sites_anew_but_keeps_each_site_in_one_fold(docs):
    moved = sum(fold_of(d.group) != fold_of(d.group, dealing=1) for d in docs)
    assert 0 < moved < len(docs)
    for k in range(FOLDS):
        train, held = fold_split(docs, k, dealing=1)
        assert not {d.group for d in train} & {d.group for d in held}
        assert all(d.split != "test" for d in train + held)

"""Two line-model configurations scored on the same held-out sites, each difference with an interval.

    python -m training.compare build/cv build/cv-b [build/cv-c ...] [--resamples 2000] [--dealing N]

`python -m training.crossval --summary` pools each configuration's folds, but two
configurations a point apart may differ by chance: a few FakeNewsCorpus pages move that
group's F1 by three points between two trainings. This scores every configuration's fold
models on the same held-out documents as the first one's, and resamples the held-out sites
(the unit the folds are dealt by) with replacement: each figure's difference gets a 95 %
interval. A difference whose interval holds 0 is one these sites cannot tell from chance.

The figures are those of `crossval.COLUMNS`, computed over all folds' documents at once (the
`--summary` table averages the folds' figures, weighted by documents, instead: the two
differ by up to five points for the small FakeNewsCorpus groups, whose folds hold a few
documents of very unequal length). The test sites are never read.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from training import evaluate as ev
from training.crossval import COLUMNS, FOLD_DIR, FOLDS, Column, dealing_of, fold_split
from training.dataset import EVAL_SOURCES, load_docs
from training.docs import LabelledDoc

#: Resamples of the held-out sites.
RESAMPLES = 2000
#: The interval's coverage.
CONFIDENCE = 0.95
SEED = 20261205


# --- per-document counts -------------------------------------------------------------------


def body_counts(doc: LabelledDoc, pred: list[str]) -> tuple[int, int, int]:
    """(tp, fp, fn) of `body` over the doc's labelled non-blank lines, as `line_scores` counts."""
    tp, fp, fn, _ = ev.label_counts([doc], [pred])
    return tp["body"], fp["body"], fn["body"]


def doc_stats(col: Column, doc: LabelledDoc, pred: list[str], gold_text: dict[str, str]) -> list[float]:
    """What one document adds to a column's figures (summed over documents, then `figures`)."""
    if col.kind == "snippets":
        from training.modern import doc_snippet_counts

        c = doc_snippet_counts(doc, [label == "body" for label in pred])  # type: ignore[arg-type]
        return [c["with_kept"], c["with_present"], c["without_removed"], c["without_present"]]
    counts = list(body_counts(doc, pred))
    if col.kind != "text":
        return counts
    text = ev.text_scores([doc], [pred], gold_text) if gold_text.get(doc.doc_id, "").strip() else None
    if not text or not text["documents"]:
        return [0.0, 0.0, 0.0, *counts]  # no human text to score against: as `text_scores` skips it
    return [text["precision"], text["recall"], 1.0, *counts]


def _ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.divide(a, b, out=np.zeros_like(a, dtype=float), where=b > 0)


def _f1(p: np.ndarray, r: np.ndarray) -> np.ndarray:
    return _ratio(2 * p * r, p + r)


def _body_f1(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray) -> np.ndarray:
    return _ratio(2 * tp, 2 * tp + fp + fn)


#: Per column kind: (figure name suffix, function of the summed stats (..., k) -> (...)).
FIGURES: dict[str, list[tuple[str, Callable[[np.ndarray], np.ndarray]]]] = {
    "snippets": [("with kept", lambda s: _ratio(s[..., 0], s[..., 1])),
                 ("without removed", lambda s: _ratio(s[..., 2], s[..., 3]))],
    "text": [("text F1", lambda s: _f1(_ratio(s[..., 0], s[..., 2]), _ratio(s[..., 1], s[..., 2]))),
             ("body F1", lambda s: _body_f1(s[..., 3], s[..., 4], s[..., 5]))],
    "recall": [("body recall", lambda s: _ratio(s[..., 0], s[..., 0] + s[..., 2]))],
    "f1": [("body F1", lambda s: _body_f1(s[..., 0], s[..., 1], s[..., 2]))],
}


# --- comparison ----------------------------------------------------------------------------


@dataclass
class Row:
    figure: str
    base: float
    other: float
    low: float  # the interval of other - base
    high: float


def site_sums(
    docs: list[LabelledDoc], preds: list[list[str]], sites: dict[str, int]
) -> dict[str, np.ndarray]:
    """Per column title: the documents' stats summed per site, (sites, k)."""
    gold_text = ev.gold_texts(docs)
    out: dict[str, np.ndarray] = {}
    for col in COLUMNS:
        group = [(d, p) for d, p in zip(docs, preds, strict=True) if f"{d.source}|{d.shape}" == col.group]
        if not group:
            continue
        rows = np.array([doc_stats(col, d, p, gold_text) for d, p in group], dtype=float)
        sums = np.zeros((len(sites), rows.shape[1]))
        np.add.at(sums, [sites[d.group] for d, _ in group], rows)
        out[col.title] = sums
    return out


def compare(base: dict[str, np.ndarray], other: dict[str, np.ndarray], n_sites: int,
            resamples: int = RESAMPLES, seed: int = SEED) -> list[Row]:
    """Each figure of both, and the interval of their difference over resampled sites."""
    rng = np.random.default_rng(seed)
    weights = rng.multinomial(n_sites, np.full(n_sites, 1.0 / n_sites), size=resamples).astype(float)
    tail = (1.0 - CONFIDENCE) / 2 * 100
    rows = []
    for col in COLUMNS:
        if col.title not in base or col.title not in other:
            continue
        a, b = base[col.title], other[col.title]
        for name, figure in FIGURES[col.kind]:
            diffs = figure(weights @ b) - figure(weights @ a)
            low, high = np.percentile(diffs, [tail, 100 - tail])
            rows.append(Row(f"{col.title}: {name}", float(figure(a.sum(0))), float(figure(b.sum(0))),
                            float(low), float(high)))
    return rows


def to_markdown(base: str, other: str, rows: list[Row], n_sites: int, resamples: int) -> str:
    lines = [f"`{other}` against `{base}`: {n_sites} held-out sites, {resamples} resamples, "
             f"{CONFIDENCE:.0%} intervals of the difference.", "",
             "| figure | base | other | other - base | interval | |", "|---|--:|--:|--:|--:|---|"]
    for r in rows:
        verdict = "better" if r.low > 0 else "worse" if r.high < 0 else ""
        lines.append(f"| {r.figure} | {r.base:.3f} | {r.other:.3f} | {r.other - r.base:+.3f} "
                     f"| [{r.low:+.3f}, {r.high:+.3f}] | {verdict} |")
    return "\n".join(lines)


def predictions(model_dir: Path, docs_by_fold: list[list[LabelledDoc]], dealing: int) -> list[list[str]]:
    """The labels each fold's model of `model_dir` gives its held-out documents, folds in order."""
    out: list[list[str]] = []
    for k, held in enumerate(docs_by_fold):
        fold_dir = model_dir / FOLD_DIR.format(k=k)
        if dealing_of(fold_dir) != dealing:
            raise SystemExit(f"{fold_dir} was held out by dealing {dealing_of(fold_dir)}, not {dealing}")
        with ev.line_model_from(fold_dir):
            out.extend(ev.predict_model(held))
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dirs", type=Path, nargs="+", metavar="DIR",
                        help="crossval --out directories, the baseline first")
    parser.add_argument("--resamples", type=int, default=RESAMPLES)
    parser.add_argument("--dealing", type=int, default=0, help="the dealing of sites the folds were run with")
    args = parser.parse_args(argv)
    if len(args.dirs) < 2:
        parser.error("give a baseline and at least one configuration to compare with it")
    docs = load_docs(EVAL_SOURCES)
    docs_by_fold = [fold_split(docs, k, dealing=args.dealing)[1] for k in range(FOLDS)]
    held = [d for fold in docs_by_fold for d in fold]
    sites = {group: i for i, group in enumerate(dict.fromkeys(d.group for d in held))}
    base = site_sums(held, predictions(args.dirs[0], docs_by_fold, args.dealing), sites)
    for other_dir in args.dirs[1:]:
        other = site_sums(held, predictions(other_dir, docs_by_fold, args.dealing), sites)
        rows = compare(base, other, len(sites), args.resamples)
        print(to_markdown(str(args.dirs[0]), str(other_dir), rows, len(sites), args.resamples), "\n")


if __name__ == "__main__":
    main()

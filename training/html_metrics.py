"""The two measures of the HTML path, shared by training (dev tuning) and evaluation.

* L3S-GN1: token overlap of the extracted text with the human full text, per page, as
  the ScrapingHub article-extraction benchmark computes it: lower-cased word tokens
  (`\\w+`), multisets of 4-token shingles (the benchmark's default; plain tokens are
  reported beside), precision and recall per page, and the mean over pages of the
  precision, the recall and the per-page F1.
* trafilatura's evaluation pages: of each page's `with` snippets, found in the output =
  true positive, missing = false negative; of its `without` snippets, found = false
  positive, absent = true negative; precision, recall, F1 and accuracy over all snippets
  (trafilatura's tests/comparison.py). A snippet is found when it occurs in the output
  with whitespace ignored and at word boundaries (training.modern.SnippetIndex), the same
  test for every system.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

SHINGLE = 4
_TOKEN = re.compile(r"\w+")


def _grams(text: str, n: int) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text.lower())
    if n <= 1:
        return Counter((t,) for t in tokens)
    if len(tokens) < n:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def page_prf(predicted: str, gold: str, n: int = SHINGLE) -> tuple[float, float, float]:
    """Precision, recall, F1 of one page's text against its gold text (multisets of n-grams).

    An empty output scores precision 1 only when the gold text is empty too (as in the
    benchmark, nothing extracted from an article is no precision to claim).
    """
    pred, true = _grams(predicted, n), _grams(gold, n)
    tp = sum((pred & true).values())
    fp = sum(pred.values()) - tp
    fn = sum(true.values()) - tp
    if tp + fp == 0:
        precision = 1.0 if fn == 0 else 0.0
    else:
        precision = tp / (tp + fp)
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def text_scores(predicted: Sequence[str], gold: Sequence[str], n: int = SHINGLE) -> dict[str, float]:
    """Mean per-page precision, recall and F1 over the pages that have a gold text."""
    rows = [page_prf(p, g, n) for p, g in zip(predicted, gold, strict=True) if g.strip()]
    if not rows:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0, "pages": 0}
    arr = np.array(rows)
    return {
        "precision": round(float(arr[:, 0].mean()), 4),
        "recall": round(float(arr[:, 1].mean()), 4),
        "f1": round(float(arr[:, 2].mean()), 4),
        "pages": len(rows),
    }


def snippet_counts(
    output: str, with_snippets: Sequence[str], without_snippets: Sequence[str]
) -> Counter[str]:
    """tp/fn over `with` snippets and fp/tn over `without` snippets, for one page's output."""
    from training.modern import SnippetIndex

    index = SnippetIndex(output.splitlines() or [""])
    counts: Counter[str] = Counter()
    for snippet in with_snippets:
        counts["tp" if index.find_all(snippet) else "fn"] += 1
    for snippet in without_snippets:
        counts["fp" if index.find_all(snippet) else "tn"] += 1
    return counts


def snippet_scores(
    outputs: Sequence[str], withs: Sequence[Sequence[str]], withouts: Sequence[Sequence[str]]
) -> dict[str, float]:
    """Precision, recall, F1 and accuracy over every snippet of the pages."""
    total: Counter[str] = Counter()
    for out, w, wo in zip(outputs, withs, withouts, strict=True):
        total.update(snippet_counts(out, w, wo))
    tp, fn, fp, tn = total["tp"], total["fn"], total["fp"], total["tn"]
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "accuracy": round((tp + tn) / max(tp + fn + fp + tn, 1), 4),
        "with_kept": round(recall, 4),
        "without_removed": round(tn / (fp + tn), 4) if fp + tn else 0.0,
        "pages": len(outputs),
        **{k: int(v) for k, v in sorted(total.items())},
    }

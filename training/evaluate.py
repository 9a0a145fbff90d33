"""Held-out figures of the shipped line model, beside simple baselines, in one run.

    python -m training.evaluate        # what `make eval` runs; writes reports/eval.{md,json}
    python -m training.evaluate --split dev [--model-dir DIR]   # for tuning; prints only

The cleaner's labels are those `clean()` gives: the model's, settled (cleaner/pipeline.py),
so the figures are those of what a user gets back.

Only documents of test-split sites are scored (training/docs.py: the split is by site), so
no figure comes from a site the model was trained on. A change to the model is tuned on the
dev sites instead (`--split dev`, which writes no report), with a model trained elsewhere
(`python -m training.train --out DIR`, then `--model-dir DIR`), or on folds of the train and
dev sites (`training/crossval.py`): the test sites are read once, for the model that ships.

Line figures count non-blank lines that carry a human label; text figures (L3S) compare the
kept text with the human full text as sets of 4-token shingles, per document, averaged (the
ScrapingHub benchmark's metric). Snippet figures (modern pages) are trafilatura's own
evaluation: of the `with` snippets present in the input, the share the output keeps; of the
`without` snippets present, the share it removes. "Kept" is the body, and separately the
body with the title and standfirst (which a Result hands back as metadata, not as text).
The hand-labelled extractor outputs are scored on their pages' snippets too: their perfect
labels are the hand labels, so that row is the ceiling of the snippet figures for a cleaner
that labels lines as this project does, where trafilatura's `with` snippets include titles,
standfirsts, captions and credits.
The `cleaned` groups are clean texts (training/dataset.py: cleaned_docs) fed back in: their
body recall is how often cleaning a clean text again loses a line. Last, the cleaner's body
figures over every group, by the writing system of each line (`SCRIPTS`): a language whose
lines the features read badly shows there, whichever source its pages came from.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import replace
from pathlib import Path

import numpy as np

from cleaner.pipeline import Limits, clean_many
from training.dataset import EVAL_SOURCES, load_docs
from training.docs import LabelledDoc

REPORT_DIR = Path(__file__).resolve().parent.parent / "reports"
SHINGLE = 4
_C4_END = re.compile(r"[.!?][\"”’')\]]*$|[\"”’]$")
_TOKEN = re.compile(r"\w+")

#: Writing systems the body figures are broken down by, besides Latin: a line is written in
#: the one whose letters it has most of, if more than it has Latin letters. Chinese and
#: Japanese are written without spaces, which the line features read as one word a line.
SCRIPTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Chinese and Japanese", re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")),
    ("Cyrillic", re.compile(r"[\u0400-\u04ff]")),
    ("Greek", re.compile(r"[\u0370-\u03ff]")),
    ("Arabic", re.compile(r"[\u0600-\u06ff]")),
)
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")

#: Every document is scored, however long or slow.
NO_LIMITS = Limits(max_chars=None, max_lines=None, max_seconds=None)

Predictor = Callable[[list[LabelledDoc]], list[list[str]]]


def script_of(line: str) -> str:
    """The writing system `line` is mostly written in (`SCRIPTS`, else Latin)."""
    most, name = max((len(pattern.findall(line)), name) for name, pattern in SCRIPTS)
    return name if most > len(_LATIN.findall(line)) else "Latin"


def body_by_script(docs: list[LabelledDoc], predicted: list[list[str]]) -> dict[str, dict]:
    """Body P/R/F1 of the lines written in each script (`script_of`), most lines first."""
    parts: dict[str, tuple[list[LabelledDoc], list[list[str]]]] = defaultdict(lambda: ([], []))
    for doc, pred in zip(docs, predicted, strict=True):
        rows: dict[str, list[int]] = defaultdict(list)
        for i, line in enumerate(doc.lines):
            rows[script_of(line)].append(i)
        for name, idx in rows.items():
            part = replace(doc, lines=[doc.lines[i] for i in idx], labels=[doc.labels[i] for i in idx])
            parts[name][0].append(part)
            parts[name][1].append([pred[i] for i in idx])
    scores = {name: line_scores(*part).get("body") for name, part in parts.items()}
    return dict(sorted(((k, v) for k, v in scores.items() if v), key=lambda kv: -kv[1]["support"]))


def predict_model(docs: list[LabelledDoc]) -> list[list[str]]:
    """The label `clean()` gives each line: the model's, settled (cleaner/pipeline.py)."""
    # A final line break keeps a last blank line a line of its own (cleaner/segment.py).
    texts = ["\n".join(d.lines) + "\n" if d.lines else "" for d in docs]
    out = []
    for doc, result in zip(docs, clean_many(texts, limits=NO_LIMITS), strict=True):
        if result.error is not None or len(result.lines) != len(doc.lines):
            raise RuntimeError(f"{doc.doc_id} was not cleaned line for line: {result.error}")
        out.append([line.label for line in result.lines])
    return out


def predict_keep_all(docs: list[LabelledDoc]) -> list[list[str]]:
    return [["body" if line.strip() else "blank" for line in d.lines] for d in docs]


def c4_keeps(line: str) -> bool:
    """C4-style rule: a line ending in terminal punctuation or a quote, with at least 3 words."""
    s = line.strip()
    return bool(_C4_END.search(s)) and len(s.split()) >= 3


def predict_c4(docs: list[LabelledDoc]) -> list[list[str]]:
    return [["body" if c4_keeps(line) else "other" for line in d.lines] for d in docs]


def predict_gold(docs: list[LabelledDoc]) -> list[list[str]]:
    """Perfect labels: the ceiling for a line cleaner on this input shape."""
    return [[label or "other" for label in d.labels] for d in docs]


def _prf(tp: float, fp: float, fn: float) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def label_counts(docs: list[LabelledDoc], predicted: list[list[str]]) -> tuple[dict[str, int], ...]:
    """(tp, fp, fn, support) per label over labelled non-blank lines."""
    tp: dict[str, int] = defaultdict(int)
    fp: dict[str, int] = defaultdict(int)
    fn: dict[str, int] = defaultdict(int)
    support: dict[str, int] = defaultdict(int)
    for doc, pred in zip(docs, predicted, strict=True):
        for line, gold, guess in zip(doc.lines, doc.labels, pred, strict=True):
            if gold is None or gold == "blank" or not line.strip():
                continue
            support[gold] += 1
            if gold == guess:
                tp[gold] += 1
            else:
                fn[gold] += 1
                fp[guess] += 1
    return tp, fp, fn, support


def line_scores(docs: list[LabelledDoc], predicted: list[list[str]]) -> dict[str, dict]:
    """P/R/F1 per label over labelled non-blank lines; `body` first."""
    tp, fp, fn, support = label_counts(docs, predicted)
    labels = sorted(set(support) | set(fp), key=lambda k: (k != "body", k))
    return {k: {**_prf(tp[k], fp[k], fn[k]), "support": support[k]} for k in labels}


def _shingles(text: str) -> set[tuple[str, ...]]:
    tokens = _TOKEN.findall(text.lower())
    if len(tokens) < SHINGLE:
        return {tuple(tokens)} if tokens else set()
    return {tuple(tokens[i:i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1)}


def text_scores(docs: list[LabelledDoc], predicted: list[list[str]], gold_text: dict[str, str]) -> dict:
    """Per-document shingle precision and recall against the human full text, averaged."""
    ps, rs = [], []
    for doc, pred in zip(docs, predicted, strict=True):
        gold = _shingles(gold_text.get(doc.doc_id, ""))
        if not gold:
            continue
        kept = _shingles("\n".join(line for line, label in zip(doc.lines, pred, strict=True)
                                   if label == "body"))
        overlap = len(kept & gold)
        ps.append(overlap / len(kept) if kept else 0.0)
        rs.append(overlap / len(gold))
    p, r = float(np.mean(ps)), float(np.mean(rs))
    return {"precision": round(p, 4), "recall": round(r, 4),
            "f1": round(2 * p * r / (p + r) if p + r else 0.0, 4), "documents": len(ps)}


PREDICTORS: dict[str, Predictor] = {
    "cleaner": predict_model,
    "keep-all": predict_keep_all,
    "c4-rule": predict_c4,
    "perfect-labels": predict_gold,
}


#: Labels whose lines a Result hands back as article text or as the article's own metadata.
ARTICLE_LABELS = frozenset({"body", "title", "standfirst"})


def _snippets(group: list[LabelledDoc], pred: list[list[str]]) -> dict:
    from training.modern import snippet_scores

    return {
        "body": snippet_scores(group, [[label == "body" for label in p] for p in pred]),
        "article": snippet_scores(group, [[label in ARTICLE_LABELS for label in p] for p in pred]),
    }


@contextmanager
def line_model_from(model_dir: Path) -> Iterator[None]:
    """`clean()` labels with the line model in `model_dir` (checked against that directory's
    SHA256SUMS) instead of the shipped one, inside the block: for comparing a model trained
    with `training.train --out` on dev sites. Training tools only: the package itself loads
    nothing but the model it ships."""
    from cleaner import model, pipeline, wording

    candidate = model._load(model_dir)
    shipped = pipeline.line_model
    pipeline.line_model = lambda: candidate
    try:
        with wording.using(wording.load(model_dir)):
            yield
    finally:
        pipeline.line_model = shipped


def gold_texts(docs: list[LabelledDoc]) -> dict[str, str]:
    """The human full text of each L3S page (both its shapes share its id): the lines of its
    whole-page shape labelled body."""
    return {
        d.doc_id: "\n".join(line for line, label in zip(d.lines, d.labels, strict=True) if label == "body")
        for d in docs if d.shape == "page" and "l3s" in d.source.lower()
    }


def evaluate(
    sources: tuple[str, ...] = EVAL_SOURCES, split: str = "test", docs: list[LabelledDoc] | None = None
) -> dict:
    """Every figure of the report, on the `split` documents of `sources` (or on `docs`, as
    given: a cross-validation fold's held-out sites)."""
    from training.modern import ModernDoc

    started = time.time()
    if docs is None:
        docs = [d for d in load_docs(sources) if d.split == split]
    groups: dict[str, list[LabelledDoc]] = defaultdict(list)
    for d in docs:
        groups[f"{d.source}|{d.shape}"].append(d)
    gold_text = gold_texts(docs)
    report: dict = {"sites": len({d.site for d in docs}), "groups": {}}
    # The cleaner's labels of every group, for the breakdown by script (not the `cleaned` groups).
    labelled: tuple[list[LabelledDoc], list[list[str]]] = ([], [])
    for key, group in sorted(groups.items()):
        entry: dict = {"documents": len(group), "sites": len({d.site for d in group}), "systems": {}}
        for name, predictor in PREDICTORS.items():
            pred = predictor(group)
            if name == "cleaner":
                labelled[0].extend(group)
                labelled[1].extend(pred)
            scores = line_scores(group, pred)
            system = {"body": scores.get("body"), "labels": scores}
            if any(d.doc_id in gold_text for d in group):
                system["text"] = text_scores(group, pred, gold_text)
            if isinstance(group[0], ModernDoc):
                system["snippets"] = _snippets(group, pred)
            entry["systems"][name] = system
        report["groups"][key] = entry
    report["body_by_script"] = body_by_script(*labelled)
    report["seconds"] = round(time.time() - started, 1)
    return report


def to_markdown(report: dict, split: str = "test") -> str:
    from training.modern import HAND_SOURCE

    scope = (f"Test-split sites only ({report['sites']} sites); generated by `make eval`. "
             if split == "test" else
             f"Dev-split sites ({report['sites']} sites), the ones tuning looks at: not held-out figures. ")
    title = "Held-out evaluation of the line model" if split == "test" else "The line model on dev sites"
    out = [f"# {title}", "",
           scope + "`cleaner` is what `clean()` labels: the model's labels, settled (labelled again on "
           "the clean text until nothing more comes off).", ""]
    for key, entry in report["groups"].items():
        out += [f"## {key}: {entry['documents']} documents, {entry['sites']} sites", ""]
        if key.startswith(HAND_SOURCE):
            out += ["Every line of one extractor output per page labelled by hand (training/DATA.md): "
                    "body over all of a page's lines, of which the snippets of `modern|extract` score a few. "
                    "In the snippet table, `perfect-labels` keeps what the hand labels keep: the most "
                    "`with` snippets a cleaner following this project's labels (title and standfirst off "
                    "the body, captions, credits and datelines out) can keep.",
                    ""]
        out += ["| system | body P | body R | body F1 | text P | text R | text F1 |",
                "|---|---|---|---|---|---|---|"]
        for name, system in entry["systems"].items():
            b = system["body"] or {"precision": 0, "recall": 0, "f1": 0}
            t = system.get("text")
            text = f"{t['precision']:.3f} | {t['recall']:.3f} | {t['f1']:.3f}" if t else "- | - | -"
            out.append(f"| {name} | {b['precision']:.3f} | {b['recall']:.3f} | {b['f1']:.3f} | {text} |")
        if "snippets" in entry["systems"]["cleaner"]:
            out += ["", "Snippets (trafilatura's evaluation): `with` kept / `without` removed, "
                    "of those present in the input; per tool for the cleaner.", "",
                    "| system | kept as | with kept | without removed | with present | without present |",
                    "|---|---|---|---|---|---|"]
            rows = [(name, kept_as, sc["all"])
                    for name, system in entry["systems"].items()
                    for kept_as, sc in system["snippets"].items()]
            rows += [(f"cleaner, {tool}", "body", a)
                     for tool, a in entry["systems"]["cleaner"]["snippets"]["body"]["by_tool"].items()]
            for name, kept_as, a in rows:
                kept, removed = a["with_kept_share"], a["without_removed_share"]
                out.append(f"| {name} | {kept_as} | {kept:.3f} | {removed:.3f}"
                           f" | {a['with_present']} | {a['without_present']} |")
        out += ["", "Per label (cleaner):", "", "| label | P | R | F1 | support |", "|---|---|---|---|---|"]
        for label, s in entry["systems"]["cleaner"]["labels"].items():
            out.append(
                f"| {label} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | {s['support']} |"
            )
        out.append("")
    if report.get("body_by_script"):
        out += ["## Body lines by writing system (cleaner, every group above)", "",
                "A line counts under the script of most of its letters (`SCRIPTS`); precision is "
                "over the lines of that script that the cleaner keeps.", "",
                "| writing system | body P | body R | body F1 | body lines |", "|---|---|---|---|---|"]
        for name, b in report["body_by_script"].items():
            out.append(f"| {name} | {b['precision']:.3f} | {b['recall']:.3f} | {b['f1']:.3f}"
                       f" | {b['support']} |")
        out.append("")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=("test", "dev"), default="test",
                        help="sites to score; only the test split writes the reports")
    parser.add_argument("--model-dir", type=Path, default=None,
                        help="a line model written by `training.train --out DIR` (dev split only)")
    args = parser.parse_args()
    if args.model_dir is not None and args.split != "dev":
        parser.error("--model-dir is for tuning on the dev split: the test split scores the shipped model")
    if args.split == "dev":
        with line_model_from(args.model_dir) if args.model_dir is not None else nullcontext():
            print(to_markdown(evaluate(split="dev"), "dev"))
        return
    report = evaluate()
    REPORT_DIR.mkdir(exist_ok=True)
    (REPORT_DIR / "eval.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    md = to_markdown(report)
    (REPORT_DIR / "eval.md").write_text(md, encoding="utf-8")
    print(md)


if __name__ == "__main__":
    main()

"""Held-out precision and recall of the metadata the cleaner returns: dateline, agency, byline.

    python -m training.metadata_eval         # writes reports/metadata.{md,json}
    python -m training.metadata_eval --dev   # train and dev documents: prints, writes nothing

The ground truth (training/annotations/metadata/metadata_truth.jsonl, README beside it) was
annotated by hand on documents no model was trained on: FakeNewsCorpus articles of
test-split sites, ISOT Reuters stories that training/wire.py keeps out of training (its dev
stories), the L3S-GN1 pages of test-split sites and the trafilatura evaluation pages of
test-split sites read line by line (training/modern.py). Each is cleaned end to end with
`cleaner.clean_many`: articles as scraped, stories as published, and each page as the text
an extractor gives (the line model's `extract` shape: training/l3s.py, training/modern.py).
The reference date is the article's scrape date, the story's publication date, or the
page's date as trafilatura reads it, recorded in the truth file.

Per field, a document counts once: a predicted value equal to the truth (after
normalisation) is a true positive; a predicted value that is wrong is a false positive,
and also a false negative when the truth has a value; a missing value where the truth has
one is a false negative. Precision = TP / (TP + FP), recall = TP / (TP + FN).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

from training.docs import DATA_DIR

ROOT = Path(__file__).resolve().parent.parent
TRUTH_FILE = ROOT / "training" / "annotations" / "metadata" / "metadata_truth.jsonl"
#: The same annotation of train and dev documents, for working on the parsers without reading
#: the held-out truth (`--dev`).
DEV_TRUTH_FILE = TRUTH_FILE.with_name("metadata_dev.jsonl")
REPORT_DIR = ROOT / "reports"
FIELDS = ("location", "date", "date_iso", "agency", "byline")
#: Errors listed per field in the Markdown report (all are in the JSON).
SHOWN_ERRORS = 12
_NON_WORD = re.compile(r"[\W_]+")


def load_truth(path: Path = TRUTH_FILE) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def normalise(field: str, value: str | None) -> str | None:
    """Case, accents, punctuation and spacing do not count; agencies by their canonical name."""
    if value is None or not str(value).strip():
        return None
    if field == "agency":
        from cleaner.metadata import canonical_agency

        value = canonical_agency(value)
    text = unicodedata.normalize("NFKD", str(value)).casefold()
    text = " ".join(_NON_WORD.sub(" ", text).split())
    return text or None


def _csv_rows(source: str) -> list[dict[str, str]]:
    with (DATA_DIR / source).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


_TEXT_COLUMN = {"fakenewscorpus": "content", "isot": "text"}


def _text_of(rec: dict[str, Any], cache: dict[str, list[dict[str, str]]]) -> str:
    source = rec["source"]
    rows = cache.setdefault(source, _csv_rows(source))
    column = next(col for key, col in _TEXT_COLUMN.items() if key in source)
    return rows[rec["row"]][column]


def _l3s_text(rec: dict[str, Any]) -> str:
    """The page's text as trafilatura extracts it, exactly as training/l3s.py prepares it."""
    from training.dataset import CACHE_DIR
    from training.l3s import (
        _C1_CONTROLS,
        decode_html,
        extract_text,
        lxml_ready,
        repair_mojibake,
    )

    path = DATA_DIR / rec["source"]
    html = lxml_ready(decode_html(path.read_bytes()))
    text, _ = extract_text(html, path.stem, CACHE_DIR)
    text = repair_mojibake(text).translate(_C1_CONTROLS)
    return "\n".join(" ".join(line.split()) for line in text.splitlines())


def _modern_text(rec: dict[str, Any]) -> str:
    """The page's text as the extractor of its hand-labelled lines gives it (training/modern.py)."""
    import gzip

    from training.modern import TOOLS, _quiet_trafilatura, decode_page

    html = decode_page(gzip.decompress((DATA_DIR / rec["source"]).read_bytes()))
    with _quiet_trafilatura():
        return "\n".join(TOOLS[rec["tool"]][1](html))


def _input_of(rec: dict[str, Any], cache: dict[str, list[dict[str, str]]]) -> str:
    if rec["input"] == "l3s_extract":
        return _l3s_text(rec)
    if rec["input"] == "modern_extract":
        return _modern_text(rec)
    return _text_of(rec, cache)


def predict(records: list[dict[str, Any]]) -> list[dict[str, str | None]]:
    """The cleaner's metadata for every truth record, in order, cleaned in one batch."""
    import cleaner

    cache: dict[str, list[dict[str, str]]] = {}
    texts = [_input_of(rec, cache) for rec in records]
    refs = [rec["reference_date"] for rec in records]
    return [_fields(r) for r in cleaner.clean_many(texts, reference_date=refs)]


def _fields(result: Any) -> dict[str, str | None]:
    dl = result.dateline
    return {
        "location": dl.location if dl else None,
        "date": dl.date if dl else None,
        "date_iso": dl.date_iso if dl else None,
        "agency": result.agency,
        "byline": result.byline,
        "error": (result.error or {}).get("message"),
    }


def score(
    records: list[dict[str, Any]], predicted: list[dict[str, str | None]],
    keep: Callable[[dict[str, Any]], bool] = lambda rec: True,
) -> dict[str, dict[str, Any]]:
    """Precision, recall, F1 and counts per field over the records `keep` accepts."""
    out: dict[str, dict[str, Any]] = {}
    for field in FIELDS:
        tp = fp = fn = 0
        errors = []
        for rec, pred in zip(records, predicted, strict=True):
            if not keep(rec):
                continue
            truth, guess = rec["truth"][field], pred[field]
            t, g = normalise(field, truth), normalise(field, guess)
            if g is not None and g == t:
                tp += 1
                continue
            fp += g is not None
            fn += t is not None
            if g is not None or t is not None:
                errors.append({"id": rec["id"], "truth": truth, "predicted": guess})
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[field] = {
            "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "tp": tp, "fp": fp, "fn": fn, "support": tp + fn, "errors": errors,
        }
    return out


def _group(rec: dict[str, Any]) -> str:
    return rec["id"].split(":")[0]


GROUP_NAMES = {
    "fnc": "FakeNewsCorpus (test-split sites)",
    "isot": "ISOT Reuters (held-out stories)",
    "l3s": "L3S-GN1 pages (test-split sites)",
    "modern": "trafilatura evaluation pages of 2019-2023 (test-split sites)",
}


def evaluate(path: Path = TRUTH_FILE) -> dict[str, Any]:
    started = time.time()
    records = load_truth(path)
    predicted = predict(records)
    groups = sorted({_group(rec) for rec in records})
    return {
        "documents": len(records),
        "documents_by_group": {g: sum(_group(r) == g for r in records) for g in groups},
        "truth_file": str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path),
        "all": score(records, predicted),
        "groups": {g: score(records, predicted, lambda rec, g=g: _group(rec) == g) for g in groups},
        "failed_documents": [
            {"id": rec["id"], "error": pred["error"]}
            for rec, pred in zip(records, predicted, strict=True) if pred.get("error")
        ],
        "seconds": round(time.time() - started, 1),
    }


def _table(scores: dict[str, dict[str, Any]]) -> list[str]:
    lines = ["| field | P | R | F1 | TP | FP | FN | support |", "|---|---|---|---|---|---|---|---|"]
    for field in FIELDS:
        s = scores[field]
        # Undefined where nothing was predicted (P) or nothing is to be found (R).
        p = f"{s['precision']:.3f}" if s["tp"] + s["fp"] else "–"
        r = f"{s['recall']:.3f}" if s["support"] else "–"
        f1 = f"{s['f1']:.3f}" if s["tp"] + s["fp"] and s["support"] else "–"
        lines.append(f"| {field} | {p} | {r} | {f1} | {s['tp']} | {s['fp']} | {s['fn']} | {s['support']} |")
    return lines


def to_markdown(report: dict[str, Any]) -> str:
    out = [
        "# Held-out evaluation of the metadata",
        "",
        f"{report['documents']} hand-annotated documents no model was trained on "
        f"(`{report['truth_file']}`); generated by `python -m training.metadata_eval`.",
        "Exact match after normalisation (case, punctuation, accents; agencies by canonical name).",
        "A wrong value counts against precision and recall; a missing one against recall; a",
        "document where neither the truth nor the cleaner has a value counts for neither.",
        "`location`, `date`, `date_iso` are the dateline's (see the truth file's README for what",
        "each field means). `–`: undefined (nothing predicted, or nothing to find).",
        "",
        "## All documents",
        "",
        *_table(report["all"]),
    ]
    for group, scores in report["groups"].items():
        n = report["documents_by_group"][group]
        out += ["", f"## {GROUP_NAMES.get(group, group)}: {n} documents", "", *_table(scores)]
    out += ["", "## Errors (truth -> predicted)", ""]
    for field in FIELDS:
        errors = report["all"][field]["errors"]
        out.append(f"- **{field}** ({len(errors)}):")
        for e in errors[:SHOWN_ERRORS]:
            out.append(f"  - `{e['id'][:40]}`: {e['truth']!r} -> {e['predicted']!r}")
        if len(errors) > SHOWN_ERRORS:
            out.append(f"  - ... {len(errors) - SHOWN_ERRORS} more in metadata.json")
    if report["failed_documents"]:
        out += ["", f"Documents that gave an error record: {len(report['failed_documents'])}"]
    return "\n".join(out) + "\n"


def _print(report: dict[str, Any], errors: bool = False) -> None:
    for field in FIELDS:
        s = report["all"][field]
        print(f"{field:9s} P {s['precision']:.3f}  R {s['recall']:.3f}  (TP {s['tp']}, FP {s['fp']}, "
              f"FN {s['fn']})", flush=True)
        for e in s["errors"] if errors else ():
            print(f"    {e['id']}: {e['truth']!r} -> {e['predicted']!r}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=REPORT_DIR, help="folder for metadata.{md,json}")
    parser.add_argument("--dev", action="store_true",
                        help="score the dev truth instead, for parser work: print errors, write nothing")
    args = parser.parse_args(argv)
    if args.dev:
        _print(evaluate(DEV_TRUTH_FILE), errors=True)
        return
    report = evaluate()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "metadata.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n",
                                            encoding="utf-8")
    (args.out / "metadata.md").write_text(to_markdown(report), encoding="utf-8")
    _print(report)
    print(f"wrote {args.out}/metadata.md and metadata.json in {report['seconds']} s")


if __name__ == "__main__":
    main()

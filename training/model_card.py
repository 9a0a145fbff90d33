"""Writes cleaner/models/MODEL_CARD.md from the model's metadata and the held-out report.

    python -m training.model_card      # after `make train` and `make eval`
"""

from __future__ import annotations

import json
from pathlib import Path

from cleaner.model import CHECKSUMS_FILE, MODEL_DIR
from training.evaluate import REPORT_DIR
from training.modern import HAND_SOURCE

CARD = MODEL_DIR / "MODEL_CARD.md"


def render(meta: dict, report: dict, checksums: str) -> str:
    rows = []
    for group, entry in report["groups"].items():
        for system in ("cleaner", "keep-all", "c4-rule"):
            b = entry["systems"][system]["body"]
            t = entry["systems"][system].get("text")
            text_f1 = f"{t['f1']:.3f}" if t else "-"
            name = group.replace("|", ", ")
            rows.append(f"| {name} | {entry['documents']} / {entry['sites']} | {system} | "
                        f"{b['precision']:.3f} | {b['recall']:.3f} | {b['f1']:.3f} | {text_f1} |")
    snippet_rows = []
    for group, entry in report["groups"].items():
        # Under the hand labels, perfect labels are the ceiling for this project's labels.
        ceiling = ("perfect-labels",) if group.startswith(HAND_SOURCE) else ()
        for system in ("cleaner", "keep-all", "c4-rule", *ceiling):
            sn = entry["systems"][system].get("snippets")
            if sn:
                a = sn["body"]["all"]
                name = "hand labels (ceiling)" if system == "perfect-labels" else system
                snippet_rows.append(f"| {group.replace('|', ', ')} | {name} | {a['with_kept_share']:.3f} | "
                                    f"{a['without_removed_share']:.3f} |")
    sources = "\n".join(f"- {k}: {v} documents" for k, v in meta["documents_by_source"].items())
    labels = ", ".join(f"{k} {v}" for k, v in meta["label_counts"].items())
    return f"""# Line model card

`line_model.joblib`: two passes of scikit-learn `HistGradientBoostingClassifier` over the
per-line features of `cleaner/features.py` (shape, length, punctuation, capitals, digits,
position from start and end, dateline / agency / editor-tag / bullet / header shapes, those
of related headers, photo credits, legal notices and prompts in English and in the training
pages' other languages too (German, French, Spanish, Italian, Portuguese, Dutch, Polish:
`cleaner/patterns.py`), the same for two neighbours up and down, distance from related and
summary headers, how much prose follows), the headline model's clickbait score and the
wording model's body score of each short line (`wording.npz`: logistic regression over the
headline model's hashed word and character n-grams, trained with the line model on the same
lines, its scores of the training lines predicted out of fold; C = {meta.get('wording_c')}).
The second pass also sees the
first pass's probabilities of the line and its neighbours (trained on out-of-fold
predictions, folds by site). Cascade (`cleaner/model.py`):
a line whose first-pass probability is at least an exit's after that exit's iterations
stops there, and the second pass revises only lines the first is less than `revise_below`
sure of (in its training, those lines weigh `revised_weight` times more).

- scikit-learn {meta['sklearn_version']} (the package pins `>=1.9,<1.10`)
- SHA-256 (`SHA256SUMS`): `{checksums.split()[0]}`
- parameters: `{json.dumps(meta['tree_params'])}`
- cascade: `{json.dumps(meta.get('cascade'))}`; revised_weight: `{meta.get('revised_weight', 1.0)}`
- rebuilt by `make train` from `training/` and `../shared/data` alone (fixed seeds; the same
  bits on CPUs with and without AVX-512: `cleaner/numeric.py`)

## Training data (train-split sites only)

{sources}

Labelled lines: {meta['train_lines']} ({labels}).
See `training/DATA.md` for each source and how its labels were made.

**Licences.** L3S-GN1 is licensed for research use only, and the ISOT Reuters subset is
research use: a model trained on them inherits those terms. The FakeNewsCorpus sample and
trafilatura's evaluation pages are Apache-2.0; the clickbait headlines MIT. None of the data
ships in the package. The byline parser's word list (`lowercase_words.txt`, `make lexicon`)
is counted from the same train and dev pages, and so comes under the same terms; it holds
single words, no text.

## Held-out figures (test-split sites, never trained on)

Line-level precision / recall / F1 of `body` over human-labelled non-blank lines, and for
L3S the text-level F1 of the kept text against the human full text (4-token shingles,
per document, averaged). From `reports/eval.md` (`make eval`, {report['seconds']} s).

| data | docs / sites | system | body P | body R | body F1 | text F1 |
|---|---|---|---|---|---|---|
""" + "\n".join(rows) + """

On trafilatura's evaluation pages (2019-2023): of the `with` snippets present in the input,
the share the body keeps; of the `without` snippets present, the share it removes. The hand
labels' row is what a cleaner labelling lines as this project does would score: trafilatura's
`with` snippets include headlines, teasers, captions and credits, which it takes off the body.

| data | system | with kept | without removed |
|---|---|---|---|
""" + "\n".join(snippet_rows) + "\n"


def main() -> None:
    meta = json.loads((MODEL_DIR / "line_model.meta.json").read_text(encoding="utf-8"))
    report = json.loads((REPORT_DIR / "eval.json").read_text(encoding="utf-8"))
    checksums = (MODEL_DIR / CHECKSUMS_FILE).read_text(encoding="ascii")
    CARD.write_text(render(meta, report, checksums), encoding="utf-8")
    print(f"wrote {Path(CARD)}")


if __name__ == "__main__":
    main()

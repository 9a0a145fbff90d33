"""Hand-labelled lines of real scraped articles (training/annotations/*.jsonl)."""

from __future__ import annotations

import json
from pathlib import Path

from training.docs import LabelledDoc, site_of

ANNOTATION_DIR = Path(__file__).parent / "annotations"


def load_annotations(directory: Path = ANNOTATION_DIR) -> list[LabelledDoc]:
    """Every annotated article: one record per article, `lines` as [label, text] pairs."""
    docs = []
    for path in sorted(directory.glob("*.jsonl")):
        with path.open(encoding="utf-8") as f:
            for raw in f:
                if not raw.strip():
                    continue
                rec = json.loads(raw)
                pairs = rec["lines"]
                docs.append(
                    LabelledDoc(
                        doc_id=f"{path.stem}:{rec['row']}",
                        site=site_of(rec["domain"]),
                        url=rec.get("url", ""),
                        shape="article",
                        lines=[text for _, text in pairs],
                        labels=[label for label, _ in pairs],
                        source=rec["source"],
                    )
                )
    return docs

"""The benchmark's inputs, built from ../shared/data and samples/ alone, written once per run.

Three corpora, each a list of documents the tools are timed on in the same run:

- ``articles``: seed-sized scraped articles, one paragraph a line (extractor output shape):
  the five seeds, the 250 FakeNewsCorpus articles as scraped, and the 989 ISOT Reuters
  stories cut into paragraphs of one to three sentences.
- ``pages``: whole-page text of the L3S-GN1 pages (every visible text block a line, as a
  browser's innerText; the "page" shape the line model is trained on).
- ``html``: L3S-GN1 pages and trafilatura's evaluation pages of held-out (test-split) sites,
  as raw bytes.
"""

from __future__ import annotations

import csv
import gzip
import json
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA_DIR = REPO.parent / "shared" / "data"
SAMPLES_DIR = REPO / "samples" / "input"
FAKENEWS_CSV = DATA_DIR / "news_raw" / "fakenewscorpus_sample" / "news_sample.csv"
REUTERS_CSV = DATA_DIR / "news_raw" / "isot_reuters_subset" / "True_subset_989.csv"
L3S_ORIGINAL = DATA_DIR / "l3s_gn1" / "original"
TRAF_EVAL_PAGES = DATA_DIR / "trafilatura_eval" / "pages"

#: Fixed, so that every run times the same documents.
SEED = 7
#: Sentences per paragraph when a one-paragraph Reuters story is cut into lines.
SENTENCES_PER_PARAGRAPH = (1, 2, 2, 3)
#: HTML pages taken from each source by default (of 472 L3S pages and 977 of trafilatura's):
#: enough for stable rates, few enough that the three HTML tools take minutes, not tens.
DEFAULT_HTML_PER_SOURCE = 100
_SENTENCE_GAP = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’]))\s+(?=[\"“A-Z])")


@dataclass
class Corpus:
    name: str
    kind: str  # "text" or "html"
    ids: list[str]
    docs: list[bytes]  # UTF-8 text, or the page's raw bytes

    @property
    def n_bytes(self) -> int:
        return sum(len(d) for d in self.docs)


def _csv_rows(path: Path) -> list[dict[str, str]]:
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _paragraphs(rng: random.Random, text: str) -> str:
    sentences = [s for s in _SENTENCE_GAP.split(text.strip()) if s]
    lines, i = [], 0
    while i < len(sentences):
        k = rng.choice(SENTENCES_PER_PARAGRAPH)
        lines.append(" ".join(sentences[i : i + k]))
        i += k
    return "\n".join(lines) + "\n"


def build_articles() -> Corpus:
    rng = random.Random(SEED)
    ids: list[str] = []
    docs: list[bytes] = []
    for path in sorted(SAMPLES_DIR.glob("*.txt")):
        ids.append(f"seed/{path.name}")
        docs.append(path.read_bytes())
    for row in _csv_rows(FAKENEWS_CSV):
        if row["content"].strip():
            ids.append(f"fakenews/{row['id']}")
            docs.append(row["content"].encode("utf-8"))
    for i, row in enumerate(_csv_rows(REUTERS_CSV)):
        if row["text"].strip():
            ids.append(f"reuters/{i}")
            docs.append(_paragraphs(rng, row["text"]).encode("utf-8"))
    return Corpus("articles", "text", ids, docs)


def _l3s_files(limit: int | None) -> list[Path]:
    files = sorted(L3S_ORIGINAL.glob("*.html"))
    return files if limit is None else random.Random(SEED).sample(files, min(limit, len(files)))


def build_pages(limit: int | None = None) -> Corpus:
    """Whole-page text with the same renderer the training data's "page" shape uses."""
    from training.l3s import decode_html, page_lines, parse_html

    ids: list[str] = []
    docs: list[bytes] = []
    for path in _l3s_files(limit):
        try:
            lines = [line for line, _ in page_lines(parse_html(decode_html(path.read_bytes())))]
        except (ValueError, RecursionError):  # an unparseable page is left out of the corpus
            continue
        if lines:
            ids.append(f"l3s/{path.stem}")
            docs.append(("\n".join(lines) + "\n").encode("utf-8"))
    return Corpus("pages", "text", ids, docs)


def build_html(per_source: int = DEFAULT_HTML_PER_SOURCE) -> Corpus:
    """Pages of held-out sites only: the block model settles the pages it is sure of without
    running trafilatura, and it is surer of the pages it was trained on, which would make
    it look faster than it is on pages it has not seen."""
    from training.html_gate import held_out_pages

    l3s, modern = held_out_pages()
    rng = random.Random(SEED)
    ids: list[str] = []
    docs: list[bytes] = []
    for doc_id in sorted(rng.sample(l3s, min(per_source, len(l3s)))):
        ids.append(f"l3s/{doc_id}.html")
        docs.append((L3S_ORIGINAL / f"{doc_id}.html").read_bytes())
    for rec in sorted(rng.sample(modern, min(per_source, len(modern))), key=lambda rec: rec["id"]):
        path = TRAF_EVAL_PAGES.parent / rec["file"]
        ids.append(f"trafilatura_eval/{path.name}")
        docs.append(gzip.decompress(path.read_bytes()))
    return Corpus("html", "html", ids, docs)


def write(corpus: Corpus, directory: Path) -> Path:
    """One JSON line per document (text as str; HTML as latin-1 so the bytes round-trip)."""
    path = directory / f"{corpus.name}.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps({"name": corpus.name, "kind": corpus.kind}) + "\n")
        for doc_id, doc in zip(corpus.ids, corpus.docs, strict=True):
            fh.write(json.dumps({"id": doc_id, "latin1": doc.decode("latin-1")}) + "\n")
    return path


def read(path: Path) -> Corpus:
    with path.open(encoding="utf-8") as fh:
        head = json.loads(fh.readline())
        ids, docs = [], []
        for line in fh:
            rec = json.loads(line)
            ids.append(rec["id"])
            docs.append(rec["latin1"].encode("latin-1"))
    return Corpus(head["name"], head["kind"], ids, docs)

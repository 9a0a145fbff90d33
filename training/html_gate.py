"""The HTML gate: clean_html's figures on a fixed list of held-out pages, against floors.

    python -m training.html_gate            # print the figures for tests/html_floors.json
    python -m training.html_gate --write    # choose the pages and pin floors (after training)

The pages are a seeded sample of the test-split pages of both sources, read straight from
../shared/data (no cache needed, so CI can run it): clean_html alone runs on them, so the
gate takes seconds, not the minutes of the full comparison (training/html_eval.py).
The floors are the measured figures less MARGIN; raising one is a commit, lowering one
needs a stated reason in its commit. A floor that retrains of equal merit fall under is
lowered by training/noise.py's rule (reports/retrain_noise.md); `--write` pins all of them
at the margin again, so run training.noise after it.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import random
from pathlib import Path
from urllib.parse import urlsplit

from training.docs import DATA_DIR, site_of, split_of
from training.html_metrics import snippet_scores, text_scores

FLOORS_FILE = Path(__file__).resolve().parent.parent / "tests" / "html_floors.json"
L3S_DIR = DATA_DIR / "l3s_gn1"
MODERN_DIR = DATA_DIR / "trafilatura_eval"
SEED = 11  # the number
L3S_PAGES = 25
MODERN_PAGES = 60
#: Floors sit this far below the figures measured when they were pinned.
MARGIN = 0.02


def _l3s_page(doc_id: str, urls: dict[str, str]) -> tuple[bytes, str | None, str]:
    """Original bytes, URL and human full text of one L3S-GN1 page."""
    from cleaner.page import decode_html
    from training.l3s import decode_html as l3s_decode
    from training.l3s import page_lines, parse_html, restore_characters

    raw = (L3S_DIR / "original" / f"{doc_id}.html").read_bytes()
    page = page_lines(parse_html(l3s_decode((L3S_DIR / "annotated" / f"{doc_id}.html").read_bytes())))
    page, _ = restore_characters(page, decode_html(raw))
    return raw, urls.get(doc_id) or None, "\n".join(line for line, label in page if label == "body")


def gate_figures(pages: list[str]) -> dict[str, float]:
    """clean_html's L3S text F1 and modern snippet figures on `pages` ("l3s:ID", "modern:ID")."""
    from cleaner import clean_html
    from training.l3s import read_url_mapping
    from training.modern import read_records

    for name in ("trafilatura", "htmldate"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    urls = read_url_mapping(L3S_DIR)
    records = {rec["id"]: rec for rec in read_records(MODERN_DIR)}
    l3s_out, l3s_gold = [], []
    modern_out, withs, withouts = [], [], []
    for page in pages:
        source, doc_id = page.split(":", 1)
        if source == "l3s":
            raw, url, gold = _l3s_page(doc_id, urls)
            l3s_out.append(clean_html(raw, url=url).text)
            l3s_gold.append(gold)
        else:
            rec = records[doc_id]
            raw = gzip.decompress((MODERN_DIR / rec["file"]).read_bytes())
            url = rec["url"].strip()
            modern_out.append(clean_html(raw, url=url if url.startswith("http") else None).text)
            withs.append(rec["with"])
            withouts.append(rec["without"])
    shingles = text_scores(l3s_out, l3s_gold)
    tokens = text_scores(l3s_out, l3s_gold, n=1)
    snippets = snippet_scores(modern_out, withs, withouts)
    return {
        "l3s_shingle_f1": shingles["f1"],
        "l3s_token_f1": tokens["f1"],
        "modern_snippet_f1": snippets["f1"],
        "modern_with_kept": snippets["with_kept"],
        "modern_without_removed": snippets["without_removed"],
    }


def held_out_pages() -> tuple[list[str], list[dict]]:
    """The test-split pages of both sources: L3S-GN1 ids and trafilatura_eval records, sorted.

    Hard cases name their site in the page's canonical URL; those are left out here rather
    than parsed, so the choice needs no page read.
    """
    from training.l3s import read_url_mapping
    from training.modern import page_site, read_records

    urls = read_url_mapping(L3S_DIR)
    l3s = sorted(
        doc_id for doc_id, url in urls.items()
        if (L3S_DIR / "original" / f"{doc_id}.html").exists()
        and split_of(site_of(urlsplit(url).hostname or "")) == "test"
    )
    modern = sorted(
        (rec for rec in read_records(MODERN_DIR)
         if "::" not in rec["url"] and split_of(page_site(rec["url"])) == "test"),
        key=lambda rec: rec["id"],
    )
    return l3s, modern


def choose_pages() -> list[str]:
    """A seeded sample of test-split pages of both sources."""
    l3s, modern = held_out_pages()
    rng = random.Random(SEED)
    modern_ids = [rec["id"] for rec in modern]
    return ([f"l3s:{i}" for i in sorted(rng.sample(l3s, min(L3S_PAGES, len(l3s))))]
            + [f"modern:{i}" for i in sorted(rng.sample(modern_ids, min(MODERN_PAGES, len(modern_ids))))])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help="choose the pages and pin the floors")
    args = parser.parse_args()
    if args.write:
        pages = choose_pages()
        figures = gate_figures(pages)
        floors = {k: round(max(v - MARGIN, 0.0), 3) for k, v in figures.items()}
        FLOORS_FILE.write_text(json.dumps(
            {"measured": figures, "floors": floors, "margin": MARGIN, "pages": pages}, indent=1
        ) + "\n", encoding="utf-8")
        print(f"wrote {FLOORS_FILE}")
    else:
        pages = json.loads(FLOORS_FILE.read_text())["pages"]
        figures = gate_figures(pages)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()

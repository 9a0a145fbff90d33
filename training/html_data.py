"""Both HTML sources as labelled blocks, split by site: the training data of the block model.

* L3S-GN1 (`l3s_gn1/`, 2008 news): the original page goes through `cleaner.page.analyse`
  (the code `clean_html` runs), and each of its blocks takes the human label of the
  annotated copy of the page, by aligning its text to the annotated page's labelled lines
  (`training.l3s.align_extract`; the mapping of the human classes to labels is l3s.py's:
  headline = title, supplemental = byline/dateline/caption..., related content = related,
  comments = comment, boilerplate = other). A block that cannot be aligned is unlabelled.
* trafilatura's evaluation pages (`trafilatura_eval/`, 2019-2023, many languages): a block
  that holds a `with` snippet is body, one mostly covered by `without` snippets is "other",
  the rest unlabelled (`training.modern.label_lines`, the rules of the line data).

Unlabelled blocks stay in their page: their features are their neighbours' context.
Features take a while (trafilatura runs on every page), so each source's blocks are cached
in training/.cache/, under a key of the code and library versions that make them.

    python -m training.html_data      # counts per source, split and label
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.metadata
import inspect
import json
import logging
import os
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import joblib
import numpy as np

from cleaner.page import analyse, decode_html
from training.docs import DATA_DIR, site_of, split_of

log = logging.getLogger(__name__)

CACHE_DIR = Path(__file__).parent / ".cache"
L3S_DIR = DATA_DIR / "l3s_gn1"
MODERN_DIR = DATA_DIR / "trafilatura_eval"
SOURCES = ("l3s", "modern")
#: The files whose code decides the blocks, their features and labels: the cache key.
#: training/modern.py counts by its labelling rule alone (the rest of it makes line data).
_KEY_FILES = (
    "cleaner/page.py", "cleaner/blocks.py", "cleaner/features.py", "cleaner/patterns.py",
    "cleaner/clickbait.py", "cleaner/numeric.py", "training/html_data.py", "training/l3s.py",
)
_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class HtmlDoc:
    """One page as blocks: their text, features and labels (None = unlabelled)."""

    doc_id: str
    source: str  # "l3s" or "modern"
    site: str
    url: str
    path: str  # the page file, relative to DATA_DIR
    texts: list[str]
    X: np.ndarray  # with trafilatura's vote (`cleaner.blocks.without_vote` takes it off)
    labels: list[str | None]
    gold_text: str = ""  # L3S: the human full text of the page
    with_snippets: tuple[str, ...] = ()
    without_snippets: tuple[str, ...] = ()
    split: str = field(default="")

    def __post_init__(self) -> None:
        if not self.split:
            self.split = split_of(self.site)

    def html(self) -> bytes:
        """The page's bytes as served (gunzipped for the modern pages)."""
        raw = (DATA_DIR / self.path).read_bytes()
        return gzip.decompress(raw) if self.path.endswith(".gz") else raw


def _cache_key() -> str:
    digest = hashlib.sha256()
    for name in _KEY_FILES:
        path = _ROOT / name
        digest.update(path.read_bytes() if path.exists() else b"")
    from training import modern

    for rule in (modern.label_lines, modern.SnippetIndex, modern.normalise):
        digest.update(inspect.getsource(rule).encode())
    digest.update(repr(modern.COVERED_SHARE).encode())
    for package in ("trafilatura", "lxml", "htmldate", "justext"):
        digest.update(importlib.metadata.version(package).encode())
    return digest.hexdigest()[:12]


def _cached(source: str, build: Callable[[], list[HtmlDoc]], cache_dir: Path | None) -> list[HtmlDoc]:
    path = cache_dir / f"html_blocks_{source}_{_cache_key()}.joblib" if cache_dir else None
    if path is not None and path.exists():
        return joblib.load(path)
    started = time.time()
    docs = build()
    log.info("%s: %d pages in %.0f s", source, len(docs), time.time() - started)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        joblib.dump(docs, tmp, compress=3)
        tmp.replace(path)
    return docs


def _quiet() -> None:
    """trafilatura and htmldate log for every page they find little in: pages are counted here."""
    for name in ("trafilatura", "htmldate", "readability", "justext"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def build_l3s() -> list[HtmlDoc]:
    from training.l3s import (
        PAGE_ERRORS,
        align_extract,
        page_lines,
        parse_html,
        read_url_mapping,
        restore_characters,
    )
    from training.l3s import decode_html as l3s_decode

    _quiet()
    urls = read_url_mapping(L3S_DIR)
    docs: list[HtmlDoc] = []
    for path in sorted((L3S_DIR / "annotated").glob("*.html")):
        doc_id = path.stem
        original_path = L3S_DIR / "original" / path.name
        url = urls.get(doc_id, "")
        try:
            page = page_lines(parse_html(l3s_decode(path.read_bytes())))
            raw = original_path.read_bytes()
            page, _ = restore_characters(page, decode_html(raw))
            analysis = analyse(raw, url=url or None, with_metadata=False)
        except PAGE_ERRORS as exc:
            log.warning("skipping %s: %s", doc_id, exc)
            continue
        blocks = analysis.blocks
        if not page or not blocks.texts:
            continue
        labels = align_extract(blocks.texts, page)
        host = (urlsplit(url).hostname or "") if url else ""
        docs.append(HtmlDoc(
            doc_id=doc_id,
            source="l3s",
            site=site_of(host),
            url=url,
            path=str(original_path.relative_to(DATA_DIR)),
            texts=blocks.texts,
            X=analysis.voted().astype(np.float32),
            labels=labels,
            gold_text="\n".join(line for line, label in page if label == "body"),
        ))
    return docs


def build_modern() -> list[HtmlDoc]:
    from training.modern import canonical_url, label_lines, page_site, read_records

    _quiet()
    docs: list[HtmlDoc] = []
    for rec in read_records(MODERN_DIR):
        path = MODERN_DIR / rec["file"]
        raw = gzip.decompress(path.read_bytes())
        url = rec["url"].strip()
        try:
            analysis = analyse(raw, url=url if url.startswith("http") else None, with_metadata=False)
        except (ValueError, LookupError, OSError) as exc:
            log.warning("skipping %s: %s", rec["id"], exc)
            continue
        blocks = analysis.blocks
        canonical = canonical_url(decode_html(raw)) if "::" in url else ""
        docs.append(HtmlDoc(
            doc_id=rec["id"],
            source="modern",
            site=page_site(url, canonical),
            url=url,
            path=str(path.relative_to(DATA_DIR)),
            texts=blocks.texts,
            X=analysis.voted().astype(np.float32),
            labels=label_lines(blocks.texts, rec["with"], rec["without"]) if blocks.texts else [],
            with_snippets=tuple(rec["with"]),
            without_snippets=tuple(rec["without"]),
        ))
    return docs


BUILDERS = {"l3s": build_l3s, "modern": build_modern}


def load_html_docs(sources: tuple[str, ...] = SOURCES, cache_dir: Path | None = CACHE_DIR) -> list[HtmlDoc]:
    """Every page of the given sources as labelled blocks (cached)."""
    docs: list[HtmlDoc] = []
    for source in sources:
        docs.extend(_cached(source, BUILDERS[source], cache_dir))
    return docs


def main() -> None:
    # Through the module, not __main__: the cached HtmlDoc must unpickle from anywhere.
    from training import html_data

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    started = time.time()
    docs = html_data.load_html_docs()
    for source in SOURCES:
        for split in ("train", "dev", "test"):
            group = [d for d in docs if d.source == source and d.split == split]
            counts = Counter(label for d in group for label in d.labels)
            unlabelled = counts.pop(None, 0)
            print(f"{source:6} {split:5}: {len(group):4} pages, {len({d.site for d in group}):4} sites, "
                  f"{sum(len(d.texts) for d in group):7} blocks, {unlabelled} unlabelled; "
                  + json.dumps(dict(counts.most_common())))
    print(f"{time.time() - started:.0f} s")


if __name__ == "__main__":
    main()

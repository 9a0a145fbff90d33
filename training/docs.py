"""The labelled document every training source produces, and the split by site."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

#: ../shared/data seen from the repository root.
DATA_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
#: Out of every ten hash buckets of a site name: these are test, these dev, the rest train.
TEST_BUCKETS = frozenset({0, 1})
DEV_BUCKETS = frozenset({2})


@dataclass
class LabelledDoc:
    doc_id: str
    site: str  # host without "www.": the unit of the train/test split
    url: str
    shape: str  # "page" (whole-page text), "extract" (extractor output) or "article" (as scraped)
    lines: list[str]
    labels: list[str | None]  # one per line; None = unlabelled (context only, no loss)
    source: str = ""
    split: str = ""  # set by the source when the site does not decide it (built documents)
    group: str = ""  # the unit of cross-validation folds: the site, unless set

    def __post_init__(self) -> None:
        if not self.split:
            self.split = split_of(self.site)
        if not self.group:
            self.group = self.site


def site_of(host: str) -> str:
    host = host.lower().strip()
    return host[4:] if host.startswith("www.") else host


def split_of(site: str) -> str:
    """`train`, `dev` or `test`, fixed by the site's name so no site straddles two splits."""
    bucket = int(hashlib.sha1(site_of(site).encode()).hexdigest(), 16) % 10
    if bucket in TEST_BUCKETS:
        return "test"
    if bucket in DEV_BUCKETS:
        return "dev"
    return "train"

"""Plain records the cleaner returns: a Result per document, a Line per input line."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Every label a line can carry. `body` is kept; everything else is removed and, where it
#: means something, parsed into metadata. `blank` is given by segmentation, not the model.
LABELS: tuple[str, ...] = (
    "body",
    "blank",
    "title",
    "standfirst",
    "byline",
    "dateline",
    "agency_credit",
    "editor_tag",
    "related",
    "summary",
    "caption",
    "promo",
    "navigation",
    "legal",
    "comment",
    "other",
)


@dataclass
class Dateline:
    """The place/date/agency stamp a wire story opens with; `raw` is the text as written.

    `date` is as written (`Sept 28`); `date_iso` (`2017-09-28`) is set only when the year is
    known, from the dateline or the reference date (see cleaner/metadata.py).
    """

    location: str | None = None
    date: str | None = None
    agency: str | None = None
    raw: str = ""
    # Last, so that positional construction of the four fields above keeps its meaning.
    date_iso: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "location": self.location,
            "date": self.date,
            "date_iso": self.date_iso,
            "agency": self.agency,
            "raw": self.raw,
        }


@dataclass
class Line:
    text: str
    label: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "label": self.label, "score": round(self.score, 4)}


@dataclass
class Result:
    """What `clean()` returns: the story alone, and what was taken off it."""

    text: str = ""
    title: str | None = None
    standfirst: str | None = None
    byline: str | None = None
    dateline: Dateline | None = None
    agency: str | None = None
    editor_tags: list[str] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    #: The title's clickbait probability (cleaner/clickbait.py), None without a title.
    clickbait: float | None = None
    #: The clickbait probability of each `related` headline, in the same order.
    related_clickbait: list[float] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    #: What an HTML page declares about itself (url, date, sitename, language, author); empty
    #: for text input.
    page: dict[str, str] = field(default_factory=dict)
    #: HTML input: where `text` came from. "blocks": the page's blocks the block model kept;
    #: "extractor": trafilatura's text cleaned by the line model, when the block model kept
    #: no block (cleaner/pipeline.py: clean_html). None for text input.
    extraction: str | None = None
    error: dict[str, str] | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "text": self.text,
            "title": self.title,
            "standfirst": self.standfirst,
            "byline": self.byline,
            "dateline": self.dateline.to_dict() if self.dateline else None,
            "agency": self.agency,
            "editor_tags": list(self.editor_tags),
            "summary": list(self.summary),
            "related": list(self.related),
            "clickbait": None if self.clickbait is None else round(self.clickbait, 4),
            "related_clickbait": [round(score, 4) for score in self.related_clickbait],
            "lines": [line.to_dict() for line in self.lines],
        }
        if self.page:
            out["page"] = dict(self.page)
        if self.extraction is not None:
            out["extraction"] = self.extraction
        if self.error is not None:
            out["error"] = dict(self.error)
        return out

    @classmethod
    def failed(cls, exc: BaseException | str, kind: str | None = None) -> Result:
        """A Result that says why a document could not be cleaned, instead of raising."""
        if isinstance(exc, BaseException):
            return cls(error={"type": kind or type(exc).__name__, "message": str(exc)})
        return cls(error={"type": kind or "Error", "message": exc})

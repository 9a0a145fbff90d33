"""cleaner: strips boilerplate and clickbait from scraped news articles.

    import cleaner
    r = cleaner.clean(text)
    r.text, r.title, r.dateline, r.related, r.lines, r.to_dict()
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["clean", "clean_html", "clean_many", "Limits", "Result", "Line", "Dateline", "__version__"]

if TYPE_CHECKING:
    from cleaner.pipeline import Limits, clean, clean_html, clean_many
    from cleaner.result import Dateline, Line, Result


def __getattr__(name: str) -> Any:
    # The pipeline pulls in numpy and, on first use, the model: load them only when asked.
    if name in ("clean", "clean_html", "clean_many", "Limits"):
        from cleaner import pipeline

        return getattr(pipeline, name)
    if name in ("Result", "Line", "Dateline"):
        from cleaner import result

        return getattr(result, name)
    raise AttributeError(f"module 'cleaner' has no attribute {name!r}")

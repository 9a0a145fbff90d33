"""The tools timed on each corpus; each maps a list of documents (bytes) to its outputs.

Every tool takes a whole chunk so that cleaner can use its batch API (`clean_many`, one model
call per batch, as the CLI does); the others are called document by document, which is how
they are used. Imports happen in `prepare`, outside the timed region.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable

Tool = Callable[[list[bytes]], int]

#: C4's line rule (Raffel et al. 2020): a line is kept if it ends in terminal punctuation
#: (a closing quote counts) and has at least this many words.
C4_MIN_WORDS = 3
C4_ENDINGS = (".", "!", "?", '"', "”", "'", "’")


def _cleaner_text(docs: list[bytes]) -> int:
    from cleaner import clean_many

    return sum(len(r.text) for r in clean_many([d.decode("utf-8") for d in docs]))


def _cleaner_text_json(docs: list[bytes]) -> int:
    """What the CLI does with a batch: clean it and write one JSON record per document."""
    from cleaner import clean_many

    results = clean_many([d.decode("utf-8") for d in docs])
    return sum(len(json.dumps(r.to_dict(), ensure_ascii=False)) for r in results)


def _cleaner_html(docs: list[bytes]) -> int:
    from cleaner import clean_html

    return sum(len(clean_html(d).text) for d in docs)


def _c4(docs: list[bytes]) -> int:
    out = 0
    for d in docs:
        kept = []
        for line in d.decode("utf-8").splitlines():
            s = line.strip()
            if s.endswith(C4_ENDINGS) and len(s.split()) >= C4_MIN_WORDS:
                kept.append(s)
        out += len("\n".join(kept))
    return out


_STOPLIST: frozenset[str] = frozenset()


def _justext_text(docs: list[bytes]) -> int:
    """jusText on the text, each line wrapped as a `<p>` paragraph (it reads HTML only)."""
    import justext

    out = 0
    for d in docs:
        lines = d.decode("utf-8").splitlines()
        markup = "<html><body>" + "".join(f"<p>{html.escape(x)}</p>" for x in lines) + "</body></html>"
        paragraphs = justext.justext(markup, _STOPLIST)
        out += len("\n".join(p.text for p in paragraphs if not p.is_boilerplate))
    return out


def _trafilatura(favor_recall: bool) -> Tool:
    def run(docs: list[bytes]) -> int:
        import trafilatura

        return sum(len(trafilatura.extract(d, favor_recall=favor_recall) or "") for d in docs)

    return run


TOOLS: dict[str, Tool] = {
    "cleaner": _cleaner_text,
    "cleaner+json": _cleaner_text_json,
    "cleaner_html": _cleaner_html,
    "c4_filter": _c4,
    "justext": _justext_text,
    "trafilatura": _trafilatura(False),
    "trafilatura_recall": _trafilatura(True),
}


def prepare(name: str) -> Tool:
    """Import what the tool needs and load its model, so that timing sees neither."""
    global _STOPLIST
    if name.startswith("cleaner"):
        import cleaner
        from cleaner.model import line_model

        line_model()
        if name == "cleaner_html":
            import trafilatura  # noqa: F401

        cleaner.clean("warm-up line.\n")
    elif name == "justext":
        import justext

        _STOPLIST = frozenset(justext.get_stoplist("English"))
    elif name.startswith("trafilatura"):
        import trafilatura  # noqa: F401
    return TOOLS[name]

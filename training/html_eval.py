"""Held-out comparison of the HTML path with the open-source extractors, in one run.

    python -m training.html_eval         # what `make eval-html` runs; writes reports/html_eval.{md,json}

Only pages of test-split sites (training/docs.py: the split is by site) of both HTML
sources are scored, so no figure comes from a site the block model was trained or tuned on.
Every system gets the page's raw bytes, as a scrape pipeline has them, and is timed from
them: cleaner and trafilatura decode them themselves; readability and jusText, which want
text, get it from cleaner.page.decode_html inside their timed call.

* cleaner: `cleaner.clean_html` (blocks + block model), its `Result.text`;
* cleaner-lines: the first HTML path, trafilatura (favor_recall) then the line model;
* trafilatura: `trafilatura.extract(include_comments=False)`, default settings;
* trafilatura-precision: the same with favor_precision;
* readability: readability-lxml's `Document.summary()`, as text one block a line;
* justext: jusText with the stoplist of the page's declared language (English if none).

Measures (training/html_metrics.py): on L3S-GN1, per-page precision/recall/F1 of the
extracted text against the human full text (4-token shingles, the ScrapingHub benchmark's
metric; single tokens beside), averaged; on the modern pages, trafilatura's snippet
evaluation. Speed: docs per CPU-second (`time.process_time`, which a busy shared machine
does not inflate as it does the wall clock), each system in a pass of its own over all the
pages, the passes run twice, the second time in reverse order, and averaged. A system is
not timed on a page another has just read: trafilatura keeps caches (`trim`,
`line_processing`) that a trafilatura-based system run just before on the same page leaves
warm (on the dev pages: 50 docs per CPU-second right after cleaner-lines, 46 after jusText),
and the first system to touch a page pays for it (trafilatura three times over: 57 docs per
CPU-second first, 63 second or third).
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from collections.abc import Callable
from pathlib import Path

from training.html_data import HtmlDoc, load_html_docs
from training.html_metrics import snippet_scores, text_scores

REPORT_DIR = Path(__file__).resolve().parent.parent / "reports"
#: Pages run untimed through every system first, so imports and caches are warm for all.
WARMUP_PAGES = 5
#: jusText stoplists by the page's declared language (ISO 639-1).
JUSTEXT_LANGUAGES = {
    "en": "English", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian",
    "pt": "Portuguese", "nl": "Dutch", "pl": "Polish", "ru": "Russian", "sv": "Swedish",
    "da": "Danish", "no": "Norwegian_Bokmal", "nb": "Norwegian_Bokmal", "fi": "Finnish",
    "cs": "Czech", "tr": "Turkish", "el": "Greek", "hu": "Hungarian", "ro": "Romanian",
    "zh": "Chinese", "ja": "Japanese", "ko": "Korean", "ar": "Arabic", "uk": "Ukrainian",
}

System = Callable[[bytes, str | None], str]  # (the page's raw bytes, its url) -> text


def run_cleaner(raw: bytes, url: str | None) -> str:
    from cleaner import clean_html

    return clean_html(raw, url=url).text


def run_cleaner_lines(raw: bytes, url: str | None) -> str:
    from cleaner import clean
    from cleaner.page import read_page

    return clean(read_page(raw, url=url).text).text


def run_trafilatura(raw: bytes, url: str | None) -> str:
    import trafilatura

    return trafilatura.extract(raw, url=url, include_comments=False) or ""


def run_trafilatura_precision(raw: bytes, url: str | None) -> str:
    import trafilatura

    return trafilatura.extract(raw, url=url, include_comments=False, favor_precision=True) or ""


def _html_as_lines(html: str) -> str:
    from cleaner.blocks import walk
    from cleaner.page import parse_html

    try:
        return "\n".join(block.text for block in walk(parse_html(html)))
    except ValueError:
        return ""


def run_readability(raw: bytes, url: str | None) -> str:
    from readability import Document

    from cleaner.page import decode_html

    return _html_as_lines(Document(decode_html(raw), url=url).summary(html_partial=False))


def _declared_language(markup: str) -> str:
    import re

    match = re.search(r"<html[^>]*\blang\s*=\s*[\"']?([a-zA-Z]{2})", markup[:5000], re.IGNORECASE)
    return match.group(1).lower() if match else "en"


def run_justext(raw: bytes, url: str | None) -> str:
    import justext

    from cleaner.page import decode_html

    markup = decode_html(raw)
    stoplist = justext.get_stoplist(JUSTEXT_LANGUAGES.get(_declared_language(markup), "English"))
    paragraphs = justext.justext(markup.encode("utf-8"), stoplist, encoding="utf-8")
    return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)


SYSTEMS: dict[str, System] = {
    "cleaner": run_cleaner,
    "cleaner-lines": run_cleaner_lines,
    "trafilatura": run_trafilatura,
    "trafilatura-precision": run_trafilatura_precision,
    "readability": run_readability,
    "justext": run_justext,
}
#: The pair whose speeds are compared.
SPEED_PAIR = ("cleaner", "trafilatura")
#: Timed passes of each system over the pages, in turn forward and in reverse order of systems.
SPEED_PASSES = 2


def _quiet() -> None:
    for name in ("trafilatura", "htmldate", "readability", "readability.readability", "justext"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def run_systems(docs: list[HtmlDoc], systems: dict[str, System], warmup: list[HtmlDoc]) -> tuple[dict, dict]:
    """Every system's text for every page, and its seconds over the pages of each source
    (the mean of `SPEED_PASSES` passes)."""
    _quiet()
    for doc in warmup:
        for system in systems.values():
            system(doc.html(), _url(doc))
    pages = [(doc.html(), _url(doc), doc.source) for doc in docs]
    names = list(systems)
    outputs: dict[str, list[str]] = {name: [""] * len(docs) for name in names}
    seconds: dict[str, dict[str, float]] = {name: {} for name in names}
    errors: dict[str, int] = dict.fromkeys(names, 0)
    for round_ in range(SPEED_PASSES):
        for name in names if round_ % 2 == 0 else names[::-1]:
            by_source = seconds[name]
            for i, (raw, url, source) in enumerate(pages):
                started = time.process_time()
                try:
                    text = systems[name](raw, url)
                except Exception:  # noqa: BLE001 - a system failing on a page scores nothing there
                    text = ""
                    errors[name] += round_ == 0
                spent = (time.process_time() - started) / SPEED_PASSES
                by_source[source] = by_source.get(source, 0.0) + spent
                if round_ == 0:
                    outputs[name][i] = text
    return outputs, {"seconds": seconds, "errors": errors}


def _url(doc: HtmlDoc) -> str | None:
    return doc.url if doc.url.startswith("http") else None


def evaluate(systems: dict[str, System] | None = None, split: str = "test") -> dict:
    systems = systems or SYSTEMS
    started = time.time()
    docs = [d for d in load_html_docs() if d.split == split]
    warmup = [d for d in load_html_docs() if d.split == "dev"][:WARMUP_PAGES]
    l3s = [d for d in docs if d.source == "l3s"]
    modern = [d for d in docs if d.source == "modern"]
    outputs, timing = run_systems(l3s + modern, systems, warmup)
    n = len(l3s)
    report: dict = {
        "split": split,
        "l3s": {"pages": len(l3s), "sites": len({d.site for d in l3s}), "systems": {}},
        "modern": {"pages": len(modern), "sites": len({d.site for d in modern}), "systems": {}},
        "speed": {},
    }
    for name in systems:
        out = outputs[name]
        report["l3s"]["systems"][name] = {
            "shingles": text_scores(out[:n], [d.gold_text for d in l3s]),
            "tokens": text_scores(out[:n], [d.gold_text for d in l3s], n=1),
        }
        report["modern"]["systems"][name] = snippet_scores(
            out[n:], [d.with_snippets for d in modern], [d.without_snippets for d in modern]
        )
        by_source = timing["seconds"][name]
        secs = sum(by_source.values())
        report["speed"][name] = {
            "docs_per_cpu_s": round(len(docs) / secs, 2) if secs else 0.0,
            "cpu_seconds": round(secs, 2),
            "errors": timing["errors"][name],
            **{
                f"{source}_docs_per_cpu_s": round(len(pages) / by_source[source], 2)
                for source, pages in (("l3s", l3s), ("modern", modern))
                if by_source.get(source)
            },
        }
    a, b = SPEED_PAIR
    if a in report["speed"] and b in report["speed"] and report["speed"][b]["docs_per_cpu_s"]:
        for prefix, suffix in (("", ""), ("l3s_", "_l3s"), ("modern_", "_modern")):
            key = f"{prefix}docs_per_cpu_s"
            if report["speed"][b].get(key) and report["speed"][a].get(key):
                ratio = report["speed"][a][key] / report["speed"][b][key]
                report["speed"][f"ratio_cleaner_to_trafilatura{suffix}"] = round(ratio, 3)
    report["seconds"] = round(time.time() - started, 1)
    return report


def to_markdown(report: dict) -> str:
    l3s, modern, speed = report["l3s"], report["modern"], report["speed"]
    out = [
        "# Held-out evaluation of the HTML path",
        "",
        f"Pages of {report['split']}-split sites only; generated by `make eval-html` "
        "(`python -m training.html_eval`). All systems ran on the same pages in the same run.",
        "",
        f"## L3S-GN1: {l3s['pages']} pages, {l3s['sites']} sites (2008 news)",
        "",
        "Per-page precision/recall/F1 against the human full text, averaged over pages; "
        "4-token shingles (the ScrapingHub benchmark's metric) and single tokens.",
        "",
        "| system | shingle P | shingle R | shingle F1 | token P | token R | token F1 |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, s in l3s["systems"].items():
        sh, tk = s["shingles"], s["tokens"]
        out.append(f"| {name} | {sh['precision']:.3f} | {sh['recall']:.3f} | {sh['f1']:.3f} "
                   f"| {tk['precision']:.3f} | {tk['recall']:.3f} | {tk['f1']:.3f} |")
    out += [
        "",
        f"## trafilatura's evaluation pages: {modern['pages']} pages, {modern['sites']} sites (2019-2023)",
        "",
        "trafilatura's snippet evaluation: `with` snippets found = TP, missing = FN; `without` "
        "snippets found = FP, absent = TN.",
        "",
        "| system | precision | recall (with kept) | F1 | accuracy | without removed |",
        "|---|---|---|---|---|---|",
    ]
    for name, s in modern["systems"].items():
        out.append(f"| {name} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} "
                   f"| {s['accuracy']:.3f} | {s['without_removed']:.3f} |")
    out += ["", "## Speed (same pages, same run)", "",
            "Every system from the page's raw bytes, each in a pass of its own over the pages, "
            f"{SPEED_PASSES} passes (the order of systems reversed in turn), averaged; CPU time "
            "(`time.process_time`). Why not page by page: training/html_eval.py's docstring.",
            "",
            "| system | docs per CPU-s | L3S pages | modern pages | CPU seconds | errors |",
            "|---|---|---|---|---|---|"]
    for name, s in speed.items():
        if isinstance(s, dict):
            l3s_rate, modern_rate = s.get("l3s_docs_per_cpu_s", 0), s.get("modern_docs_per_cpu_s", 0)
            out.append(f"| {name} | {s['docs_per_cpu_s']:.1f} | {l3s_rate:.1f} | {modern_rate:.1f} "
                       f"| {s['cpu_seconds']:.1f} | {s['errors']} |")
    if "ratio_cleaner_to_trafilatura" in speed:
        out += ["", "cleaner / trafilatura (default) docs per CPU-second: "
                f"{speed['ratio_cleaner_to_trafilatura']:.2f} (L3S pages "
                f"{speed.get('ratio_cleaner_to_trafilatura_l3s', 0):.2f}, modern pages "
                f"{speed.get('ratio_cleaner_to_trafilatura_modern', 0):.2f})"]
    out.append("")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", default="test", choices=("dev", "test"),
                        help="dev while tuning; test once, for the report")
    parser.add_argument("--systems", default=",".join(SYSTEMS))
    args = parser.parse_args()
    systems = {name: SYSTEMS[name] for name in args.systems.split(",") if name}
    report = evaluate(systems, args.split)
    md = to_markdown(report)
    if args.split == "test":
        REPORT_DIR.mkdir(exist_ok=True)
        (REPORT_DIR / "html_eval.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        (REPORT_DIR / "html_eval.md").write_text(md, encoding="utf-8")
    print(md)


if __name__ == "__main__":
    main()

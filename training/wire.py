"""Wire stories as republishers and aggregators hand them over, built from real parts.

The body of each document is a real Reuters story (ISOT subset), split into paragraphs of
one to three sentences. Around it go the things the seeds show sites adding: a dateline in
one of the wire formats, a title (the story's real headline), a standfirst (a real page
description from trafilatura's evaluation pages of training sites), a republisher's summary
box, agency sign-offs, editor tags, reporting credits, and a tail of related headlines (real
headlines from the clickbait corpus). Every label follows from how the document was built.
No seed line is used.
"""

from __future__ import annotations

import csv
import gzip
import html
import json
import random
import re
from pathlib import Path

from cleaner.patterns import match_dateline
from training.docs import DATA_DIR, LabelledDoc, split_of

SEED = 20261123
REUTERS_CSV = DATA_DIR / "news_raw" / "isot_reuters_subset" / "True_subset_989.csv"
CLICKBAIT_DIR = DATA_DIR / "clickbait"
TRAFILATURA_EVAL = DATA_DIR / "trafilatura_eval"

_REUTERS_DATELINE = re.compile(r"^\s*(?P<place>[^()]{0,60}?)\s*\(Reuters\)\s*-\s*")
_SENTENCE_GAP = re.compile(r"[.!?][\"”’)]?\s+(?=[\"“‘(]?[A-Z])")
# Tokens ending in a full stop that do not end a sentence: U.S., Mr., Jan., initials.
_ABBREVIATION = re.compile(
    r"(?:\b[A-Z]\.|\b(?:[A-Z]\.){2,}|\b(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Gen|Lt|Col|St|Jr|Sr|Inc|Corp|Co|No"
    r"|Jan|Feb|Aug|Sept|Sep|Oct|Nov|Dec|vs|Prof|Rev|Sgt|Capt|Adm|Ft|U\.S|U\.N)\.)$"
)
_DESCRIPTION = re.compile(
    r"<meta[^>]+(?:property|name)=[\"'](?:og:description|description)[\"'][^>]*"
    r"content=[\"']([^\"']{40,400})",
    re.IGNORECASE,
)

AGENCIES = ("IANS", "PTI", "AFP", "AP", "Reuters", "ANI", "UNI", "Xinhua", "Yonhap",
            "NationPress", "Bernama", "dpa", "EFE", "Kyodo", "AAP", "WAM", "KUNA", "APP")
MONTHS = ("Jan", "Feb", "March", "April", "May", "June", "July", "Aug", "Sept", "Oct",
          "Nov", "Dec", "January", "February", "August", "September", "October",
          "November", "December")
FIRST_NAMES = ("Martin", "Priya", "David", "Elena", "Kim", "Ahmed", "Laura", "John", "Mei",
               "Carlos", "Anna", "Rahul", "Sarah", "Tom", "Fatima", "Peter", "Yuki", "Grace")
LAST_NAMES = ("Smith", "Sharma", "Lee", "Petrova", "Okafor", "Garcia", "Chen", "Brown",
              "Nguyen", "Khan", "Mueller", "Rossi", "Park", "Dubois", "Silva", "Cohen")
RELATED_HEADERS = ("You may also like", "Related Articles", "Related", "Read more",
                   "Read More:", "More from this section", "Most read", "Most Read in World",
                   "DON'T MISS", "Recommended", "Also read", "Trending Now", "Top Stories",
                   "More stories", "Related News", "You might also like")
SUMMARY_HEADERS = ("Synopsis", "Key Takeaways", "Key Points", "Highlights", "Summary",
                   "In Brief", "At a glance", "Key takeaways:", "TL;DR")
SIGNOFFS = ("--{a}", "-- {a}", "— {a}", "--{a}.", "({a})", "- {a}", "–{a}")
PROMOS = ("Subscribe to our newsletter for the latest updates.",
          "Follow us on Twitter and Facebook for more news.",
          "Sign up for our daily briefing",
          "Download our app to get breaking news alerts.",
          "Click here to join our WhatsApp channel",
          "Support independent journalism. Donate today.",
          "Get the latest news delivered to your inbox",
          "Share this article",
          "ADVERTISEMENT",
          "Join our Telegram channel for live updates")
LEGALS = ("© {y} {a}. All rights reserved.",
          "Copyright {y} {a}. This material may not be published, broadcast, rewritten or redistributed.",
          "Disclaimer: This story is auto-generated from a syndicated feed.",
          "All rights reserved. Terms of use | Privacy policy")
CAPTIONS = ("(Photo: Reuters/{n})", "Photo: {n}/AFP", "FILE PHOTO: {s}",
            "Image: Getty Images", "(Image credit: {n})")


def _reuters() -> list[dict[str, str]]:
    with REUTERS_CSV.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _headlines() -> list[str]:
    out = []
    for name in ("clickbait_data.txt", "non_clickbait_data.txt"):
        text = (CLICKBAIT_DIR / name).read_text(encoding="utf-8", errors="replace")
        out.extend(line.strip() for line in text.splitlines() if line.strip())
    return out


_ENGLISH_WORDS = frozenset(
    "the a an of to in and is are was for on with that by as at from has have says said".split()
)
#: Share of words that must be common English words for a description to pass as English.
ENGLISH_MIN_SHARE = 0.15


def _is_english(text: str) -> bool:
    words = text.lower().split()
    return bool(words) and sum(w in _ENGLISH_WORDS for w in words) / len(words) >= ENGLISH_MIN_SHARE


def _description_of(page: str) -> str | None:
    m = _DESCRIPTION.search(page)
    if m is None:
        return None
    text = html.unescape(re.sub(r"<[^>]+>", "", re.sub(r"\s+", " ", m.group(1)))).strip()
    # A description opening like a dateline ("York Regional Police (YRP) ...") is left out:
    # no real standfirst carries one, and the model should not learn that it may.
    if (
        text.endswith((".", "!", "?")) and not text.endswith("...") and _is_english(text)
        and match_dateline(text) is None
    ):
        return text
    return None


def _descriptions() -> list[str]:
    """Page descriptions (real standfirsts) of L3S and trafilatura-eval pages of training sites."""
    # The site of each page as its own source names it (training.modern.page_site,
    # training.l3s._site), so no description of a dev or test site reaches training.
    from training.l3s import L3S_DIR, _site, read_url_mapping
    from training.modern import canonical_url, page_site

    pages: list[tuple[str | None, Path, str]] = []  # (L3S site or None, file, evaldata url)
    with (TRAFILATURA_EVAL / "evaldata.jsonl").open(encoding="utf-8") as f:
        for raw in f:
            rec = json.loads(raw)
            pages.append((None, TRAFILATURA_EVAL / rec["file"], rec["url"]))
    for doc_id, url in sorted(read_url_mapping(L3S_DIR).items()):
        pages.append((_site(url), L3S_DIR / "original" / f"{doc_id}.html", ""))
    out = []
    for site, path, url in pages:
        if not path.is_file():
            continue
        data = gzip.open(path).read() if path.suffix == ".gz" else path.read_bytes()
        page = data.decode("utf-8", "replace")
        if split_of(site if site is not None else page_site(url, canonical_url(page))) != "train":
            continue
        text = _description_of(page)
        if text and text not in out:
            out.append(text)
    return out


def _title_style(rng: random.Random, title: str, headlines: list[str], questions: list[str]) -> str:
    """Sites restyle headlines: Title Case, or another real headline (questions, listicles)."""
    roll = rng.random()
    if roll < 0.25:
        return " ".join(w[:1].upper() + w[1:] if len(w) > 3 else w for w in title.split())
    if roll < 0.35:
        return rng.choice(headlines)
    if roll < 0.45:  # republishers often rewrite a headline as a question
        return rng.choice(questions or headlines)
    return title


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def _dateline(rng: random.Random, place: str) -> str:
    agency = rng.choice(AGENCIES)
    date = f"{rng.choice(MONTHS)} {rng.randint(1, 28)}"
    title_place = place.title() if place.isupper() else place
    form = rng.randrange(6)
    if form == 0:
        return f"{title_place}, {date} ({agency}) "
    if form == 1:
        return f"{title_place}, {date} ({agency}): "
    if form == 2:
        return f"{place.upper()} ({agency}) - "
    if form == 3:
        return f"{place.upper()}, {date} ({agency}) – "
    if form == 4:
        return f"{place.upper()} -- "
    return f"By {agency.upper()}, {title_place} : "


def _sentences(text: str) -> list[str]:
    out, start = [], 0
    for m in _SENTENCE_GAP.finditer(text):
        end = m.start() + 1 + len(m.group(0).rstrip()) - 1
        if _ABBREVIATION.search(text[start:m.start() + 1]):
            continue
        out.append(text[start:end].strip())
        start = m.end()
    out.append(text[start:].strip())
    return [s for s in out if s]


def _paragraphs(rng: random.Random, text: str) -> list[str]:
    sentences = _sentences(text)
    paras, i = [], 0
    while i < len(sentences):
        k = rng.choice((1, 1, 2, 2, 3))
        paras.append(" ".join(sentences[i:i + k]))
        i += k
    return paras


def _tag(rng: random.Random) -> str:
    letters = "abcdefghijklmnoprstuvwy"
    groups = rng.randint(2, 3)
    return "/".join("".join(rng.choice(letters) for _ in range(rng.randint(2, 3))) for _ in range(groups))


def build_wire_docs(limit: int | None = None, seed: int = SEED) -> list[LabelledDoc]:
    rng = random.Random(seed)
    stories = _reuters()
    headlines = _headlines()
    questions = [h for h in headlines if h.endswith("?")]
    descriptions = _descriptions()
    places = [m.group("place") for s in stories if (m := _REUTERS_DATELINE.match(s["text"]))]
    places = [p for p in places if p and "/" not in p] or ["WASHINGTON"]
    docs = []
    for i, story in enumerate(stories[:limit]):
        doc = _build_doc(rng, i, story, headlines, questions, descriptions, places)
        if doc is not None:
            docs.append(doc)
    return docs


def _build_doc(
    rng: random.Random,
    i: int,
    story: dict[str, str],
    headlines: list[str],
    questions: list[str],
    descriptions: list[str],
    places: list[str],
) -> LabelledDoc | None:
    m = _REUTERS_DATELINE.match(story["text"])
    body_text = story["text"][m.end():] if m else story["text"].strip()
    paras = _paragraphs(rng, body_text)
    if len(paras) < 2:
        return None
    lines: list[str] = []
    labels: list[str] = []

    def add(text: str, label: str) -> None:
        lines.append(text)
        labels.append(label)

    if rng.random() < 0.2:
        add("", "blank")
    has_title = rng.random() < 0.5
    if has_title:
        title = _title_style(rng, story["title"].strip(), headlines, questions)
        add(title, "title")
        if rng.random() < 0.4:
            add("", "blank")
        if rng.random() < 0.2:
            add(rng.choice(("By {n}", "{n}, Staff Writer", "By {n} | {a}", "{n}")).format(
                n=_name(rng), a=rng.choice(AGENCIES)), "byline")
    if descriptions and rng.random() < (0.1 if has_title else 0.5):
        add(rng.choice(descriptions), "standfirst")
    if rng.random() < 0.2:
        if rng.random() < 0.6:
            add(rng.choice(SUMMARY_HEADERS[:1] + SUMMARY_HEADERS), "summary")
            add(" ".join(rng.sample(paras, min(2, len(paras)))), "summary")
        if rng.random() < 0.8:
            add(rng.choice(SUMMARY_HEADERS[1:]), "summary")
            # Always marked: unmarked bullets before an undated body leave no visible boundary.
            marker = rng.choice(("- ", "• ", "* ", "– "))
            for sentence in rng.sample(paras, min(rng.randint(3, 5), len(paras))):
                add(marker + sentence.split(". ")[0].rstrip(".") + ".", "summary")
    if rng.random() < 0.55:
        paras[0] = _dateline(rng, rng.choice(places)) + paras[0]
    gap = rng.random() < 0.15
    for j, para in enumerate(paras):
        add(para, "body")
        if gap and j < len(paras) - 1:
            add("", "blank")
        if 0 < j < len(paras) - 1:
            roll = rng.random()
            if roll < 0.03:
                add(f"READ MORE: {rng.choice(headlines)}", "related")
            elif roll < 0.05:
                add(rng.choice(CAPTIONS).format(n=_name(rng), s=paras[0][:80]), "caption")
            elif roll < 0.06:
                add(rng.choice(PROMOS), "promo")
    agency = rng.choice(AGENCIES)
    if rng.random() < 0.35:
        add(rng.choice(SIGNOFFS).format(a=agency), "agency_credit")
        if rng.random() < 0.6:
            add(_tag(rng), "editor_tag")
    elif rng.random() < 0.2:
        add(f"(Reporting by {_name(rng)}; Editing by {_name(rng)})", "agency_credit")
    if rng.random() < 0.12:
        add(rng.choice(PROMOS), "promo")
    if rng.random() < 0.08:
        add(rng.choice(LEGALS).format(y=rng.randint(2008, 2026), a=agency), "legal")
    if rng.random() < 0.5:
        if rng.random() < 0.2:
            add("", "blank")
        add(rng.choice(RELATED_HEADERS), "related")
        for headline in rng.sample(headlines, rng.randint(3, 8)):
            add(headline, "related")
    return LabelledDoc(
        doc_id=f"wire:{i}", site="reuters.com", url="", shape="article",
        lines=lines, labels=labels, source="wire (Reuters ISOT + clickbait headlines)",
        # One site only: split by story, so every story is in one split.
        split="dev" if i % 10 == 0 else "train",
        group=f"wire:{i % 20}",
    )

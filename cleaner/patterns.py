"""Compiled shapes of the things scraped articles carry besides the story.

These know shapes, not decisions: each one feeds a feature of the line model and, once the
model has labelled a line, parses its metadata. Nothing here removes a line by itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cleaner import _literals

# German months here and German stamp words in DATE_STAMP (stop 33, branch `dates-de`): `make cv`
# found nothing better beyond chance, and cleaned L3S recall -0.005 [-0.012, -0.001] (dealing 0):
# not kept. The metadata parsers read German dates (cleaner/metadata.py).
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DATE = rf"(?:{_MONTH}\s+\d{{1,2}}(?:,?\s+\d{{4}})?|\d{{1,2}}\s+{_MONTH}(?:,?\s+\d{{4}})?)"
#: A capitalised word of a place name (`Seoul`, `St.`, `Jeju-do`), and a name of up to four.
PLACE_WORD = r"[A-Z][\w'’.\-]*"
PLACE = rf"{PLACE_WORD}(?:\s{PLACE_WORD}){{0,3}}"
_REGION = rf"{PLACE_WORD}(?:\s{PLACE_WORD}){{0,2}}"
# An agency in a dateline is an acronym or one capitalised word: (IANS), (Reuters), (NationPress).
_AGENCY = r"[A-Z][A-Za-z&.]{1,19}"
_DASH = r"(?:--|-|–|—|:)"

#: `Seoul, April 30 (IANS) `, `LONDON, Sept 28 (Reuters) – `, `WASHINGTON (Reuters) - `
DATELINE_AGENCY = re.compile(
    rf"^(?P<place>{PLACE})(?:,\s(?P<region>{_REGION}))??(?:,\s*(?P<date>{_DATE}))?\s*"
    rf"\((?P<agency>{_AGENCY})\)\s*{_DASH}?\s*(?=[\"“‘'A-Z0-9])"
)
#: `YALA, Thailand - `, `SEOUL -- `: a place in capitals and a dash, no agency.
DATELINE_CAPS = re.compile(
    r"^(?P<place>[A-Z][A-Z.'\-]+(?:\s[A-Z][A-Z.'\-]+){0,3})"
    r"(?:,\s(?P<region>[A-Z][a-z]+(?:\s[A-Z][a-z]+)?))?"
    rf"(?:,\s*(?P<date>{_DATE}))?\s+(?:--|-|–|—)\s+(?=[\"“‘'A-Z0-9])"
)
#: `By IANS, Kolkata : `
DATELINE_BY_AGENCY = re.compile(
    rf"^By\s(?P<agency>[A-Z]{{2,10}}),\s(?P<place>{PLACE})\s*:\s*(?=[\"“‘'A-Z0-9])"
)
_DATELINES = (DATELINE_AGENCY, DATELINE_BY_AGENCY, DATELINE_CAPS)


#: A pattern with the literals one of which every match of it holds (the agency's bracket,
#: `By`, a dash for the dateline forms): most body lines lack them, and `in` tells it several
#: times faster than the pattern failing to match.
Marked = tuple[re.Pattern[str], tuple[str, ...]]


def marked(pattern: re.Pattern[str]) -> Marked:
    """`pattern` with its marks; ("",) when none is known (the empty string is in every line)."""
    found = None if pattern.flags & re.IGNORECASE else _literals.required_fragments(pattern)
    return pattern, ("",) if found is None else tuple(sorted(_literals.minimal(found)))


def has_mark(line: str, marks: tuple[str, ...]) -> bool:
    for mark in marks:  # a loop, not any(): it runs on every line of every batch
        if mark in line:
            return True
    return False


_MARKED_DATELINES = tuple(map(marked, _DATELINES))

#: `--IANS`, `— PTI`, `(AFP)` alone on a line.
AGENCY_SIGNOFF = re.compile(
    r"^\s*(?:(?:--|—|–|-)\s*(?P<a1>[A-Z][A-Za-z]{1,14})|\((?P<a2>[A-Z]{2,10})\))\s*\.?\s*$"
)
#: `(Reporting by ...; Editing by ...)`, `Additional reporting by`, `contributed to this report`.
AGENCY_CREDIT = re.compile(
    r"^\(?\s*(?:additional\s+)?(?:reporting|writing|editing|compiled)\s+by\b"
    r"|contributed\s+to\s+this\s+report|^\(?with\s+inputs\s+from\b|^source\s*:"
    r"|^\s*©\s*\d{4}\s+[A-Z]|originally\s+(?:appeared|published)\s+(?:on|in|at)\b",
    re.IGNORECASE,
)
_TAG_STOPWORDS = frozenset({"and/or", "he/she", "his/her", "him/her", "s/he", "w/o", "n/a", "y/n"})
#: `int/jk/as`, `ms/vd`: slash-joined initials closing a wire story.
EDITOR_TAG = re.compile(r"^[a-z]{1,5}(?:/[a-z]{1,5}){1,4}$")
BULLET = re.compile(r"^\s*(?:[-•*·▪●◦‣–—>]|\d{1,2}[.)])\s+\S")
BYLINE = re.compile(
    r"^\s*(?:by|written by|posted by|von)\s+(?P<name>[A-Z][\w'’.\-]+(?:\s[A-Z][\w'’.\-]+){0,3})"
    r"(?:\s*(?:,|\||and|&)\s*.{0,60})?$",
    re.IGNORECASE,
)
# A second round of the other languages' words (stop 34, branch `vocab2`: `Schon gelesen?`,
# `Empfohlene Beiträge`, `VEA TAMBIÉN:`, `Quelle:`, numbered figures, `Leave a reply`, `Nur
# angemeldete Benutzer ...`), chosen as the first by counting body and other lines of train and
# dev sites: `make cv` found modern whole-page `without` removed better on dealing 0 only
# (+0.011 [+0.001, +0.021]) and L3S page body F1 leaning down on both (-0.012, -0.008): not kept.
RELATED_HEADER = re.compile(
    r"^\W*(?:you\s+(?:may|might)\s+(?:also\s+)?(?:like|enjoy|be\s+interested)|related(?:\s+\w+){0,2}"
    r"|read\s+(?:more|also|next)|also\s+read|see\s+also|more\s+(?:from|stories|news|on)\b.{0,40}"
    r"|most\s+(?:read|popular|viewed|shared)\b.{0,40}|don'?t\s+miss|recommended(?:\s+\w+){0,2}"
    r"|trending(?:\s+\w+){0,2}|top\s+stories|latest\s+news|what\s+to\s+read\s+next"
    # German, French, Spanish, Italian, Portuguese, Dutch, Polish: the training pages' languages.
    r"|mehr\s+(?:zum\s+thema|zu\s+(?:diesem\s+)?thema|artikel|nachrichten|news|beiträge)\b.{0,40}"
    r"|mehr\s+(?:aus|von)\s+(?:der|dem|den|diesem|dieser)\b.{0,40}"
    r"|(?:das|dies)\s+(?:könnte|dürfte)\s+sie\s+(?:auch\s+)?interessieren|lesen\s+sie\s+(?:auch|mehr|weiter)"
    r"|auch\s+interessant|siehe\s+auch|meistgelesen\w*|top[-\s]?themen|empfehlungen"
    r"|(?:weitere|ähnliche|verwandte)\s+(?:artikel|beiträge|nachrichten|themen|meldungen|news|links)"
    r"|(?:à\s+)?lire\s+(?:aussi|également)|sur\s+le\s+même\s+sujet|(?:te|le)\s+(?:puede|podría)\s+interesar"
    r"|lee\s+también|(?:noticias|artículos)\s+relacionad[oa]s|leggi\s+anche|articoli\s+correlati"
    r"|(?:leia|veja)\s+(?:também|mais)|lees\s+ook|(?:czytaj|zobacz)\s+(?:też|także|również|więcej))\W*$",
    re.IGNORECASE,
)
#: `READ MORE: <headline>` inside a body.
INLINE_RELATED = re.compile(
    r"^\W*(?:read\s+more|also\s+read|read\s+also|related|see\s+also|watch|must\s+read"
    r"|mehr\s+zum\s+thema|lesen\s+sie\s+(?:auch|mehr)|auch\s+interessant|siehe\s+auch|(?:à\s+)?lire\s+aussi"
    r"|lee\s+también|leia\s+também|leggi\s+anche|czytaj\s+(?:też|także))\s*[:|-]\s*\S",
    re.IGNORECASE,
)
SUMMARY_HEADER = re.compile(
    r"^\W*(?:synopsis|key\s+(?:takeaways?|points|highlights|facts)|highlights|summary|in\s+brief"
    r"|at\s+a\s+glance|tl;?\s*dr|the\s+big\s+picture|why\s+it\s+matters)\W*$",
    re.IGNORECASE,
)
#: Calls to the reader to act (follow, subscribe, share), in English and the training pages'
#: other languages: words of PROMO anywhere in a line, and of PROMPT at its start.
_CALLS_TO_ACT = (
    r"subscribe|sign\s+up|follow\s+us|like\s+us|share\s+(?:this|on)|click\s+here"
    r"|download\s+(?:the|our)\s+app|join\s+us|abonnieren|abonnez|suscr\wbete|iscriviti|folgen\s+sie\s+uns"
    r"|folgt\s+uns|suivez-nous|s\wguenos|seguici"
)
#: The lookahead of the words' first letters changes no match: it spares the case-insensitive
#: engine trying all its words at every word start (2-3x faster on paragraphs). The words of
#: PROMO, LEGAL and CAPTION are written in ASCII, `\w` standing for an accented letter
#: (`suscr\wbete`): a non-ASCII letter would cost them their case-sensitive twin, which runs on
#: folded text twice as fast (cleaner/_literals.py).
PROMO = re.compile(
    rf"\b(?=[acdfhijklnprstuvwy])(?:{_CALLS_TO_ACT}|newsletter|advertisement|sponsored|donate|support\s+our"
    r"|whatsapp|telegram|facebook|twitter|instagram|youtube|podcast|log\s+in|sign\s+in|register"
    r"|abonneer|siga-nos|volg\s+ons|hier\s+klicken|klicken\s+sie\s+hier|udost\wpnij"
    r"|jetzt\s+(?:abonnieren|anmelden|registrieren|spenden))\b",
    re.IGNORECASE,
)
#: A call to act opening a line (`Follow us on Facebook`, `Sign up for our newsletter`,
#: `Jetzt abonnieren`): no headline, though it may close a run of related ones. Unlike PROMO,
#: a network's name alone (`Facebook fined ...`) is no call.
PROMPT = re.compile(
    rf"^\W*(?:{_CALLS_TO_ACT}|get\s+(?:our|the)\s+(?:newsletter|app)"
    r"|(?:jetzt\s+)?(?:abonnieren|anmelden|registrieren))\b",
    re.IGNORECASE,
)
LEGAL = re.compile(
    r"©|\bcopyright\b|all\s+rights\s+reserved|terms\s+(?:of\s+(?:use|service)|and\s+conditions)"
    r"|privacy\s+policy|cookie|disclaimer|may\s+not\s+be\s+(?:published|reproduced)"
    r"|\bimpressum\b|datenschutz(?:erkl\wrung|hinweise?|bestimmungen)|alle\s+rechte\s+vorbehalten"
    r"|nutzungsbedingungen|tous\s+droits\s+r\wserv\ws|mentions\s+l\wgales|derechos\s+reservados"
    r"|aviso\s+legal|pol\wtica\s+de\s+privacidad|diritti\s+riservati|prawa\s+zastrze\w+one|privacybeleid",
    re.IGNORECASE,
)
#: The unanchored credits behind a lookahead of their first characters (as PROMO's words).
CAPTION = re.compile(
    r"^\s*\(?(?:photo|image|picture|file\s+photo|credit|video|pic"
    r"|foto|bild|bilder|abbildung|grafik|imagen|immagine)s?\s*(?::|\||by\b|/)"
    r"|(?=[abfgrst/(])(?:getty\s+images|\bafp\s*/|/afp\b|\breuters/|\bap\s+photo|\(photo\b|\(image\b"
    r"|shutterstock|\bfotos?\s*:|\bbild\s*:|symbolbild|beitragsbild|titelbild|bildquelle)",
    re.IGNORECASE,
)
DATE_STAMP = re.compile(
    rf"^\W*(?:(?:published|updated|posted|last\s+updated|modified)\s*(?:on|:)?\s*)?"
    rf"(?:(?:mon|tue|wed|thu|fri|sat|sun)\w*,?\s+)?(?:{_DATE}|\d{{1,4}}[./-]\d{{1,2}}[./-]\d{{1,4}}"
    rf"|\d+\s+(?:minutes?|hours?|days?|weeks?)\s+ago)"
    r"(?:[,\s]+(?:at\s+)?\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?)?(?:\s*[A-Z]{2,4})?)?\W*$",
    re.IGNORECASE,
)
#: Headlines and standfirsts report in the present tense ("South Korea says ..."), story
#: bodies mostly in the past ("..., the ministry said"). English only: a word feature.
REPORTING_PRESENT = re.compile(
    r"\b(?:says|warns|claims|urges|vows|reveals|admits|insists|denies|calls|tells|reports)\b"
)
REPORTING_PAST = re.compile(r"\b(?:said|told|added|reported|according)\b")
URL = re.compile(r"https?://|www\.\w", re.IGNORECASE)
SENTENCE_BREAK = re.compile(r"[.!?][\"”’')\]]*\s+[\"“‘(]?[A-Z]")
WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class DatelineMatch:
    """A dateline found at the start of a line; `end` is where the story's sentence begins."""

    location: str | None
    date: str | None
    agency: str | None
    raw: str
    end: int


def _opening_dateline(line: str) -> re.Match[str] | None:
    """The first dateline form that matches at the start of `line`."""
    for pattern, marks in _MARKED_DATELINES:
        for mark in marks:  # `has_mark` inline: the line features run this on every line
            if mark in line:
                m = pattern.match(line)
                if m is not None:
                    return m
                break
    return None


def opens_with_dateline(line: str) -> bool:
    return _opening_dateline(line) is not None


def match_dateline(line: str) -> DatelineMatch | None:
    """The dateline that opens `line`, if any, with its place, date and agency as written."""
    m = _opening_dateline(line)
    if m is None:
        return None
    groups = m.groupdict()
    place = groups.get("place")
    region = groups.get("region")
    location = f"{place}, {region}" if place and region else place
    return DatelineMatch(
        location=location,
        date=groups.get("date"),
        agency=groups.get("agency"),
        raw=m.group(0).strip(),
        end=m.end(),
    )


_TAG_MARKS = marked(EDITOR_TAG)[1]


def is_editor_tag(line: str) -> bool:
    if not has_mark(line, _TAG_MARKS):  # the slash: most lines have none
        return False
    text = line.strip()
    return bool(EDITOR_TAG.match(text)) and text.lower() not in _TAG_STOPWORDS


def agency_of_signoff(line: str) -> str | None:
    """`--IANS` -> `IANS`."""
    m = AGENCY_SIGNOFF.match(line)
    if m is None:
        return None
    return m.group("a1") or m.group("a2")


def parse_byline(line: str) -> str:
    """`By Martin Smith` -> `Martin Smith`; other credit shapes are returned stripped."""
    text = line.strip()
    m = re.match(r"^(?:by|written by|posted by|von)\s+", text, re.IGNORECASE)
    return text[m.end():].strip() if m else text


def strip_list_marker(line: str) -> str:
    """`- North Korean troops ...` -> `North Korean troops ...`."""
    m = BULLET.match(line)
    if m is None:
        return line.strip()
    return line[m.end() - 1:].strip()


def strip_inline_related(line: str) -> str:
    """`READ MORE: Some headline` -> `Some headline`."""
    m = INLINE_RELATED.match(line)
    if m is None:
        return line.strip()
    return line[m.end() - 1:].strip()

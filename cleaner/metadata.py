"""Metadata parsers: what a line the model labelled says (place, date, agency, names).

Every field of a Result that is not the body is read here, from lines whose label the
model chose; assemble.py decides only which labelled lines each parser reads. A parser
never removes or relabels a line: when a shape is unclear it returns None (a wrong author
or agency is worse than none).

Conventions, fixed here for every caller:
- Agencies are reported by the canonical names of `AGENCIES` (`Associated Press` -> `AP`,
  `Agence France-Presse` -> `AFP`, `Deutsche Presse-Agentur` -> `dpa`); an agency the table
  does not know is kept as written (`NationPress`).
- Several authors are joined with ", " (`By Martin Smith and Jane Doe` ->
  `Martin Smith, Jane Doe`), so `byline.split(", ")` gives the names back; titles and
  degrees (`Staff Writer`, `PhD`) are dropped.
- A dateline's date is kept as written (`Sept 28`); `date_iso` (`2017-09-28`) is added
  only when the year is known: written in the dateline, or taken from a reference date
  (the page's date, or one the caller passes), choosing the year that puts the dateline
  on or before the reference (a Dec 30 dateline read with a Jan 2 reference is of the
  previous year), with `FUTURE_SLACK_DAYS` of tolerance for time zones.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from cleaner import patterns as p
from cleaner.lexicon import is_lowercase_word

# --- agencies ----------------------------------------------------------------------------

#: Canonical agency name -> other ways copy writes it. The canonical name is the form the
#: agency uses in its own datelines (`(AP)`, `(AFP)`, `(Reuters)`, `(dpa)`).
AGENCIES: dict[str, tuple[str, ...]] = {
    "Reuters": ("Thomson Reuters",),
    "AP": ("Associated Press", "The Associated Press"),
    "AFP": ("Agence France-Presse", "Agence France Presse"),
    "IANS": ("Indo-Asian News Service",),
    "PTI": ("Press Trust of India",),
    "ANI": ("Asian News International",),
    "UNI": ("United News of India",),
    "Bloomberg": ("Bloomberg News",),
    "dpa": ("DPA", "Deutsche Presse-Agentur"),
    "Xinhua": ("Xinhua News Agency", "XINHUA"),
    "EFE": ("Agencia EFE",),
    "Kyodo": ("Kyodo News", "KYODO"),
    "Yonhap": ("Yonhap News Agency", "YONHAP"),
    "UPI": ("United Press International",),
    "AAP": ("Australian Associated Press",),
    "ANSA": (),
    "Bernama": ("BERNAMA",),
    "TASS": ("ITAR-TASS",),
    "RIA Novosti": ("RIA",),
    "Interfax": (),
    "Anadolu": ("Anadolu Agency",),
    "APP": ("Associated Press of Pakistan",),
    "KUNA": ("Kuwait News Agency",),
    "WAM": ("Emirates News Agency",),
    "IRNA": ("Islamic Republic News Agency",),
    "Jiji": ("Jiji Press",),
    "PA": ("Press Association", "PA Media"),
    "CP": ("The Canadian Press", "Canadian Press"),
}
_CANONICAL: dict[str, str] = {
    alias.casefold(): name for name, aliases in AGENCIES.items() for alias in (name, *aliases)
}
#: Acronyms too common as other things (`Harrisburg, PA`) to be looked for inside a line;
#: they still count where the shape says an agency stands (`(PA)`, `-- CP`).
_AMBIGUOUS_IN_TEXT = frozenset({"PA", "CP", "RIA", "APP", "WAM", "DPA"})
_MENTION = re.compile(
    "|".join(
        rf"\b{re.escape(alias)}\b"
        for alias in sorted(
            {a for name, aliases in AGENCIES.items() for a in (name, *aliases)} - _AMBIGUOUS_IN_TEXT,
            key=len,
            reverse=True,
        )
    )
)


def canonical_agency(name: str) -> str:
    """`Associated Press` -> `AP`; a name the table does not know comes back as written."""
    text = name.strip().strip(".,;:").strip()
    return _CANONICAL.get(text.casefold(), text)


def known_agency(name: str) -> str | None:
    """The canonical name if `name` is an agency of the table, else None."""
    return _CANONICAL.get(name.strip().strip(".,;:").strip().casefold())


def agency_mentioned(text: str) -> str | None:
    """The first agency of the table named in `text` (case as the agency writes it)."""
    m = _MENTION.search(text)
    return canonical_agency(m.group(0)) if m else None


# --- dates -------------------------------------------------------------------------------

_MONTH_NUMBERS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
    "mär": 3, "mae": 3, "mai": 5, "okt": 10, "dez": 12,  # German
}
# English and German names, any case (`JAN 17` in `LONDON, JAN 17 (PTI)`, `24. Oktober 2022`),
# also inside the case-sensitive datelines.
_MONTH = (
    r"(?i:Jan(?:uary?)?|Feb(?:ruary?)?|Mar(?:ch)?|M(?:ä|ae)rz?|Apr(?:il)?|May|Mai|June?|Juni|July?|Juli"
    r"|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Okt(?:ober)?|Nov(?:ember)?|De[cz](?:ember)?)\.?"
)
_WEEKDAY_NAME = r"(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs)?|Fri|Sat(?:ur)?|Sun)(?:day)?"
_WEEKDAY = rf"(?:{_WEEKDAY_NAME}\.?,?\s+)"
#: `April 30`, `Sept. 28, 2017`, `30 April 2017`, `Jan 24, 2018`, `Saturday, October 26, 2013`
#: (a weekday from a word's start: not the `mon,` of `Evan Symon, August 14`; glued dates are
#: read, `Posted on28. Juli 2019`)
DATE = re.compile(
    rf"(?:(?<![^\W\d_]){_WEEKDAY})?(?:(?P<month>{_MONTH})\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>\d{{4}})\b)?"
    rf"|(?P<day2>\d{{1,2}})(?:st|nd|rd|th|\.)?\s+(?P<month2>{_MONTH})(?:,?\s+(?P<year2>\d{{4}})\b)?)",
    re.IGNORECASE,
)
#: `2018-01-24`: already ISO.
ISO_DATE = re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>[01]\d)-(?P<day>[0-3]\d)\b")
#: `14.01.2008`, `12/30/2007`, `07/01/2008`: day and month in numbers, with a four-digit year.
NUMERIC_DATE = re.compile(
    r"(?<![\d./])(?P<a>[0-3]?\d)(?P<sep>[./])(?P<b>[0-3]?\d)(?P=sep)(?P<year>(?:19|20)\d\d)(?![\d./])"
)
#: A dateline may be up to this many days after the reference date and still be of the
#: reference's year: the page's date is often stamped in another time zone.
FUTURE_SLACK_DAYS = 2
#: A date written `3/5/2022` is read in the order that puts it this close to the reference
#: date, when the other order does not (a page's date is its story's, or a few days later).
NEAR_REFERENCE_DAYS = 7

#: How far back a year is looked for: 29 February comes at least once in this many years.
LEAP_CYCLE_YEARS = 8

DateLike = dt.date | str


def as_reference_date(value: DateLike | None) -> dt.date | None:
    """A `date`, `datetime` or ISO string (`2017-12-31`, `2018-01-25 16:17:44`) as a date.

    Raises ValueError for a string that does not start with an ISO date.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    m = ISO_DATE.match(value.strip())
    if m is None:
        raise ValueError(f"reference_date must be a date or an ISO string, not {value!r}")
    return dt.date(int(m["year"]), int(m["month"]), int(m["day"]))


#: What `clean`/`clean_many` take as `reference_date`: one date for every document, or a
#: list/tuple of one (or None) per document.
ReferenceDates = DateLike | None | list[DateLike | None] | tuple[DateLike | None, ...]


def references_for(reference_date: ReferenceDates, n: int) -> list[dt.date | None]:
    """The reference date of each of `n` documents, checked (ValueError if unreadable, or if
    a list gives other than one per document)."""
    if isinstance(reference_date, list | tuple):
        if len(reference_date) != n:
            raise ValueError(f"reference_date gives {len(reference_date)} dates for {n} documents")
        return [as_reference_date(value) for value in reference_date]
    return [as_reference_date(reference_date)] * n


def page_reference(value: str | None) -> dt.date | None:
    """A page's declared date as a reference date, or None when it is not an ISO date."""
    try:
        return as_reference_date(value)
    except ValueError:
        return None


def _month_number(name: str) -> int:
    return _MONTH_NUMBERS[name.strip(".")[:3].casefold()]


def _numeric_iso(m: re.Match[str], reference: dt.date | None = None) -> str | None:
    """Day and month in numbers: dots put the day first (`14.01.2008`); with slashes the order
    is the writer's (`12/30/2007` American, `14/01/2008` British) and is known when one
    number is over 12, or when one reading alone falls within `NEAR_REFERENCE_DAYS` of the
    reference date (`3/5/2022` on a page of 2022-05-04 is 3 May); else (`07/01/2008`) there
    is no ISO date."""
    a, b, year = int(m["a"]), int(m["b"]), int(m["year"])
    if m["sep"] == ".":
        return _valid_iso(year, b, a)
    if a > 12 >= b or a == b:
        return _valid_iso(year, b, a)
    if b > 12 >= a:
        return _valid_iso(year, a, b)
    if reference is None:
        return None
    near = [iso for iso in (_valid_iso(year, a, b), _valid_iso(year, b, a))
            if iso and abs((dt.date.fromisoformat(iso) - reference).days) <= NEAR_REFERENCE_DAYS]
    return near[0] if len(near) == 1 else None


def _valid_iso(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def iso_date(written: str | None, reference: DateLike | None = None) -> str | None:
    """`Sept 28` + reference 2017-12-31 -> `2017-09-28`; None when the year is unknown.

    A year written in the date wins; otherwise the reference's year, or the year before
    when the date would fall after the reference (by more than FUTURE_SLACK_DAYS).
    """
    if not written:
        return None
    iso = ISO_DATE.search(written)
    if iso is not None:
        return _valid_iso(int(iso["year"]), int(iso["month"]), int(iso["day"]))
    numeric = NUMERIC_DATE.search(written)
    if numeric is not None:
        return _numeric_iso(numeric, as_reference_date(reference))
    m = DATE.search(written)
    if m is None:
        return None
    month = _month_number(m["month"] or m["month2"])
    day = int(m["day"] or m["day2"])
    year = m["year"] or m["year2"]
    if year:
        return _valid_iso(int(year), month, day)  # None for 31 April
    ref = as_reference_date(reference)
    if ref is None:
        return None
    for candidate in range(ref.year, ref.year - LEAP_CYCLE_YEARS - 1, -1):
        try:
            guess = dt.date(candidate, month, day)
        except ValueError:  # 29 February of a common year: an earlier year may have one
            continue
        if guess - ref <= dt.timedelta(days=FUTURE_SLACK_DAYS):
            return guess.isoformat()
    return None


# --- datelines ---------------------------------------------------------------------------

_DATE_TEXT = DATE.pattern
_PLACE = p.PLACE
# `Vietnam`, `Calif.`, `N.Y.`, `W. Va.`, `West Bank`, `FLORIDA`
_REGION = r"(?:[A-Z]\.\s?){0,3}[A-Z][\w'’\-]*\.?(?:\s[A-Z][\w'’\-]*\.?){0,2}"
_LOCATION = rf"{_PLACE}(?:,\s*{_REGION})?"
# `WASHINGTON/NEW YORK`, `WEST PALM BEACH, Fla./WASHINGTON`
_LOCATIONS = rf"{_LOCATION}(?:\s?/\s?{_LOCATION}){{0,3}}"
_CAPS_WORD = r"[A-Z][A-Z.'’\-]+"
_CAPS_PLACE = rf"{_CAPS_WORD}(?:\s{_CAPS_WORD}){{0,3}}"
_CAPS_LOCATION = rf"{_CAPS_PLACE}(?:,\s*{_REGION})?"
_CAPS_LOCATIONS = rf"{_CAPS_LOCATION}(?:/{_CAPS_LOCATION}){{0,3}}"
# An agency in brackets: a name of the table (`Associated Press`), maybe with its regional
# desk (`dpa/lni`); one token (`IANS`, `Reuters`, `NationPress`, `Ammoland.com`); or an acronym
# with a second desk or an editor's initials (`LPC/IFR`, `KNA/iz`: not `Japan/Eiskunstlauf`, a
# country and a sport after an athlete's name).
_AGENCY_TOKEN = r"(?:[A-Z][A-Z0-9&.]+(?:/[A-Za-z0-9&.]+){1,2}|[A-Z][A-Za-z0-9&.]{1,24})"
_ALIASES = frozenset(a for name, aliases in AGENCIES.items() for a in (name, *aliases))
_AGENCY_NAMES = "|".join(re.escape(a) for a in sorted(_ALIASES, key=len, reverse=True))
_STORY_START = r"(?=[\"“‘'(\[A-Z0-9])"
_DASH = r"(?:--|–-|-|–|—)"

_AGENCY_FORM = (
    rf"(?P<location>{_LOCATIONS})?(?:(?:,\s*|\s+)(?P<date>{_DATE_TEXT}))?,?\s*"
    rf"(?:(?P<dash_before>{_DASH})\s*)?\((?P<agency>(?:{_AGENCY_NAMES})(?:/[^\W\d_]{{1,6}})?|{_AGENCY_TOKEN})\)"
    rf"\s*(?:(?P<sep>:|\.?[-–—]+|\.)\s*)?"
)
_BY_AGENCY_FORM = rf"By\s(?P<agency>[A-Z]{{2,10}}),\s(?P<location>{_PLACE})\s*:\s*"
_CAPS_FORM = (
    rf"(?P<location>{_CAPS_LOCATIONS})(?:,\s*(?P<date>{_DATE_TEXT}))?"
    rf"(?:\s+{_DASH}\s+|(?:—|--))"
)


#: Extractors write table cells as `| cell |`: the bars around a line are markup, not text.
_CELL_EDGE = r"[\s|]*"
_LEADING_EDGE = re.compile(_CELL_EDGE)
# The forms are matched from the end of the line's leading bars and spaces (`_parse`), not
# from a pattern of their own: two adjacent `\s*` would backtrack quadratically on long runs.
_GLUED = tuple(p.marked(re.compile(f + _STORY_START)) for f in (_AGENCY_FORM, _BY_AGENCY_FORM, _CAPS_FORM))
# On a line of its own, a place in capitals needs no dash when a date follows it
# (`VENTURA, Calif., Jan. 15, 2008`).
_CAPS_DATED_FORM = rf"(?P<location>{_CAPS_LOCATIONS}),\s*(?P<date>{_DATE_TEXT})\s*(?:{_DASH}\s*)?"
_ALONE = tuple(
    p.marked(re.compile(f + r"$")) for f in (_AGENCY_FORM, _BY_AGENCY_FORM, _CAPS_FORM, _CAPS_DATED_FORM)
)


def _cell(line: str) -> str:
    """`| By Associated Press | |` -> `By Associated Press`: spacing and cell bars dropped."""
    return " ".join(line.split()).strip(" |")


#: Capitalised openers that are not places: a line starting `BREAKING - ` or
#: `The Ministry (MoD) ...` has no dateline.
NOT_PLACES = frozenset(
    """
    breaking update updated exclusive watch video videos photo photos live opinion analysis
    editorial commentary review explainer urgent alert news flashback warning note editor's
    editors podcast audio report interview feature sponsored advertisement ad fact check the
    a an in on at for from this that president mr mrs ms dr sen rep gov gen minister
    us u.s. uk eu un nato gop fbi cia ceo monday tuesday wednesday thursday friday saturday
    sunday january february march april may june july august september october november
    december jan feb mar apr jun jul aug sep sept oct nov dec
    montag dienstag mittwoch donnerstag freitag samstag sonntag
    last posted published date stand
    """.split()
)


@dataclass(frozen=True)
class ParsedDateline:
    """A dateline as the line writes it; `end` is where the story's sentence begins."""

    location: str | None
    date: str | None
    agency: str | None
    raw: str
    end: int
    place: str | None = None
    region: str | None = None


def _split_location(location: str | None) -> tuple[str | None, str | None]:
    """`DANANG, Vietnam` -> (`DANANG`, `Vietnam`); `WASHINGTON/NEW YORK` stays one place."""
    if not location:
        return None, None
    first = location.split("/")[0]
    place, _, region = first.partition(",")
    return place.strip() or None, region.strip() or None


def _plausible(location: str | None, agency: str | None, m: re.Match[str]) -> bool:
    """A match that is a dateline, not a sentence opening on a name and brackets."""
    if location is not None:
        first = location.split()[0].strip(",.").casefold()
        if first in NOT_PLACES and not location.startswith("The Hague"):
            return False
        if known_agency(location.split("/")[0].split(",")[0]):
            return False  # `REUTERS - ...` names an agency, not a place
    if agency is None:
        return location is not None
    groups = m.groupdict()
    if known_agency(agency):
        return location is not None or bool(groups.get("sep") or groups.get("dash_before"))
    # An agency the table does not know needs a dateline's other marks: a date or a dash.
    return location is not None and bool(
        groups.get("date") or groups.get("sep") or groups.get("dash_before")
    )


def _parse(line: str, forms: tuple[p.Marked, ...]) -> ParsedDateline | None:
    edge = _LEADING_EDGE.match(line)
    start = edge.end() if edge else 0
    for pattern, marks in forms:
        if not p.has_mark(line, marks):
            continue
        m = pattern.match(line, start)
        if m is None:
            continue
        groups = m.groupdict()
        location = (groups.get("location") or "").strip().rstrip(",").strip() or None
        agency = groups.get("agency")
        if agency and "/" in agency and known_agency(agency.split("/")[0]):
            agency = agency.split("/")[0]  # `dpa/lni`: the agency, and its regional desk
        if not _plausible(location, agency, m):
            continue
        place, region = _split_location(location)
        return ParsedDateline(
            location=location,
            date=(groups.get("date") or "").strip() or None,
            agency=canonical_agency(agency) if agency else None,
            raw=line[: m.end()].strip(),  # exactly what comes off the line, table bars too
            end=m.end(),
            place=place,
            region=region,
        )
    return None


def parse_dateline(line: str) -> ParsedDateline | None:
    """The dateline glued to a story's first sentence (`Seoul, April 30 (IANS) North ...`).

    Shapes: `PLACE[, REGION][, DATE] (AGENCY)[ - ]`, `(AGENCY) - `, `By AGENCY, PLACE : `,
    `PLACE[, Region][, DATE] - ` with the place in capitals. A sentence that only starts
    with a place (`Seoul has long argued ...`) or names an agency is not one.
    """
    return _parse(line, _GLUED)


def first_date(text: str) -> re.Match[str] | None:
    """A date written in words, the ISO way or in numbers, in that order of preference."""
    return DATE.search(text) or ISO_DATE.search(text) or NUMERIC_DATE.search(text)


def parse_dateline_line(line: str) -> ParsedDateline | None:
    """A line the model labelled `dateline`: a dateline alone, else the date a stamp carries.

    `WASHINGTON (AP) -` alone parses as a dateline; `[January 24, 2018 - ZurichTimes.net]`
    gives its date; a stamp with neither gives a record of the raw text only; a line of
    table bars alone gives None.
    """
    text = _cell(line)
    if not text:
        return None
    found = _parse(text, _ALONE) or _parse(text, _GLUED)
    if found is not None:
        return found
    m = first_date(text)
    date = m.group(0).strip() if m else None
    if date is not None:
        date = re.sub(rf"^{_WEEKDAY}", "", date, flags=re.IGNORECASE).strip()
    return ParsedDateline(location=None, date=date, agency=None, raw=text, end=len(line))


#: Words a date stamp may carry beside its date: `Posted :`, a weekday, a time zone, `Stand:`
#: and `Uhr`, `Gespeichert von human am`. More, and the date is part of a sentence or a title.
STAMP_MAX_WORDS = 4
_WORD = re.compile(r"[^\W\d_]+")
#: Not counted among those words: a weekday and `AM`/`PM` (`Published: Wednesday, 2 January,
#: 2008, 02:42 AM Doha Time`).
_UNCOUNTED_STAMP_WORD = re.compile(rf"{_WEEKDAY_NAME}|[ap]m", re.IGNORECASE)
_YEAR = re.compile(r"(?:19|20)\d\d")


_UPDATE = re.compile(
    r"^\W*(?:(?:last\s+|zuletzt\s+)?(?:updated?|modified|edited|changed|aktualisiert|ge(?:ä|ae)ndert)"
    r"|actualizado|mis\s+à\s+jour|aggiornato)\b",
    re.IGNORECASE,
)


def is_update_stamp(line: str) -> bool:
    """`UPDATED: 8:49 am EST`, `Last Edited: Friday, ...`, `Aktualisiert am ...`: a stamp of
    when a story changed, not of when it was published (`Written: ... / Updated: ...` is one
    of when it was written)."""
    return _UPDATE.match(_cell(line)) is not None


def parse_dateline_alone(line: str) -> ParsedDateline | None:
    """A line that is a place dateline and nothing else, its agency named (`WASHINGTON
    (AFP)`, `QUEENSTOWN, New Zealand (AFP)`): for lines the model took off under another
    label than `dateline`. Anything else gives None."""
    found = _parse(_cell(line), _ALONE)
    if found is None or not found.location or not found.agency or _BY_PREFIX.match(found.location):
        return None  # `By Richard Lam (AP)` is a byline, not a place
    return found


def parse_stamp(line: str) -> ParsedDateline | None:
    """A line that is a date stamp and little else (`Posted : Mon, 31 Dec 2007 16:00:00 GMT`,
    `Stand: 28.04.2020 18:00 Uhr`), its date's year written: for lines the model took off
    under another label than `dateline`. Anything else gives None."""
    found = parse_dateline_line(line)
    if found is None or found.date is None or not _YEAR.search(found.date):
        return None
    rest = _cell(line).replace(found.date, " ")  # `31. Oktober 2023 31. Oktober 2023`: one date
    if first_date(rest):
        return None  # `21 Feb 2007 - 23 Mar 2021`: a span, not the day a story was dated
    words = [w for w in _WORD.findall(rest) if not _UNCOUNTED_STAMP_WORD.fullmatch(w)]
    return found if len(words) <= STAMP_MAX_WORDS else None


# --- agency credits ----------------------------------------------------------------------

#: `--IANS`, `- AAP`, `(AFP)`: an agency of the table, or a name in capitals (`- KNA`) or with
#: a capital inside (`— NationPress`). Any other word after a dash is a list item (`- Hausdaten`,
#: `- Newsletter`: 28 such false agencies on train and dev pages, for 3 credits lost, `- CNet`
#: and `- Eawag`).
_SIGNOFF = re.compile(
    rf"^\s*(?:(?:--|—|–|-)\s*(?P<a1>{_AGENCY_NAMES}|[A-Z]{{2,10}}|[A-Z][a-z]+[A-Z][A-Za-z]{{1,12}})"
    rf"|\((?P<a2>{_AGENCY_NAMES}|[A-Z]{{2,10}})\))"
    r"\s*\.?\s*$"
)
_WITH_INPUTS = re.compile(r"^\W*with\s+(?:inputs|input)\s+from\s+(?P<who>.*\w)\W*$", re.IGNORECASE)
_SOURCE = re.compile(r"^\W*source\s*:\s*(?P<who>.+?)\s*$", re.IGNORECASE)
_COPYRIGHT = re.compile(
    r"^\W*(?:©|\(c\)|copyright)\s*(?:©\s*)?(?:\d{4}(?:\s*[-–]\s*\d{4})?\s*,?\s*)(?:by\s+)?(?P<who>.+?)\s*$",
    re.IGNORECASE,
)
_COPYRIGHT_TAIL = re.compile(
    r"[.,;]?\s*(?:all\s+rights\s+reserved|this\s+material\s+may\s+not|may\s+not\s+be).*$", re.IGNORECASE
)
_URLISH = re.compile(r"https?://|www\.|\.(?:com|org|net|co\.\w\w|info)\b", re.IGNORECASE)
#: A credited name (`Al Jazeera News`, `Infowars`): a few capitalised words, no sentence.
_CREDIT_NAME = re.compile(r"^[A-Z][\w&'’.\-]*(?:\s(?:[A-Z][\w&'’.\-]*|of|the|and|&)){0,5}$")


def _named(who: str) -> str | None:
    who = who.strip().strip("().,;:").strip()
    agency = known_agency(who) or agency_mentioned(who)
    if agency:
        return agency
    if _URLISH.search(who) or not _CREDIT_NAME.match(who):
        return None
    return who


def agency_of_credit(line: str) -> str | None:
    """The agency a credit or sign-off names, or None when it names none.

    `--IANS` -> IANS; `SOURCE: Al Jazeera News` -> Al Jazeera News; `© 2008 AFP` -> AFP;
    `Associated Press writer Jane Doe contributed to this report.` -> AP;
    `(With inputs from agencies)` and `(Reporting by X; Editing by Y)` -> None (a credit,
    but no agency named); `Source: http://...` -> None.
    """
    text = _cell(line)
    m = _SIGNOFF.match(text)
    if m:
        return canonical_agency(m["a1"] or m["a2"])
    m = _WITH_INPUTS.match(text)
    if m:
        return agency_mentioned(m["who"])
    m = _SOURCE.match(text)
    if m:
        return _named(m["who"])
    m = _COPYRIGHT.match(text)
    if m:
        return _named(_COPYRIGHT_TAIL.sub("", m["who"]).removeprefix("The ").removeprefix("the "))
    return agency_mentioned(text)


def agency_of_copyright(line: str) -> str | None:
    """The agency of the table holding a copyright line (`(Copyright 2007 by The Associated
    Press. All Rights Reserved.)` -> AP); a site's own copyright gives None."""
    m = _COPYRIGHT.match(_cell(line))
    if m is None:
        return None
    return known_agency(_COPYRIGHT_TAIL.sub("", m["who"]).strip("() .").removeprefix("The "))


#: What may stand around an agency's name on a credit line of its own: `(AP)`, `— IANS`.
_AROUND_AGENCY = "()[]-–—|:. "


def agency_alone(line: str) -> str | None:
    """The agency of the table a line names and nothing else (`THE ASSOCIATED PRESS`, `(IANS)`,
    `AAP`): a credit line by the story, whatever label the model gave it."""
    text = re.sub(r"^the\s+", "", _cell(line).strip(_AROUND_AGENCY), flags=re.IGNORECASE)
    agency = known_agency(text)
    # A word alone is the agency only as the agency writes it, or in capitals: `App` is a link.
    if agency is None or (" " not in text and text != agency and not text.isupper()):
        return None
    return agency


# --- bylines -----------------------------------------------------------------------------

#: `By`, German `Von` (not `von der Leyen`; also `Geschrieben von`), and `Author:` / `Autor:` labels.
_BY_PREFIX = re.compile(
    r"^\W*(?:(?:(?:written|posted|authored|contributed|reported|compiled|story|words)\s+)?by"
    r"|(?:(?:geschrieben|verfasst|gepostet|ver(?:ö|oe)ffentlicht)\s+)?von(?!\s+(?:der|den|dem)\s)"
    r"|(?:about\s+the\s+)?auth?or(?:in)?\s*:)\s*:?\s+",
    re.IGNORECASE,
)
_NAME_WORD = r"(?:[A-Z][a-z]*(?:[A-Z][a-z]+)*(?:[-'’][A-Z]?[a-z]+)*|[A-Z]{2,}(?:[-'’][A-Z]+)*)"
_INITIAL = r"(?:[A-Z]\.){1,3}"
_PARTICLES = frozenset("de da del della der den di dos du la le van von bin ibn al el".split())
_PARTICLE = "(?:" + "|".join(sorted(_PARTICLES)) + ")"
#: 2-5 words of a person's name: `Elliott Teaford`, `ANDREW C. MCCARTHY`, `James O’Toole`,
#: `Ludwig van Beethoven`, `J.K. Rowling`.
PERSON = re.compile(
    rf"(?:{_INITIAL}\s?|{_NAME_WORD}\s)(?:(?:{_INITIAL}|{_NAME_WORD}|{_PARTICLE})\s){{0,3}}{_NAME_WORD}"
)
#: Words that never stand in a person's name as a byline writes it.
NOT_NAME_WORDS = frozenset(
    """
    the a an our your staff reporter reporters correspondent correspondents editor editors
    editorial desk team board news newsroom agency agencies wire wires service bureau admin
    administrator guest special web online digital press media group network daily weekly
    times post herald journal tribune gazette magazine blog numbers contributor contributors
    writer writers author authors political sports business health science report reports
    sources source associated united international national local world breaking live
    update updates video photos monday tuesday wednesday thursday friday saturday sunday
    january february march april may june july august september october november december
    looking via from with and for in on at of to is are was has have said says writes
    tv first second third last die das kategorie kategorien rubrik thema themen
    category categories ingredient ingredients recipe recipes
    playoffs preview recap highlights scores results standings schedule usa today
    sun star globe mail telegraph chronicle courier express inquirer examiner bulletin
    observer independent standard sentinel dispatch zeitung magazin redaktion verlag
    """.split()
)
#: Articles that open an outlet's name, never a person's (`van der Berg` has its `der` inside).
_NOT_FIRST_WORDS = frozenset("der la el los las".split())
#: What may follow a name: a job title (`Staff Writer`, `AP National Security Writer`).
_TITLE_WORDS = re.compile(
    r"\b(?:writer|reporter|correspondent|editor|columnist|contributor|producer|analyst|chief"
    r"|staff|intern|photographer|critic|commentator|blogger|author|director|president|ceo"
    r"|founder|professor|fellow|scholar|journalist)s?\b",
    re.IGNORECASE,
)
#: Degrees and suffixes after a comma (`Carl Greer, PhD, PsyD`).
_CREDENTIAL = re.compile(
    r"^(?:Ph\.?D|M\.?D|MPH|MSc|M\.?Sc|MBA|MA|BA|BSc|RN|ND|DO|DDS|JD|LLB|LLM|PsyD|FRCPC|CPP|CFA|CPA|Esq"
    r"|Jr|Sr|II|III|IV)\.?$"
)
_NAME_SEPARATOR = re.compile(r"\s*(?:[,;]\s*(?:and\s+|und\s+)?|\s+(?:and|und|AND|UND)\s+|\s*&\s*)")
#: After the names: an outlet or a date, set off by these. `By Jim Quinn / The Burning
#: Platform`, `By Martin Smith | Reuters`, `By Pam Martens: April 4, 2016`, `... of NMFN`,
#: `Von Jule Radeck vom 3. Februar 2022`.
_TAIL = re.compile(
    r"\s*(?:[|/:@]|\s(?:[-–—]|--)\s|\s\(|\s(?:of|via|for|at|in|[Vv]om|am)\s|\swrites:?\s*$|[’']s\s).*$"
)
#: More names after a place (`BY HEMMY SO in Los Angeles and BEN WIDDICOMBE, ...`): the tail
#: would take them off, and a byline missing authors is wrong, not short.
_NAMES_AFTER_PLACE = re.compile(rf"^\s(?:in|at)\s.*(?:,|\band)\s+{_NAME_WORD}\s+{_NAME_WORD}")
#: `JESSICA MINTZ AP Technology Writer`, `TOM CANAVAN ASSOCIATED PRESS`: a wire and its title
#: written after the name without a comma.
_AGENCY_TAIL = re.compile(rf"\s(?P<agency>(?i:{_AGENCY_NAMES}))(?:\s[A-Z][\w-]*){{0,3}}$")
#: A verb makes a sentence of what could have been names: an author's bio, not a byline.
_SENTENCE_VERB = re.compile(r"\b(?:is|was|are|were|has|have|had|will|would)\b")
#: Who else wrote it, named by kind: `By Laura Clout and agencies`.
_CO_AUTHORS = frozenset({"agencies", "agency", "wires", "wire services", "staff", "staff reports"})
#: A name after the authors that is an outlet, not a person (`Harvey Organ Blog`).
_OUTLET_WORDS = re.compile(
    r"\b(?:blog|news|times|post|magazine|journal|report|daily|network|media|tv|radio|press"
    r"|online|watch|today|herald|tribune|institute|review)\b|\.\w{2,4}\b",
    re.IGNORECASE,
)
#: A broadcaster or paper in capitals after the names (`Von X und Y, NDR`, `By X, BBC`).
_OUTLET_ACRONYM = re.compile(r"[A-Z]{2,6}")
#: An outlet named with its article, or a bureau: what follows names, not a name.
_AFTER_NAMES = re.compile(r"^The\s[A-Z]|.*\b(?:bureau|desk)\b", re.IGNORECASE)
#: `AP National Security Writer`, `Associated Press Writer`: a wire's job title.
_AGENCY_TITLE = re.compile(rf"^(?P<agency>{_AGENCY_NAMES})\s(?:[A-Z][\w-]*\s){{0,3}}[A-Z][\w-]*$")


def _is_person(name: str) -> bool:
    """Two to five name words, none of them a word no person's name carries."""
    if not PERSON.fullmatch(name):
        return False
    words = [w.strip(".") for w in name.split()]
    if len(words) < 2 or any(len(w) > 1 and w.casefold() in NOT_NAME_WORDS for w in words):
        return False
    if words[0].casefold() in _NOT_FIRST_WORDS:
        return False  # `LA NACION`, `Der WindRebell`: an outlet's or a blog's name
    # A name is written in capitals or not, not both (`Coca Cola FOOTBALL LEAGUE ONE`).
    if len({w.isupper() for w in words if len(w) > 1 and w.casefold() not in _PARTICLES}) > 1:
        return False
    return known_agency(name) is None and not any(known_agency(w) for w in words if w.isupper())


def _reads_as_words(name: str) -> bool:
    """Its first word, or most of its words, are ones running text writes in lowercase:
    `Filed Under`, `Save Article`, `Keine Kommentare`, `Canadian Blood Services` (but not
    `Steve Bird`). The words of a line the model took for a byline though nothing marks it."""
    words = [w.strip(".") for w in name.split() if w.casefold() not in _PARTICLES]
    common = [is_lowercase_word(w) for w in words]
    return bool(common) and (common[0] or 2 * sum(common) > len(common))


#: A time after a date: `12:11:21 PM`, `| 15:33 Uhr`, `09:43 IST`.
_TIME_AFTER = re.compile(
    r"[\s,|•·]*(?:um\s+)?\d{1,2}[:.]\d{2}(?::\d{2})?\s*(?:[ap]\.?\s?m\.?|uhr)?"
    r"(?-i:\s*(?:[A-Z]{1,3}T|UTC|MEZ|MESZ)\b)?",
    re.IGNORECASE,
)
_GAP = " ,|•·/-–—"


def _less_date(byline: str) -> str:
    """A byline less the date written after its names (and what follows it), or before them
    with its time: `Adrian Shaw 18/01/2008` -> `Adrian Shaw `; `1. Februar 2022 , Daniel
    Dillenburg` -> `Daniel Dillenburg`."""
    found = [m for m in (DATE.search(byline), ISO_DATE.search(byline), NUMERIC_DATE.search(byline)) if m]
    if not found:
        return byline
    date = min(found, key=lambda m: m.start())
    if byline[: date.start()].strip(_GAP):
        return byline[: date.start()]
    after = byline[date.end():]
    time = _TIME_AFTER.match(after)
    return (after[time.end():] if time else after).lstrip(_GAP)


#: Titles before a name, left out of it (`By Dr. Jane Doe` -> Jane Doe).
_HONORIFIC = re.compile(
    r"^(?:(?:Dr|Prof|Rev|Mr|Mrs|Ms|Sir|Dame)\.?\s+"
    r"|(?:Professor(?:in)?|Rechtsanw(?:alt|ältin)|Pfarrer(?:in)?)\s+)+"
)


def byline_names(line: str) -> list[str]:
    """The persons a byline credits, in order; [] when the line is not a person's byline.

    `By Elliott Teaford, Staff Writer` -> [Elliott Teaford];
    `Robert Burns, AP National Security Writer` -> [Robert Burns];
    `By Martin Smith and Jane Doe` -> both; `By the numbers`, `By IANS`, `By Staff` -> [].
    A sentence (`Judi McLeod is an award-winning journalist ...`) is not a byline, nor, without
    `By`, capitalised words (`Filed Under`, `Print Story`).
    """
    text = _cell(line)
    m = _BY_PREFIX.match(text)
    rest = _less_date(text[m.end():] if m else text.strip(" -–—•*"))
    tail = _TAIL.search(rest)
    if tail and _NAMES_AFTER_PLACE.match(tail.group()):
        return []
    rest = rest[: tail.start()] if tail else rest
    rest = rest.strip().rstrip(".,;:").strip()
    rest = _AGENCY_TAIL.sub("", rest).strip()
    if _SENTENCE_VERB.search(rest):
        return []  # `Jim Kouri, CPP, is founder of ...`: an author's bio, not a byline
    names: list[str] = []
    for part in _NAME_SEPARATOR.split(rest):
        part = _HONORIFIC.sub("", part.strip())
        if not part or _CREDENTIAL.match(part):
            continue
        if _is_person(part) and (m or not _reads_as_words(part)):
            names.append(part)
            continue
        if names and (
            _TITLE_WORDS.search(part) or agency_mentioned(part) or known_agency(part)
            or _OUTLET_WORDS.search(part) or _AFTER_NAMES.match(part) or DATE.search(part)
            or _OUTLET_ACRONYM.fullmatch(part) or part.casefold() in _CO_AUTHORS
        ):
            break  # `, Staff Writer`, `, Reuters`, `, The Province`, `, 30 December 2007`: names done
        return []  # neither a name nor what follows names: not a byline this can read
    return names


def parse_byline(line: str) -> str | None:
    """The byline's authors joined with ", ", or None (see `byline_names`)."""
    names = byline_names(line)
    return ", ".join(names) if names else None


def is_marked_byline(line: str) -> bool:
    """The line says it is a byline (`By`, `Von`, `Author:`): so a line the model took off under
    another label may be read as one."""
    return _BY_PREFIX.match(_cell(line)) is not None


def agency_of_byline(line: str) -> str | None:
    """The agency a byline credits: `By IANS`, `By The Associated Press`, `By Jane Doe |
    Reuters`, `Robert Burns, AP National Security Writer` and `AP Sports Writer` -> AP;
    a person alone -> None."""
    text = _cell(line)
    m = _BY_PREFIX.match(text)
    rest = (text[m.end():] if m else text).strip().rstrip(".")
    for part in (rest, *re.split(r"\s*[,|/]\s*|\s[-–—]\s", rest)):
        part = re.sub(r"\s+staff$", "", part.removeprefix("The "), flags=re.IGNORECASE)
        agency = known_agency(part)
        if agency:
            return agency
        m = _AGENCY_TITLE.match(part)
        if m and _TITLE_WORDS.search(part):
            return canonical_agency(m["agency"])
    m = _AGENCY_TAIL.search(rest)
    if m and _is_person(rest[: m.start()].strip()):
        return canonical_agency(m["agency"])
    return None


# --- editor tags, summaries, related -----------------------------------------------------

#: Slash-joined words that are English, not a desk's initials.
NOT_TAGS = frozenset(
    """
    and/or either/or he/she she/he s/he his/her her/his him/her his/hers w/o w/ c/o n/a y/n
    a/c i/o on/off yes/no true/false in/out up/down km/h m/s mg/l mg/dl b/w p/e w/e r/c a/b
    am/pm q/a b/c w/e
    """.split()
)


def parse_editor_tag(line: str) -> str | None:
    """`int/jk/as` -> itself; `24/7`, `9/11`, `1/2`, `and/or`, `w/o` -> None."""
    text = _cell(line)
    if not p.EDITOR_TAG.match(text) or text.casefold() in NOT_TAGS:
        return None
    return text


_SUMMARY_LEAD = re.compile(
    r"^\W*(?:synopsis|key\s+(?:takeaways?|points|highlights|facts)|highlights|summary|in\s+brief"
    r"|at\s+a\s+glance|tl;?\s*dr)\s*[:\-–—]\s*(?=\S)",
    re.IGNORECASE,
)


def summary_item(line: str) -> str | None:
    """A summary box line as its item: header (`Synopsis`, `Key Takeaways`) -> None,
    `- North Korean troops ...` -> `North Korean troops ...`, `Synopsis: text` -> `text`."""
    text = _cell(line)
    if not text or p.SUMMARY_HEADER.match(text):
        return None
    m = _SUMMARY_LEAD.match(text)
    if m:
        text = text[m.end():]
    return p.strip_list_marker(text) or None


def related_item(line: str) -> str | None:
    """A related line as its headline: header (`You may also like`, `Most read in World`)
    or a prompt closing the run (`Follow us on Facebook`) -> None, `READ MORE: Some headline`
    -> `Some headline`, `- Headline` -> `Headline`."""
    text = _cell(line)
    if not text or p.RELATED_HEADER.match(text) or p.PROMPT.match(text):
        return None
    text = p.strip_inline_related(text)
    return p.strip_list_marker(text) or None

"""Literal text every match of a pattern must contain: lets a batch skip lines that cannot match.

The line features run about twenty regular expressions over every line. Those that search a
whole line, case-insensitively, for one of many words (`PROMO`, `LEGAL`, `CAPTION`, ...) cost
Python's engine tens of nanoseconds a character, because it tries every alternative at every
position. `str.find` for a literal is a hundred times faster. So, for each pattern, the
parse tree that `re` builds is read once for a set of literal fragments at least one of which
any match contains; a batch's text is searched for the fragments, and the pattern itself runs
only on the lines where one was found. The result is the same as running the pattern on every
line: a fragment is only ever taken from what a match must contain, and a pattern whose tree
holds anything this module does not understand gets no fragments (it runs on every line).

Case-insensitive patterns are matched against folded text: `fold(text)` maps each character
to the lowercase of every character `re` treats as equal to it under IGNORECASE (three
characters are not covered by `str.lower`; `tests/test_speed.py` checks the table
against `re` over every code point). Folding keeps the text's length, so positions carry over.
A pattern whose every node matches a character as IGNORECASE does its fold (lowercase ASCII,
caseless symbols, `\\w`, `\\s`, `\\d`, anchors) also has a case-sensitive twin to run on the folded
text: the same matches at the same places, about twice as fast, as the engine folds nothing.

`FragmentIndex` finds the fragments of all the patterns in one pass over a text instead of
one `str.find` scan per fragment (see its docstring); in C (`cleaner/_scan.c`) where that is
built, with numpy otherwise, to the same positions.

Patterns anchored at a line's start gain nothing from fragments (they fail within a few
characters of most lines), but each costs a call per line: `any_of` joins them into one, so
that only the few lines it matches are tried with each.

A fragment can also say where a match starts: in `\\bsign\\s+up\\b` it is at the start, in
`s\\wguenos` two characters before `guenos`, in `^\\s*photo:` at the line's start. Each
fragment comes with those leads (`fragment_leads`), and where every lead is bounded the
pattern need not be searched for along a line: it is tried with `match` at the places its
fragments' occurrences give (`Occurrences.starts`), a few per line instead of every
character. A match starts at one of those places or nowhere, so the result is the same. To
that end a requirement whose leads are bounded is preferred to a more selective one whose
are not (`jetzt` over `abonnieren` in `jetzt\\s+abonnieren`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from re import _constants as sre_c
from re import _parser as sre_parse

import numpy as np

try:  # built from cleaner/_scan.c at install time; optional, as cleaner._walk is
    from cleaner import _scan
except ImportError:  # pragma: no cover - depends on the build
    _scan = None

#: Characters that `re` IGNORECASE treats as an ASCII letter but `str.lower` does not map to
#: it: dotted capital I, dotless small i, long s.
_FOLD_EXTRA = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s"})
_FOLD_CHARS = tuple(map(chr, _FOLD_EXTRA))

Fragments = frozenset[str]


def fold(text: str) -> str:
    """Text as a case-insensitive pattern's fragments are searched in; same length as `text`."""
    # `str.translate` with a table is slow on non-ASCII text: only when there is work for it.
    if any(ch in text for ch in _FOLD_CHARS):
        text = text.translate(_FOLD_EXTRA)
    return text.lower()


def fold_points(text: str, cps: np.ndarray, compiled: bool = True) -> tuple[str, np.ndarray]:
    """`fold(text)` and its code points, from `cps` (those of `text`): in C where it is built,
    `compiled` and the text has no capital sigma (whose lowercase depends on its neighbours)."""
    if compiled and _scan is not None:
        got = _scan.fold(cps)
        if got is not None:
            return got[0], np.frombuffer(got[1], dtype="<u4")
    folded = fold(text)
    return folded, code_points(folded)


def _usable(ch: str, ignore_case: bool) -> bool:
    """Whether a literal character can stand in a fragment (its case variants are all folded)."""
    if not ignore_case:
        return True
    return ch.isascii() or (not ch.isalpha() and ch.lower() == ch == ch.upper())


def minimal(fragments: Fragments) -> Fragments:
    """The fragments that contain no other: a line with `images` has `image`, so looking for
    `image` alone finds the same lines."""
    return frozenset(f for f in fragments if not any(g != f and g in f for g in fragments))


#: Where a match may start, relative to a fragment's occurrence: `AT_START` (the match starts
#: at 0, its pattern anchored by `^`), or (lo, hi): lo to hi characters before the occurrence.
Lead = tuple[int, int]
AT_START: Lead = (-1, -1)
#: Fragments with the leads of their occurrences in a match (one of them, for each fragment).
Leads = dict[str, frozenset[Lead]]
_ANCHORS = (sre_c.AT_BEGINNING, sre_c.AT_BEGINNING_STRING)


def _merge(*leads: Leads) -> Leads:
    out: Leads = {}
    for found in leads:
        for f, how in found.items():
            out[f] = out.get(f, frozenset()) | how
    return out


def _shift(leads: Leads, width: tuple[int, int]) -> Leads:
    """The leads of fragments of a node that `width` characters of the sequence precede."""
    lo, hi = width
    return {
        f: frozenset(lead if lead == AT_START else (lead[0] + lo, lead[1] + hi) for lead in how)
        for f, how in leads.items()
    }


def _bounded(leads: Leads) -> bool:
    """Whether a match runs a bounded number of characters before each fragment."""
    return all(lead[1] < sre_c.MAXREPEAT for how in leads.values() for lead in how)


def _best(candidates: list[Leads]) -> Leads | None:
    """The requirement that places a match's start, if one does (the pattern can then be
    tried there alone), and the most selective: the one whose shortest fragment is longest."""
    if not candidates:
        return None
    return max(candidates, key=lambda frags: (_bounded(frags), min(map(len, frags)), -len(frags)))


def _required(seq: sre_parse.SubPattern, ignore_case: bool, anchored: bool) -> Leads | None:
    """Fragments one of which every match of the sequence `seq` contains, each with where a
    match may start relative to it (`Leads`); None if unknown. `anchored`: `^` is the start."""
    candidates: list[Leads] = []
    run: list[str] = []
    run_at = 0  # index in seq of the run's first literal
    # A sequence opening with `^` starts its matches at the start of the line.
    at_start = anchored and len(seq) > 0 and seq[0][0] is sre_c.AT and seq[0][1] in _ANCHORS

    def placed(leads: Leads, at: int) -> Leads:
        if at_start:
            return {f: frozenset({AT_START}) for f in leads}
        return _shift(leads, seq[:at].getwidth())

    def flush() -> None:
        if run:
            candidates.append(placed({"".join(run): frozenset({(0, 0)})}, run_at))
            run.clear()

    for at, (op, av) in enumerate(seq):
        if op is sre_c.LITERAL and _usable(chr(av), ignore_case):
            if not run:
                run_at = at
            run.append(chr(av).lower() if ignore_case else chr(av))
            continue
        flush()
        item: Leads | None = None
        if op is sre_c.SUBPATTERN:
            _group, add_flags, del_flags, sub = av
            if not (add_flags | del_flags) & (re.IGNORECASE | re.LOCALE | re.ASCII | re.MULTILINE):
                item = _required(sub, ignore_case, anchored)
        elif op is sre_c.BRANCH:
            alternatives = [_required(alt, ignore_case, anchored) for alt in av[1]]
            if all(alt is not None for alt in alternatives):
                item = _merge(*alternatives)  # type: ignore[arg-type]
        elif op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, sre_c.POSSESSIVE_REPEAT):
            low, _high, sub = av
            if low >= 1:
                item = _required(sub, ignore_case, anchored)  # as the first repeat holds it
        elif op is sre_c.IN:
            chars = [chr(v) for o, v in av if o is sre_c.LITERAL]
            if len(chars) == len(av) and all(_usable(c, ignore_case) for c in chars):
                item = {c.lower() if ignore_case else c: frozenset({(0, 0)}) for c in chars}
        if item:
            candidates.append(placed(item, at))
    flush()
    return _best(candidates)


def fragment_leads(pattern: re.Pattern[str]) -> Leads | None:
    """Literal fragments one of which every match of `pattern` contains, each with the leads
    a match may have before it; None if not known.

    Fragments of an IGNORECASE pattern are lowercase and are to be searched in `fold(text)`;
    the others in the text as it is.
    """
    if not isinstance(pattern.pattern, str) or pattern.flags & re.LOCALE:
        return None
    try:
        tree = sre_parse.parse(pattern.pattern, pattern.flags)
    except (re.error, TypeError, ValueError):  # a private parser: any surprise means no prefilter
        return None
    found = _required(tree, bool(pattern.flags & re.IGNORECASE), not pattern.flags & re.MULTILINE)
    if not found or any(not f for f in found):
        return None
    return found


def matches_empty(pattern: re.Pattern[str]) -> bool:
    """Whether `pattern` can match the empty string (so `findall` may step past a match by one)."""
    try:
        return sre_parse.parse(pattern.pattern, pattern.flags).getwidth()[0] == 0
    except (re.error, TypeError, ValueError):  # as in `fragment_leads`
        return True


def required_fragments(pattern: re.Pattern[str]) -> Fragments | None:
    """Literal fragments one of which every match of `pattern` contains, or None (see
    `fragment_leads`)."""
    found = fragment_leads(pattern)
    return None if found is None else frozenset(found)


def minimal_leads(leads: Leads) -> Leads:
    """`minimal` of the fragments, with their leads: a fragment dropped because it contains
    another passes its leads on to that one, moved by where that one stands in it."""
    kept = minimal(frozenset(leads))
    out = {f: leads[f] for f in kept}
    for f in set(leads) - kept:
        for g in kept:
            at = f.find(g)
            if at >= 0:
                out[g] = out[g] | _shift({f: leads[f]}, (at, at))[f]
    return out


#: Nodes that test no character, or test a class that case does not change (`\w`, `\s`, `\d`,
#: the complement of a class); `tests/test_speed.py` checks the classes over every code point.
_CASELESS_OPS = frozenset({sre_c.ANY, sre_c.AT, sre_c.CATEGORY, sre_c.NEGATE})
_REPEATS = (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, sre_c.POSSESSIVE_REPEAT)


def _folds_to_itself(code: int) -> bool:
    """Whether IGNORECASE matches a literal exactly where the folded text holds the literal."""
    ch = chr(code)
    return _usable(ch, ignore_case=True) and fold(ch) == ch


def _case_free(seq: sre_parse.SubPattern | list) -> bool:
    """Whether every node of `seq` matches the same under IGNORECASE as on folded text without."""
    for op, av in seq:
        if op in (sre_c.LITERAL, sre_c.NOT_LITERAL):
            ok = _folds_to_itself(av)
        elif op is sre_c.RANGE:
            ok = av[1] < 128 and all(map(_folds_to_itself, range(av[0], av[1] + 1)))
        elif op in _CASELESS_OPS:
            ok = True
        elif op in (sre_c.IN, sre_c.ATOMIC_GROUP):
            ok = _case_free(av)
        elif op is sre_c.BRANCH:
            ok = all(map(_case_free, av[1]))
        elif op is sre_c.SUBPATTERN:
            _group, add_flags, del_flags, sub = av
            ok = not (add_flags | del_flags) and _case_free(sub)
        elif op in _REPEATS or op in (sre_c.ASSERT, sre_c.ASSERT_NOT):
            ok = _case_free(av[-1])
        else:  # back-references and conditionals compare text, not single characters
            ok = False
        if not ok:
            return False
    return True


def case_sensitive_twin(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """`pattern` without IGNORECASE, matching `fold(text)` where `pattern` matches `text`, or None.

    None unless `pattern` is IGNORECASE and every node of its tree is understood (see `_case_free`).
    """
    flags = pattern.flags
    if not isinstance(pattern.pattern, str) or not flags & re.IGNORECASE or flags & (re.LOCALE | re.ASCII):
        return None
    try:
        tree = sre_parse.parse(pattern.pattern, flags)
    except (re.error, TypeError, ValueError):  # as in `required_fragments`
        return None
    return re.compile(pattern.pattern, flags & ~re.IGNORECASE) if _case_free(tree) else None


_NAMED_GROUP = re.compile(r"\(\?P<\w+>")
#: What `any_of` does not rewrite: a reference to a group, a conditional on one, an escaped
#: bracket before what reads as a group's name.
_NOT_REWRITTEN = re.compile(r"\(\?P=|\(\?\(|\\\d|\\\(\?P<")


def any_of(patterns: list[re.Pattern[str]]) -> re.Pattern[str] | None:
    """One pattern that matches (with `match`) a line iff one of `patterns` does: their
    alternation, groups unnamed, each one's IGNORECASE scoped to it. None if one has another
    flag or refers to a group."""
    parts = []
    for pattern in patterns:
        flags = pattern.flags & ~re.UNICODE
        source = pattern.pattern
        if not isinstance(source, str) or flags & ~re.IGNORECASE or _NOT_REWRITTEN.search(source):
            return None
        parts.append(f"(?{'i' if flags else ''}:{_NAMED_GROUP.sub('(?:', source)})")
    return re.compile("|".join(parts))


#: Code points hashed together into a key that picks out candidate positions; shorter
#: fragments are searched for with `str.find`.
KEY_CHARS = 3
#: Low bits of each code point a key keeps: five tell the lowercase ASCII letters apart and
#: keep the table at 2**15 entries, in cache. Other characters share keys with them: more
#: candidates to compare, never a missed one.
KEY_BITS = 5
_KEY_MASK = (1 << KEY_BITS) - 1
if _scan is not None and (_scan.KEY_CHARS, _scan.KEY_BITS) != (KEY_CHARS, KEY_BITS):  # pragma: no cover
    raise ImportError("cleaner/_scan.c keys windows differently from cleaner/_literals.py: rebuild it")


def _keys(cps: np.ndarray) -> np.ndarray:
    """The key of every window of `KEY_CHARS` code points: entry i is that of cps[i:i+KEY_CHARS]."""
    low = (cps & _KEY_MASK).astype(np.uint16)
    n = low.size - KEY_CHARS + 1
    keys = low[:n].copy()
    for k in range(1, KEY_CHARS):
        keys <<= KEY_BITS
        keys |= low[k : k + n]
    return keys


def _find_all(text: str, fragment: str) -> list[int]:
    """Every start of `fragment` in `text`, by `str.find`."""
    found: list[int] = []
    i = text.find(fragment)
    while i >= 0:
        found.append(i)
        i = text.find(fragment, i + 1)
    return found


def code_points(text: str) -> np.ndarray:
    """The code points of `text`, one array element per character (lone surrogates included)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")


class FragmentIndex:
    """Several named sets of fragments, found in a text in one pass instead of a scan each.

    A `str.find` scan per fragment costs a pass over the text per fragment (about seventy for
    the line features, more with every word added to a pattern). Here each window of
    `KEY_CHARS` code points is hashed to a key and looked up in a table of the fragments'
    first `KEY_CHARS` characters; at the few candidate positions the fragments with that key
    are compared in full, with numpy. A fragment occurs at i iff text[i:i+len] equals it,
    which is what the comparison checks at every i whose key is the fragment's: so the
    positions found are exactly those a `str.find` scan would reach.
    """

    def __init__(self, groups: Mapping[str, frozenset[str]]) -> None:
        self.names = tuple(groups)
        fragments = sorted(set().union(*groups.values())) if groups else []
        self.fragments = tuple(fragments)
        #: Which groups each fragment belongs to (fragment x group).
        self._owners = np.array(
            [[f in groups[name] for name in self.names] for f in fragments], dtype=bool
        ).reshape(len(fragments), len(self.names))
        self._short = [(i, f) for i, f in enumerate(fragments) if len(f) < KEY_CHARS]
        long = [(i, f) for i, f in enumerate(fragments) if len(f) >= KEY_CHARS]
        width = max((len(f) for _, f in long), default=KEY_CHARS)
        self._lengths = np.array([len(f) for f in fragments], dtype=np.int64)
        #: Each fragment's code points, zero-padded to the longest.
        self._chars = np.zeros((len(fragments), width), dtype=np.uint32)
        for i, f in long:
            self._chars[i, : len(f)] = code_points(f)
        self._offsets = np.arange(width)
        by_key: dict[int, list[int]] = {}
        for i, f in long:
            by_key.setdefault(int(_keys(code_points(f[:KEY_CHARS]))[0]), []).append(i)
        #: Row of `_slots` for each key (0: no fragment); a row lists the fragments with the
        #: key, padded with -1.
        self._table = np.zeros(1 << (KEY_BITS * KEY_CHARS), dtype=np.int16)
        most = max(map(len, by_key.values()), default=1)
        self._slots = np.full((len(by_key) + 1, most), -1, dtype=np.int64)
        for row, (key, ids) in enumerate(by_key.items(), start=1):
            self._table[key] = row
            self._slots[row, : len(ids)] = ids
        self._is_key = self._table > 0

    def owners(self, name: str) -> np.ndarray:
        """Whether each fragment belongs to group `name`."""
        return self._owners[:, self.names.index(name)]

    def find(
        self, text: str, compiled: bool = True, cps: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Where the fragments occur in `text` (every start, overlaps too), and which each is:
        found in C if it is built and `compiled`, else with numpy, in the same order. `cps`:
        `code_points(text)`, where the caller has them already."""
        cps = code_points(text) if cps is None else cps
        positions, ids = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
        if cps.size >= KEY_CHARS and len(self._slots) > 1 and compiled and _scan is not None:
            found_at, found_id = _scan.find_fragments(
                cps, self._table, self._slots, self._slots.shape[1], self._chars,
                self._chars.shape[1], self._lengths,
            )
            positions.append(np.frombuffer(found_at, dtype=np.int64))
            ids.append(np.frombuffer(found_id, dtype=np.int64))
        elif cps.size >= KEY_CHARS and len(self._slots) > 1:
            keys = _keys(cps)
            cand = np.flatnonzero(np.take(self._is_key, keys))  # a bool table: 20x faster to scan
            slots = self._slots[self._table[keys[cand]]]
            which, slot = np.nonzero(slots >= 0)
            pos, frag = cand[which], slots[which, slot]
            # Windows running past the text's end are cut short, then refused by their length.
            window = np.minimum(pos[:, None] + self._offsets, cps.size - 1)
            same = (cps[window] == self._chars[frag]) | (self._offsets >= self._lengths[frag][:, None])
            ok = same.all(axis=1) & (pos + self._lengths[frag] <= cps.size)
            positions.append(pos[ok])
            ids.append(frag[ok])
        for i, f in self._short:
            found = _find_all(text, f)
            positions.append(np.array(found, dtype=np.int64))
            ids.append(np.full(len(found), i, dtype=np.int64))
        return np.concatenate(positions), np.concatenate(ids)

    def occurrences(self, text: str, starts: np.ndarray, cps: np.ndarray | None = None) -> Occurrences:
        """The fragments' occurrences in the lines starting at `starts` in `text` (`cps`: its
        code points, if known): an occurrence counts for the line its first character is in."""
        positions, ids = self.find(text, cps=cps)
        lines = np.searchsorted(starts, positions, side="right") - 1
        return Occurrences(self, lines, positions - starts[lines], ids, len(starts))

    def lines_containing(self, text: str, starts: np.ndarray) -> dict[str, np.ndarray]:
        """Per group, the sorted indices of the lines (starting at `starts` in `text`) that
        have one of its fragments."""
        found = self.occurrences(text, starts)
        return {name: found.lines_of(name) for name in self.names}


@dataclass(frozen=True)
class Occurrences:
    """Where a `FragmentIndex`'s fragments occur in a batch of lines: line, offset in it,
    fragment (an index into `index.fragments`)."""

    index: FragmentIndex
    lines: np.ndarray
    offsets: np.ndarray
    ids: np.ndarray
    n_lines: int

    def lines_of(self, name: str) -> np.ndarray:
        """The sorted indices of the lines that hold one of group `name`'s fragments."""
        has = np.zeros(self.n_lines, dtype=bool)
        has[self.lines[self.index.owners(name)[self.ids]]] = True
        return np.flatnonzero(has)

    def starts(self, rules: StartRules) -> tuple[np.ndarray, np.ndarray]:
        """(line, offset) of every place in the lines where a match may start, by `rules`
        (built on this index): sorted, without repeats."""
        n_rules = rules.n_rules[self.ids]
        occ = np.flatnonzero(n_rules)
        if not occ.size:
            return occ, occ
        if rules.one_place:  # each occurrence places one start: no repeats to spread
            occ_each, lo_each = occ, rules.lo[rules.first[self.ids[occ]]]
            step = np.zeros_like(occ)
        else:
            occ_rule = np.repeat(occ, n_rules[occ])  # each occurrence once for each of its leads ...
            rule = np.arange(occ_rule.size) - np.repeat(np.cumsum(n_rules[occ]) - n_rules[occ], n_rules[occ])
            rule += rules.first[self.ids[occ_rule]]
            lo, hi = rules.lo[rule], rules.hi[rule]
            width = np.where(lo == AT_START[0], 1, hi - lo + 1)
            occ_each, lo_each = np.repeat(occ_rule, width), np.repeat(lo, width)  # ... and width
            step = np.arange(occ_each.size) - np.repeat(np.cumsum(width) - width, width)
        at = np.where(lo_each == AT_START[0], 0, self.offsets[occ_each] - lo_each - step)
        keep = at >= 0
        keys = np.unique(self.lines[occ_each][keep] * (1 << 32) + at[keep])
        return keys >> 32, keys & ((1 << 32) - 1)


@dataclass(frozen=True)
class StartRules:
    """A group's `Leads` as arrays over a `FragmentIndex`'s fragments: the rules of fragment
    f are first[f] .. first[f] + n_rules[f] - 1, each a lead (lo, hi)."""

    first: np.ndarray
    n_rules: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    one_place: bool  # every fragment has one lead, of one width (or `AT_START`)

    @classmethod
    def of(cls, index: FragmentIndex, leads: Mapping[str, frozenset[Lead]]) -> StartRules:
        rules = sorted((index.fragments.index(f), lead) for f, how in leads.items() for lead in how)
        frag = np.array([f for f, _ in rules], dtype=np.int64)
        n_rules = np.bincount(frag, minlength=len(index.fragments)).astype(np.int64)
        first = np.cumsum(n_rules) - n_rules
        lo = np.array([lead[0] for _, lead in rules], dtype=np.int64)
        hi = np.array([lead[1] for _, lead in rules], dtype=np.int64)
        return cls(first, n_rules, lo, hi, bool((n_rules <= 1).all() and (lo == hi).all()))

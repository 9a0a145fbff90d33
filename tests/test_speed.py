"""The fast paths give the same numbers as the plain ones they replace.

Features: the literal prefilter never skips a line a pattern matches, its fragments are found
in C as with numpy, the character tables agree with `str` and `re` on every code point and
the per-line counts in C with numpy's, the headline models' margins have the same bits in C
as with numpy, and a batch gives each document the rows it gets alone. Trees: the arrays
walked in C, by numpy or by scikit-learn's compiled walk give scikit-learn's own
probabilities bit for bit, and a tampered array file is refused.
"""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from cleaner import _literals, _trees, features, model, patterns
from cleaner.segment import split_lines

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "input"

#: Lines meant to trip the fast paths: case variants `re` folds and `str.lower` does not,
#: non-BMP characters, lone surrogates, separators, digits that are not decimal.
TRICKY = [
    "ſubſcribe to our newsletter", "İNSTAGRAM and Facebook", "FOLLOW US ON TWİTTER", "KLICK",
    "Photo: Getty Images", "PHOTO | AFP", "© 2008 AFP", "(Reporting by Jane Doe; Editing by X)",
    "Originally published on Example.com", "READ MORE: Some headline", "Related stories",
    "Key Takeaways", "You may also like", "https://example.com/x", "WWW.EXAMPLE.COM",
    "Ⅻ Ⅷ ② ½ ¹ ٣ ߁ 𝟙", "𝐁𝐨𝐥𝐝 𝑖𝑡𝑎𝑙𝑖𝑐 😀 emoji", "\udcff lone surrogate \ud800", "tab\there\x00nul",
    "ǅungla ǈjubljana", "ΣΊΣΥΦΟΣ ς", "straße STRASSE", "int/jk/as", "and/or", "--IANS", "(AFP)",
    "Seoul, April 30 (IANS) North Korean troops", "YALA, Thailand - A bomb", "By IANS, Kolkata : x",
    "Published: Jan 5, 2020 10:30 am EST", "3 hours ago", "The minister says he will resign.",
    "“Quoted,” he said. “Again!” She told reporters.", "a" * 3000, "...", "|||", ":", "x",
]


def _docs() -> list[list[str]]:
    docs = [split_lines(p.read_text(encoding="utf-8")) for p in sorted(SAMPLES.glob("*.txt"))]
    docs.append(TRICKY)
    docs.append(["", "  ", *TRICKY[::-1], ""])
    return docs


def test_fold_covers_every_character_re_ignorecase_equates_with_ascii():
    # Every code point but the surrogates, as one string; `re` finds what IGNORECASE equates.
    text = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000)
    folded = _literals.fold(text)
    assert len(folded) == len(text)
    for ch in sorted({c.lower() for c in map(chr, range(128))}):
        for m in re.finditer(re.escape(ch), text, re.IGNORECASE):
            assert folded[m.start()] == ch.lower(), (ch, m.group())


def test_fold_in_c_is_pythons_on_every_code_point_and_leaves_capital_sigma_to_python():
    # Surrogates included: `code_points` passes them through, and the batch's text may hold them.
    text = "".join(chr(c) for c in range(sys.maxunicode + 1) if c != 0x3A3)
    cps = _literals.code_points(text)
    folded, points = _literals.fold_points(text, cps)
    assert folded == _literals.fold(text) and np.array_equal(points, _literals.code_points(folded))
    assert _literals._scan.fold(_literals.code_points("ΟΔΟΣ ΣΟΦΙΑ")) is None
    assert _literals.fold_points("ΟΔΟΣ Σ", _literals.code_points("ΟΔΟΣ Σ"))[0] == "οδο\u03c2 \u03c3"


def test_character_classes_agree_with_str_and_re_on_every_code_point():
    cps = np.arange(sys.maxunicode + 1, dtype=np.uint32)
    flags = features._flags_of(cps)
    text = "".join(map(chr, range(sys.maxunicode + 1)))
    word = np.zeros(cps.size, dtype=bool)
    word[[m.start() for m in re.finditer(r"\w", text)]] = True
    assert np.array_equal((flags & features.WORD) > 0, word)
    sample = np.r_[0:0x3000, 0x1D400:0x1D800, 0x1F600:0x1F650]
    for cp in sample:
        c = chr(cp)
        f = int(flags[cp])
        assert bool(f & features.ALPHA) == c.isalpha()
        assert bool(f & features.UPPER) == c.isupper()
        assert bool(f & features.LOWER) == c.islower()
        assert bool(f & features.DIGIT) == c.isdigit()


def test_line_counts_in_c_are_numpys_on_every_code_point_and_tricky_lines():
    # Every code point once, in lines of 1 to 40 characters (the separator between them is
    # the batch's own, so no line holds it), then the tricky lines and the samples.
    rng = np.random.default_rng(3)
    points = [cp for cp in range(sys.maxunicode + 1) if chr(cp) != features._SEP]
    cuts = np.cumsum(rng.integers(1, 41, size=len(points) // 10))
    bounds = zip(np.r_[0, cuts], np.r_[cuts, len(points)], strict=True)
    lines = ["".join(map(chr, points[a:b])) for a, b in bounds]
    lines = [line for line in lines if line] + [s.strip() for doc in _docs() for s in doc if s.strip()]
    batch = features._Batch.of(lines)
    cps = _literals.code_points(batch.joined)
    c = features._line_counts(batch, cps, compiled=True)
    plain = features._line_counts(batch, cps, compiled=False)
    assert c.shape == (len(lines), len(features.SHAPE_COUNTS)) and (c > 0).any(axis=0).all()
    assert np.array_equal(c, plain)


def test_sentence_breaks_ends_and_head_colons_counted_in_c_are_pythons_on_dense_random_lines():
    # Lines made of nothing but the parts of SENTENCE_BREAK and of the line ends, and their
    # near misses, so that starts inside other matches, marks inside a match, runs of closing
    # marks and every part's edge come up thousands of times.
    import random

    rng = random.Random(11)
    pieces = list(".!?…\"”’')]“‘(«„: \t\u2003\xa0AZaz1É_-,") + ["...", ". ", '." ', ".) (A", "? “B", "?”)"]
    lines = ["".join(rng.choices(pieces, k=rng.randint(1, 40))).strip() or "x" for _ in range(5000)]
    lines += ["x" * 29 + ":", "x" * 30 + ":"]  # a colon at the head's last character, and past it
    batch = features._Batch.of(lines)
    counted = features._line_counts(batch, batch.code_points())
    assert np.array_equal(counted, features._line_counts(batch, batch.code_points(), compiled=False))
    column = features.SHAPE_COUNTS.index("sentence_breaks")
    assert counted[:, column].tolist() == [len(patterns.SENTENCE_BREAK.findall(line)) for line in lines]
    assert counted[:, column].max() >= 3
    for name in ("ends_question", "ends_sentence", "colon_in_head"):
        assert 300 < counted[:, features.SHAPE_COUNTS.index(name)].sum() < 4500, name
    assert counted[-2:, features.SHAPE_COUNTS.index("colon_in_head")].tolist() == [1, 0]


def test_forms_skipped_for_lack_of_a_mark_would_not_have_matched():
    import random

    from cleaner import metadata

    assert [marks for _, marks in patterns._MARKED_DATELINES] == [("(",), ("By",), ("-", "–", "—")]
    rng = random.Random(5)
    pieces = ["SEOUL", "Seoul", "New Delhi", "YALA", ", ", "Thailand", "April 30", "(IANS)", "(",
              ")", "Reuters", " - ", "--", " – ", "—", " ", ":", "By ", "IANS", "North Korean", "x",
              "| ", "Jan. 15, 2008", "Calif.", "(AP) -- ", "By IANS, ", "Kolkata", " : ", "int/jk/as",
              "ms/vd"]
    lines = ["".join(rng.choices(pieces, k=rng.randint(1, 9))).strip() or "x" for _ in range(20000)]
    tags = (patterns.EDITOR_TAG, patterns._TAG_MARKS)
    forms = (*patterns._MARKED_DATELINES, *metadata._GLUED, *metadata._ALONE, tags)
    for pattern, marks in forms:
        matched = [line for line in lines if any(pattern.match(line, i) for i in range(len(line)))]
        assert len(matched) > 10, pattern.pattern
        assert all(patterns.has_mark(line, marks) for line in matched), pattern.pattern
    opening = [line for line in lines if any(f.match(line) for f in patterns._DATELINES)]
    assert [line for line in lines if patterns.opens_with_dateline(line)] == opening and len(opening) > 300


def test_the_c_line_counts_refuse_lines_outside_the_text_and_buffers_that_do_not_fit():
    scan = _literals._scan
    cps = _literals.code_points("ab cd\nef")
    starts, lengths = np.array([0, 6], dtype=np.int64), np.array([5, 2], dtype=np.int64)
    out = np.zeros((2, scan.N_COUNTS), dtype=np.int64)
    marks, roles, head = features._MARK_CPS, features._MARK_ROLES, features.HEAD_CHARS
    scan.line_counts(cps, starts, lengths, marks, roles, head, out)
    assert out[:, features.SHAPE_COUNTS.index("words")].tolist() == [2, 1]
    for args in (
        (cps, starts, np.array([5, 3], dtype=np.int64), marks, roles, head, out),  # past the end
        (cps, np.array([-1, 6], dtype=np.int64), lengths, marks, roles, head, out),
        (cps, starts, lengths, marks[::-1].copy(), roles[::-1].copy(), head, out),  # not sorted
        (cps, starts, lengths, marks, roles[:-1].copy(), head, out),  # a mark without its role
        (cps, starts, lengths, marks, roles, head, out[:1].copy()),  # no room for the second
    ):
        with pytest.raises(ValueError):
            scan.line_counts(*args)


@pytest.mark.parametrize("feat", features.PATTERN_FEATURES, ids=lambda f: f.name)
def test_prefilter_never_skips_a_line_the_pattern_matches(feat):
    lines = [s.strip() for doc in _docs() for s in doc if s.strip()]
    batch = features._Batch.of(lines)
    fast = features._pattern_columns(batch)[feat.name]
    assert np.array_equal(fast, feat.evaluate(lines).astype(float))


def test_prefilter_agrees_on_random_lines():
    import random

    rng = random.Random(7)
    pieces = list("aAbB zZ.,:;!?\"'“”‘’«»()-–—|/\t©İıſK0123456789_\x00") + [
        "Photo", "SUBSCRIBE", "said", "READ MORE:", "By ", "www.", "http://", "(IANS)", "Related",
        "Key Takeaways", "sign  up", "follow us", "© 2020 AFP", "Getty Images", "says", "𝐁", "Ⅻ",
    ]
    lines = ["".join(rng.choices(pieces, k=rng.randint(1, 30))).strip() or "x" for _ in range(3000)]
    fast = features._pattern_columns(features._Batch.of(lines))
    for feat in features.PATTERN_FEATURES:
        assert np.array_equal(fast[feat.name], feat.evaluate(lines).astype(float)), feat.name


def _lines_found_by_str_find(fragments: frozenset[str], text: str, starts: np.ndarray) -> np.ndarray:
    """The plain prefilter the fragment index replaces: a `str.find` scan per fragment, each
    occurrence counted for the line its first character is in."""
    hits = [i for f in fragments for i in _str_find_all(text, f)]
    return np.unique(np.searchsorted(starts, np.array(hits, dtype=np.int64), side="right") - 1)


def _str_find_all(text: str, fragment: str) -> list[int]:
    found, i = [], text.find(fragment)
    while i >= 0:
        found.append(i)
        i = text.find(fragment, i + 1)
    return found


def _fragment_neighbourhoods() -> list[str]:
    """Each feature's fragments in every case variant, beside characters that trip code-point
    arithmetic (non-BMP, combining marks, Kelvin sign), at line ends, cut across two lines."""
    frags = sorted({f for pre in features._PREFILTERS.values() if pre for f in pre[0]})
    around = ["", "😀", "𝐁", "\u0301", "\u212a", "İ", "ı", "ſ", "\udcff", "©", "x"]
    lines = []
    for f in frags:
        for variant in dict.fromkeys([f, *(v(f) for v in _CASE_VARIANTS)]):
            lines += [a + variant + b for a in around for b in ("", *around[1:3])]
            for k in range(1, len(variant)):
                lines += [variant[:k], variant[k:]]
    return lines


def test_fragment_index_finds_the_lines_a_str_find_scan_does():
    lines = [s.strip() for doc in _docs() for s in doc if s.strip()] + _fragment_neighbourhoods()
    batch = features._Batch.of(lines)
    checked = 0
    for name, pre in features._PREFILTERS.items():
        if pre is None:
            continue
        text = batch.folded() if pre[1] else batch.joined
        expected = _lines_found_by_str_find(pre[0], text, batch.starts)
        assert np.array_equal(batch.lines_containing(name, pre[1]), expected), name
        assert expected.size
        checked += 1
    assert checked >= 5


def test_no_fragment_runs_across_lines_and_one_that_would_counts_for_its_first_line():
    # The batch's separator is in no fragment, so a fragment found is within one line ...
    assert not any(features._SEP in f for pre in features._PREFILTERS.values() if pre for f in pre[0])
    # ... and the index would count one running across it where a `str.find` scan did.
    groups = {"across": frozenset({"id\nto", "d\nt"}), "short": frozenset({"©", "\n©"})}
    index = _literals.FragmentIndex(groups)
    lines = ["he said", "told", "", "©", "said", "tolled ©"]
    text, starts = "\n".join(lines), np.cumsum([0] + [len(s) + 1 for s in lines[:-1]])
    found = index.lines_containing(text, starts)
    assert found["across"].tolist() == [0, 4] and found["short"].tolist() == [2, 3, 5]
    for name, frags in groups.items():
        assert np.array_equal(found[name], _lines_found_by_str_find(frags, text, starts))


@pytest.mark.parametrize("compiled", [True, False], ids=["c", "numpy"])
def test_fragment_index_finds_every_occurrence_str_find_does_on_random_text(compiled):
    import random

    rng = random.Random(11)
    # Characters whose keys collide (the low bits of `a`, `A`, `!`, `á`, `𝐚` agree), repeats
    # that overlap, fragments at the very end of the text, and ones too short for a key.
    alphabet = list("aA!\u00e1\U0001d41a sS3\u017f\n") + ["aa", "saa"]
    fragments = frozenset({"aaa", "aaaa", "sa!", "Aa", "a", "\U0001d41aa\u00e1", "s\u017fs", "a\na"})
    index = _literals.FragmentIndex({"all": fragments})
    for _ in range(300):
        text = "".join(rng.choices(alphabet, k=rng.randint(0, 40)))
        positions, ids = index.find(text, compiled)
        got = sorted(zip(positions.tolist(), ids.tolist(), strict=True))
        frags = sorted(fragments)
        want = sorted((i, frags.index(f)) for f in frags for i in _str_find_all(text, f))
        assert got == want, text


def test_exp_in_c_has_the_bits_of_math_exp():
    from cleaner import numeric

    assert numeric._numeric is not None  # built where the tests run (its build is optional)
    rng = np.random.default_rng(0)
    edges = [np.nan, np.inf, -np.inf, 0.0, -0.0, 5e-324, -745.2, -745.1, 709.78, 709.7801, 710.0]
    x = np.concatenate([rng.normal(0, 10, 200_000), rng.uniform(-800, 800, 100_000), edges])
    c = numeric.exp(x)
    assert np.array_equal(c.view(np.int64), numeric.exp(x, compiled=False).view(np.int64))
    assert [float(v) for v in c[-9:-2]] == [math.exp(v) for v in x[-9:-2]]
    assert np.isnan(c[-11]) and c[-10] == c[-2] == c[-1] == np.inf


def test_the_c_scan_is_built_where_the_tests_run():
    # Its build is optional (setup.py): without this, a failed build would only be slower.
    assert _literals._scan is not None
    assert _literals._scan.N_COUNTS == len(features.SHAPE_COUNTS)


def test_fragment_index_finds_the_same_occurrences_in_c_and_numpy_in_the_same_order():
    lines = [s.strip() for doc in _docs() for s in doc if s.strip()] + _fragment_neighbourhoods()
    batch = features._Batch.of(lines)
    for folded in (False, True):
        index = features._FRAGMENT_INDEXES[folded]
        text = batch.folded() if folded else batch.joined
        c, plain = index.find(text, compiled=True), index.find(text, compiled=False)
        assert c[0].size > 100
        assert np.array_equal(c[0], plain[0]) and np.array_equal(c[1], plain[1])


def test_the_c_scan_refuses_tables_that_would_read_outside_its_arrays():
    index = _literals.FragmentIndex({"all": frozenset({"said", "told"})})
    cps = _literals.code_points("he said, she told")
    args = [cps, index._table, index._slots, index._slots.shape[1], index._chars,
            index._chars.shape[1], index._lengths]
    assert len(np.frombuffer(_literals._scan.find_fragments(*args)[0], dtype=np.int64)) == 2
    bad_row = index._table.copy()
    bad_row[bad_row.argmax()] = len(index._slots)
    bad_id = index._slots.copy()
    bad_id[1, 0] = len(index._lengths)
    bad_length = index._lengths.copy()
    bad_length[0] = index._chars.shape[1] + 1
    for at, value in ((1, bad_row), (2, bad_id), (6, bad_length), (1, index._table[:-1].copy())):
        with pytest.raises(ValueError):
            _literals._scan.find_fragments(*args[:at], value, *args[at + 1:])


def _headlines() -> list[str]:
    lines = [s for doc in _docs() for s in doc]
    return lines + ["", " ", "won't ''x'' a'b ' 'tis", "O'Neil’s 2023-04 C++", "x" * 500, "a", "ab"]


@pytest.mark.parametrize("which", ["headline", "wording", "both"])
def test_headline_margins_in_c_have_numpys_bits(which):
    from cleaner import clickbait, wording

    models = {"headline": (clickbait.headline_model(),), "wording": (wording.wording_model(),)}
    models["both"] = models["headline"] + models["wording"]
    texts = _headlines()
    for c, plain in zip(clickbait.margins(models[which], texts, compiled=True),
                        clickbait.margins(models[which], texts, compiled=False), strict=True):
        assert np.isnan(c).sum() >= 3  # the blank lines: nothing to score
        assert np.array_equal(c.view(np.int64), plain.view(np.int64))


def test_the_c_ngram_sums_refuse_settings_and_buffers_that_do_not_fit():
    from cleaner import clickbait

    model = clickbait.headline_model()
    table = clickbait._packed_weights((model,))
    cps = " ab cd ".encode("utf-32-le")
    lengths = np.array([4, 3], dtype=np.int64)
    bits = model.settings.n_features.bit_length() - 1
    sums = np.zeros((2, 2))
    _literals._scan.ngram_sums(cps, lengths, 2, 5, 1, 2, bits, table, 1, sums)
    assert (sums[:, 1] > 0).all()
    for args in (
        (cps, np.array([4, 4], dtype=np.int64), 2, 5, 1, 2, bits, table, 1, sums),  # past the end
        (cps, np.array([4, 2], dtype=np.int64), 2, 5, 1, 2, bits, table, 1, sums),  # short of it
        (cps, lengths, 2, 5, 1, 2, bits + 1, table, 1, sums),  # a table too small for the buckets
        (cps, lengths, 2, 5, 1, 2, bits, table, 2, sums),  # two models' rows in one's table
        (cps, lengths, 2, 5, 1, 2, bits, table, 1, np.zeros((1, 2))),  # no room for the second
        (cps, lengths, 0, 5, 1, 2, bits, table, 1, sums),
        (cps, lengths, 2, 5, 1, 3, bits, table, 1, sums),
    ):
        with pytest.raises(ValueError):
            _literals._scan.ngram_sums(*args)


def test_fragments_are_what_every_match_contains():
    pattern = re.compile(r"\b(?:sign\s+up|subscribe|log\s+in)\b", re.I)
    frags = _literals.required_fragments(pattern)
    assert frags and all(len(f) >= 2 for f in frags)
    for text in ("Sign  up now", "SUBSCRIBE", "log in", "ſubscribe", "İ will LOG IN"):
        for m in pattern.finditer(text):
            assert any(f in _literals.fold(m.group()) for f in frags), (text, frags)
    assert _literals.required_fragments(re.compile(r"\w+")) is None
    assert _literals.required_fragments(re.compile(r"(?:ab)?c")) == {"c"}
    assert _literals.required_fragments(re.compile(r"a|\d")) is None


def test_each_fragment_places_where_a_match_may_start():
    leads = _literals.fragment_leads(re.compile(r"\bab(?:cd|x\wefg)|^\s*hij|k{2,3}lmn|(?:no)+p"))
    assert leads == {
        "ab": {(0, 0)},  # the longer fragments after it would place the start as well: "ab" is
        "hij": {_literals.AT_START},  # as selective and shorter to list; `^` starts at 0
        "lmn": {(2, 3)},  # two or three k before it
        "no": {(0, 0)},  # the first repeat's
    }
    # Unbounded before its longest fragment: the bounded one, though shorter, is chosen.
    assert _literals.fragment_leads(re.compile(r"x\s+yyyy")) == {"x": {(0, 0)}}
    # A fragment dropped as holding another passes its leads on, moved by where it holds it.
    assert _literals.minimal_leads({"photo": {(0, 0)}, "(photo": {(2, 2)}, "bild": {(0, 0)}}) == {
        "photo": {(0, 0), (3, 3)}, "bild": {(0, 0)},
    }
    assert _literals.matches_empty(re.compile(r"a*")) and not _literals.matches_empty(re.compile("a+"))


_POSITIONAL = [feat for feat in features.PATTERN_FEATURES if feat.name in features._START_RULES]


def test_most_prefiltered_patterns_are_tried_only_where_their_fragments_place_a_match():
    assert {"promo", "legal", "caption", "reporting_past"} <= {feat.name for feat in _POSITIONAL}


@pytest.mark.parametrize("feat", _POSITIONAL, ids=lambda f: f.name)
def test_a_pattern_tried_where_its_fragments_place_a_match_gives_the_column_a_search_does(feat):
    import random

    rng = random.Random(5)
    # Lines dense with matches and near misses: every fragment in its case variants, pieces of
    # the pattern's own matches on the samples, glued and spaced at random (counts must skip
    # the places an earlier match covers, as `findall` does).
    lines = [s.strip() for doc in _docs() for s in doc if s.strip()] + _fragment_neighbourhoods()
    frags = sorted(features._PREFILTERS[feat.name][0])
    found = sorted({m.group() for line in lines for m in feat.pattern.finditer(line)})
    pieces = [*frags, *(v(f) for f in frags for v in _CASE_VARIANTS), *found, *found,
              "(", ":", "/", "us", "up", "in", "x", "\u0130"]
    for _ in range(3000):
        words = rng.choices(pieces, k=rng.randint(1, 12))
        lines.append("".join(w + rng.choice(["", " ", "  ", ", "]) for w in words).strip() or "x")
    fast = features._pattern_columns(features._Batch.of(lines))[feat.name]
    plain = feat.evaluate(lines).astype(float)
    assert np.array_equal(fast, plain)
    assert (plain > 0).sum() > 300 and (feat.how != "count" or (plain > 1).sum() > 100)


#: Case variants `re` IGNORECASE equates and `str.lower` alone would not (`fold` maps them).
_CASE_VARIANTS = (
    str.upper, str.swapcase,
    lambda s: s.upper().replace("I", "\u0130").replace("S", "\u017f").replace("K", "\u212a"),
    lambda s: s.replace("i", "\u0131").replace("s", "\u017f"),
)
_TWINNED = [feat for feat in features.PATTERN_FEATURES if features._TWINS.get(feat.name)]


def test_twins_test_every_character_as_ignorecase_does():
    # What a twin may hold: each literal matches, under IGNORECASE, exactly where the folded
    # text holds it; `\w`, `\s`, `\d` hold of a character exactly when they hold of its fold.
    text = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000)
    folded = np.frombuffer(_literals.fold(text).encode("utf-32-le"), dtype="<u4")
    literals = {chr(c) for c in range(128)} | {
        ch for feat in _TWINNED for ch in feat.pattern.pattern if not ch.isascii()
    }
    checked = 0
    for ch in sorted(literals):
        if not _literals._folds_to_itself(ord(ch)):
            continue
        plain = [m.start() for m in re.finditer(re.escape(ch), text, re.IGNORECASE)]
        assert plain == np.flatnonzero(folded == ord(ch)).tolist(), ch
        checked += 1
    assert checked > 90
    for cls in (r"\w", r"\s", r"\d"):
        plain = [m.start() for m in re.finditer(cls, text)]
        twin = [m.start() for m in re.finditer(cls, _literals.fold(text))]
        assert plain == twin, cls


def test_twins_match_where_their_patterns_do_on_tricky_lines():
    assert {feat.name for feat in _TWINNED} >= {"promo", "legal", "caption"}
    lines = [s.strip() for doc in _docs() for s in doc if s.strip()]
    lines += [variant(s) for s in lines for variant in _CASE_VARIANTS]
    for feat in _TWINNED:
        plain = feat.evaluate(lines)
        twin = feat.evaluate(list(map(_literals.fold, lines)), features._TWINS[feat.name])
        assert np.array_equal(plain, twin), feat.name


@pytest.mark.parametrize("source", [
    r"[A-Z]x", r"\bσ", r"k(?-i:a)", r"(a)\1", r"(a)?(?(1)b|c)", r"[\x00-\xff]", r"\x41",
])
def test_no_twin_where_case_could_matter(source):
    assert _literals.case_sensitive_twin(re.compile(source, re.IGNORECASE)) is None


def test_twins_only_of_ignorecase_unicode_patterns():
    assert _literals.case_sensitive_twin(re.compile(r"\bsign\s+up\W", re.IGNORECASE)) is not None
    assert _literals.case_sensitive_twin(re.compile("sign up")) is None
    assert _literals.case_sensitive_twin(re.compile("sign up", re.IGNORECASE | re.ASCII)) is None


def test_a_batch_gives_each_document_the_rows_it_gets_alone():
    docs = _docs()
    X = features.batch_features(docs)
    alone = np.vstack([features.document_features(d) for d in docs])
    assert np.array_equal(X, alone)
    X_rev = features.batch_features(docs[::-1])
    off = features.doc_offsets(docs[::-1])
    parts = [X_rev[a:b] for a, b in zip(off[:-1], off[1:], strict=True)][::-1]
    assert np.array_equal(X, np.vstack(parts))


@pytest.fixture(scope="module")
def bundle():
    return model.load_verified(model.LINE_MODEL_FILE)


@pytest.fixture(scope="module")
def X_lines():
    X = features.batch_features(_docs())
    X = X[X[:, 0] == 0]
    X = np.vstack([X] * 8)[:700].copy()
    X[::7, 3] = np.nan  # where a missing value goes is part of the model
    return X


def _softmax_c_library(raw: np.ndarray) -> np.ndarray:
    """scikit-learn's softmax with the C library's exp (numpy's differs with AVX-512)."""
    import math

    shifted = raw - raw.max(axis=1).reshape(-1, 1)
    e = np.vectorize(math.exp)(shifted)
    return e / e.sum(axis=1).reshape(-1, 1)


def test_the_c_walk_is_built_where_the_tests_run(bundle):
    # Its build is optional (a machine without a compiler still installs the package), so a
    # failed build would otherwise pass unnoticed, every test on the numpy walk.
    assert _trees._walk is not None
    assert _trees._walk.NODE_BYTES == _trees.WALK_NODE_DTYPE.itemsize
    assert _trees.Forest.from_estimator(bundle["first"]).walk_for(1) == "c"


@pytest.mark.parametrize("walk", _trees.WALKS)
def test_tree_arrays_give_scikit_learns_probabilities_bit_for_bit(bundle, X_lines, walk):
    """scikit-learn's raw predictions bit for bit, and its softmax of them with the C
    library's exp; that is scikit-learn's own figure wherever numpy's exp is the C
    library's (CPUs without AVX-512), and within an ulp of it elsewhere."""
    est = bundle["first"]
    forest = _trees.Forest.from_arrays(_trees.Forest.from_estimator(est).to_arrays("p_"), "p_")
    forest.walk_for = lambda n: walk  # type: ignore[method-assign]
    # 1 and 37 rows: fewer than the C walk's eight lanes, and not a multiple of them.
    for rows in (1, 37, 700):
        X = X_lines[:rows]
        raw = est._raw_predict(X)
        assert np.array_equal(forest.raw_predict(X), raw)
        assert np.array_equal(forest.predict_proba(X), _softmax_c_library(raw))
        np.testing.assert_allclose(forest.predict_proba(X), est.predict_proba(X), rtol=1e-15, atol=1e-300)


@pytest.mark.parametrize("walk", _trees.WALKS)
def test_tree_arrays_of_a_binary_model_give_scikit_learns_probabilities(X_lines, walk):
    # The block model's body ensemble has two classes: one tree an iteration, log-odds out.
    from sklearn.ensemble import HistGradientBoostingClassifier

    y = np.nan_to_num(X_lines[:, 3]) > np.nanmedian(X_lines[:, 3])
    est = HistGradientBoostingClassifier(max_iter=15, random_state=0).fit(X_lines, y)
    forest = _trees.Forest.from_arrays(_trees.Forest.from_estimator(est).to_arrays("b_"), "b_")
    forest.walk_for = lambda n: walk  # type: ignore[method-assign]
    assert forest.n_classes == 1
    assert np.array_equal(forest.predict_proba(X_lines), est.predict_proba(X_lines))


def test_the_c_walk_refuses_buffers_of_the_wrong_size(bundle, X_lines):
    forest = _trees.Forest.from_estimator(bundle["first"])
    nodes, depth = forest.walk_arrays()
    X = np.ascontiguousarray(X_lines[:10])
    raw = np.zeros((forest.n_classes, 10))
    args = (X, forest.n_features, forest.tree_start, nodes, depth, forest.value, forest.n_classes, 0, 2)
    _trees._walk.add_leaves(*args, raw)
    with pytest.raises(ValueError, match="raw"):
        _trees._walk.add_leaves(*args, raw[:, :9].copy())
    with pytest.raises(ValueError, match="tree_start"):
        _trees._walk.add_leaves(*args[:8], forest.n_iter + 1, raw)
    with pytest.raises(ValueError, match="X"):
        _trees._walk.add_leaves(X.reshape(-1)[:-1].copy(), *args[1:], raw)


def test_the_c_walk_stops_each_tree_at_the_latest_at_its_deepest_leaf(bundle):
    forest = _trees.Forest.from_estimator(bundle["first"])
    depth = forest.walk_arrays()[1]
    for tree, est_tree in enumerate(t for iteration in bundle["first"]._predictors for t in iteration):
        assert depth[tree] == est_tree.nodes["depth"].max()


def test_line_model_from_arrays_predicts_as_from_bundle(bundle, tmp_path):
    from_bundle = model.LineModel.from_bundle(bundle)
    data = from_bundle.to_arrays()
    from_arrays = model.LineModel.from_arrays(data)
    docs = _docs()
    X, off = features.batch_features(docs), features.doc_offsets(docs)
    a, b = from_bundle.predict(X, off), from_arrays.predict(X, off)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    # Shipped beside a pin, the arrays are what loads; unpinned or altered, they are refused.
    import hashlib

    (tmp_path / model.LINE_MODEL_ARRAYS).write_bytes(data)
    (tmp_path / model.CHECKSUMS_FILE).write_text(
        f"{hashlib.sha256(data).hexdigest()}  {model.LINE_MODEL_ARRAYS}\n", encoding="ascii"
    )
    loaded = model._load(tmp_path)
    assert np.array_equal(loaded.predict(X, off)[1], a[1])
    (tmp_path / model.LINE_MODEL_ARRAYS).write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    with pytest.raises(model.ModelIntegrityError, match="does not match its pinned SHA-256"):
        model._load(tmp_path)


def test_tree_arrays_that_would_loop_or_overrun_are_refused(bundle):
    arrays = _trees.Forest.from_estimator(bundle["first"]).to_arrays("p_")
    bad = dict(arrays)
    children = bad["p_children"].copy()
    inner = np.flatnonzero(~bad["p_is_leaf"])[5]
    children[inner, 0] = inner  # a node that is its own child
    bad["p_children"] = children
    with pytest.raises(_trees.UnsupportedModel):
        _trees.Forest.from_arrays(bad, "p_")
    bad = dict(arrays)
    bad["p_feature"] = bad["p_feature"].copy()
    bad["p_feature"][inner] = 10_000
    with pytest.raises(_trees.UnsupportedModel):
        _trees.Forest.from_arrays(bad, "p_")


def test_cleaning_a_large_batch_or_a_page_imports_neither_scikit_learn_nor_pandas():
    # A batch worker is one of many processes: scikit-learn (and the pandas it pulls in)
    # would add ~180 MB to each, for a tree walk the numpy one nearly matches.
    import subprocess

    code = ("import sys, cleaner\n"
            "doc = 'Headline here\\n\\n' + 'A sentence of the story, long enough to be prose.\\n' * 40\n"
            "cleaner.clean_many([doc] * 200)\n"
            "page = '<html><body><h1>A page</h1><p>' + doc + '</p></body></html>'\n"
            "assert cleaner.clean_html(page).error is None\n"
            "print('sklearn' in sys.modules, 'pandas' in sys.modules)")
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_early_exits_keep_the_staged_probabilities_of_sure_rows_and_full_ones_of_the_rest(bundle, X_lines):
    est = bundle["first"]
    forest = _trees.Forest.from_estimator(est)
    exits = [(5, 0.95), (10, 0.9)]
    staged = {k: p for k, p in enumerate(est.staged_predict_proba(X_lines), start=1) if k in (5, 10)}
    full = _softmax_c_library(est._raw_predict(X_lines))  # scikit-learn's, with the C library's exp
    got = forest.predict_proba(X_lines, exits)
    first = staged[5].max(axis=1) >= 0.95
    second = ~first & (staged[10].max(axis=1) >= 0.9)
    rest = ~first & ~second
    assert first.any() and second.any() and rest.any()  # every kind of row is in the sample
    # scikit-learn's staged probabilities lay the sum out otherwise: equal to the last few bits.
    np.testing.assert_allclose(got[first], staged[5][first], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(got[second], staged[10][second], rtol=1e-12, atol=1e-15)
    assert np.array_equal(got[rest], full[rest])
    with pytest.raises(ValueError, match="increasing"):
        forest.predict_proba(X_lines, [(10, 0.9), (5, 0.9)])


def test_the_second_pass_revises_only_the_rows_the_cascade_sends_it(bundle):
    plain = model.LineModel.from_bundle({**bundle, "meta": {**bundle.get("meta", {}), "cascade": None}})
    cascade = {"exits": [[plain.first.n_iter, 1.0]], "revise_below": 0.9}
    cascaded = model.LineModel.from_bundle({**bundle, "meta": {**bundle.get("meta", {}), "cascade": cascade}})
    docs = _docs()
    X, off = features.batch_features(docs), features.doc_offsets(docs)
    rows = X[:, 0] == 0
    proba1 = plain.first.predict_proba(X[rows])
    revised = proba1.max(axis=1) < 0.9
    assert 0 < revised.sum() < revised.size
    score_plain, score_cascaded = plain.predict(X, off)[1], cascaded.predict(X, off)[1]
    line = np.flatnonzero(rows)
    assert np.array_equal(score_cascaded[line[~revised]], proba1[~revised].max(axis=1))
    assert np.array_equal(score_cascaded[line[revised]], score_plain[line[revised]])


def test_headlines_normalised_by_replacing_marks_read_as_str_translate_would():
    import random
    import unicodedata

    from cleaner import clickbait

    table = str.maketrans(clickbait._PUNCT)
    rng = random.Random(2)
    pieces = [*clickbait._PUNCT, *"aZ .é'\"-", "ﬁ", "Ⅻ", "  "]
    for _ in range(3000):
        line = "".join(rng.choices(pieces, k=rng.randint(1, 30)))
        nfkc = unicodedata.normalize("NFKC", line[: clickbait.MAX_CHARS])
        expected = " ".join(nfkc.translate(table).split())
        assert clickbait.normalise(line, lowercase=False) == expected, line


def test_any_of_matches_a_line_exactly_when_one_of_its_patterns_does():
    import random

    anchored = [feat.pattern for feat in features.PATTERN_FEATURES if feat.name in features._ANCHORED]
    joined = _literals.any_of(anchored)
    assert joined is not None and joined.pattern == features._ANY_ANCHORED.pattern
    rng = random.Random(4)
    pieces = list("aAbB zZ.,:;!?\"'“”()-–—|/•*>0123456789") + [
        "By ", "by John Smith", "READ MORE: ", "Related Articles", "You may also like", "Key Takeaways",
        "Updated ", "January 5, 2020", "10:45 am", "--IANS", "(AFP)", "1. ", "- ", "Von ", "Lesen Sie auch",
    ]
    lines = ["".join(rng.choices(pieces, k=rng.randint(1, 8))).strip() or "x" for _ in range(20000)]
    lines += [s.strip() for doc in _docs() for s in doc if s.strip()]
    either = [any(p.match(line) for p in anchored) for line in lines]
    assert [bool(joined.match(line)) for line in lines] == either and sum(either) > 1000
    # A pattern this cannot rewrite without changing it: none.
    assert _literals.any_of([re.compile(r"(?P<a>x)(?P=a)")]) is None
    assert _literals.any_of([re.compile(r"x", re.MULTILINE)]) is None

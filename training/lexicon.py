"""Builds the lexicon of words written in lowercase, which bylines read without `By` are checked against.

    python -m training.lexicon        # `make lexicon`; a few seconds

A line the model labels `byline` may say `Filed Under`, `Save Article`, `Keine Kommentare` or
`Peanut Butter Truffles`: capitalised words, shaped like a name. What tells them from
`Steve Bird` is that running text writes `filed`, `save`, `keine` and `peanut` in lowercase,
and never `Steve`. So this counts, for every word of running text, how often it is written
in lowercase and how often capitalised, where case says nothing else: not at a line's start
nor after `.`, `!`, `?`, `:`, a quote or a bracket. A word is in the lexicon when it was
seen in lowercase at least `MIN_LOWERCASE` times and at least `MIN_LOWERCASE_SHARE` of the
time (German nouns, always capitalised, are not; `mark`, a name as often as a word, is not).

Running text: the prose lines (`MIN_WORDS` words or more, at least half of them starting in
lowercase) of the train and dev documents of every training source, each distinct line once,
whatever its label (a page's unlabelled paragraphs are as good a sample of a language as its
labelled ones). Test-split sites are never read. Writes `cleaner/models/lowercase_words.txt`
(one word a line, case-folded, sorted) and its pinned digest, `cleaner/models/LEXICON_SHA256`.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable

from cleaner import lexicon
from training.dataset import SOURCES, load_docs

#: A line of running text has at least this many words...
MIN_WORDS = 8
#: ... and at least this share of them start in lowercase (not a menu of Title Case items).
MIN_LOWERCASE_WORDS = 0.5
#: A word in the lexicon was written in lowercase at least this many times (rarer words say
#: too little: `Sami` was seen three times, once capitalised)...
MIN_LOWERCASE = 5
#: ... and at least this share of the times it was seen where case is free.
MIN_LOWERCASE_SHARE = 0.7
#: After these (or at a line's start) a capital says nothing about the word.
_CASE_FREE_AFTER = frozenset(".!?:\"“”„'‘’([{«»‹›-–—•|/*")


def case_counts(lines: Iterable[str]) -> tuple[Counter[str], Counter[str]]:
    """(lowercase, capitalised) counts of each case-folded word of the prose among `lines`."""
    lower: Counter[str] = Counter()
    upper: Counter[str] = Counter()
    for line in lines:
        words = list(lexicon.WORD.finditer(line))
        lowercase = sum(w.group()[0].islower() for w in words)
        if len(words) < MIN_WORDS or lowercase < MIN_LOWERCASE_WORDS * len(words):
            continue
        for m in words:
            before = line[: m.start()].rstrip()
            if not before or before[-1] in _CASE_FREE_AFTER:
                continue
            word = m.group()
            if word[0].islower():
                lower[word.casefold()] += 1
            elif word[0].isupper():
                upper[word.casefold()] += 1
    return lower, upper


def lowercase_words(lower: Counter[str], upper: Counter[str]) -> list[str]:
    return sorted(
        w for w, n in lower.items() if n >= MIN_LOWERCASE and n >= MIN_LOWERCASE_SHARE * (n + upper[w])
    )


def prose_lines() -> list[str]:
    """Each distinct stripped line of the train and dev documents, in a fixed order."""
    docs = [d for d in load_docs(SOURCES) if d.split != "test"]
    return list(dict.fromkeys(line.strip() for d in docs for line in d.lines))


def main() -> None:
    lines = prose_lines()
    lower, upper = case_counts(lines)
    words = lowercase_words(lower, upper)
    data = ("\n".join(words) + "\n").encode("utf-8")
    (lexicon.MODEL_DIR / lexicon.LEXICON_FILE).write_bytes(data)
    (lexicon.MODEL_DIR / lexicon.DIGEST_FILE).write_text(hashlib.sha256(data).hexdigest() + "\n")
    print(f"{len(lines)} distinct lines, {sum(lower.values())} lowercase and {sum(upper.values())} "
          f"capitalised words counted: {len(words)} words in {lexicon.LEXICON_FILE} ({len(data)} bytes)")


if __name__ == "__main__":
    main()

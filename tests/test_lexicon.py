"""The shipped list of words written in lowercase: what it holds, that it is the one training
builds, and that a changed copy is refused."""

import shutil
from collections import Counter
from pathlib import Path

import pytest

from cleaner import lexicon
from conftest import SHARED_DATA


def _copy(tmp_path: Path) -> Path:
    for name in (lexicon.LEXICON_FILE, lexicon.DIGEST_FILE):
        shutil.copy(lexicon.MODEL_DIR / name, tmp_path / name)
    return tmp_path


@pytest.mark.parametrize("word", ["filed", "Under", "save", "Keine", "zum", "peanut", "print"])
def test_words_running_text_writes_in_lowercase_are_in_it(word):
    assert lexicon.is_lowercase_word(word)


@pytest.mark.parametrize("word", ["Steve", "Mark", "Zeitung", "Asia", "Zubeiri", "Santa"])
def test_names_and_german_nouns_are_not(word):
    assert not lexicon.is_lowercase_word(word)


def test_a_word_seen_rarely_or_often_capitalised_is_left_out():
    from training.lexicon import MIN_LOWERCASE, lowercase_words

    lower = Counter({"under": 100, "mark": 50, "sami": MIN_LOWERCASE - 1})
    upper = Counter({"under": 2, "mark": 60, "sami": 0})
    assert lowercase_words(lower, upper) == ["under"]


def test_capitals_after_a_full_stop_or_at_a_line_start_are_not_counted():
    from training.lexicon import case_counts

    line = "Filed under the news. Under the bridge, Steve said he filed it under news today"
    lower, upper = case_counts([line])
    assert (lower["under"], upper["under"]) == (2, 0)  # the line's first word and "news. Under"
    assert upper["steve"] == 1 and lower["filed"] == 1


def test_a_copy_with_changed_bytes_is_refused_naming_the_file(tmp_path):
    model_dir = _copy(tmp_path)
    assert "filed" in lexicon.load(model_dir)
    path = model_dir / lexicon.LEXICON_FILE
    path.write_bytes(path.read_bytes() + b"steve\n")
    with pytest.raises(lexicon.LexiconError, match=lexicon.LEXICON_FILE):
        lexicon.load(model_dir)


@pytest.mark.skipif(not SHARED_DATA.is_dir(), reason="needs ../shared/data")
def test_the_shipped_list_is_the_one_training_builds_from_train_and_dev_sites():
    from training.lexicon import case_counts, lowercase_words, prose_lines

    words = lowercase_words(*case_counts(prose_lines()))
    shipped = (lexicon.MODEL_DIR / lexicon.LEXICON_FILE).read_text(encoding="utf-8").split()
    assert words == shipped

"""The line lexicon: loaded only when pinned, scored from the headline model's hashing."""

import shutil

import numpy as np
import pytest

from cleaner import features, wording
from cleaner.clickbait import headline_model, margins
from cleaner.model import CHECKSUMS_FILE, MODEL_DIR

_LEXICAL = features.BASE_NAMES.index("wording")
_CLICKBAIT = features.BASE_NAMES.index("clickbait")


def _copy(tmp_path):
    for name in (wording.WORDING_FILE, CHECKSUMS_FILE):
        shutil.copy(MODEL_DIR / name, tmp_path / name)
    return tmp_path


def test_shipped_lexicon_loads_and_shares_the_headline_models_settings():
    assert wording.load().settings == headline_model().settings


def test_a_modified_lexicon_is_refused_naming_the_file(tmp_path):
    path = _copy(tmp_path) / wording.WORDING_FILE
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(wording.WordingError, match=str(path)):
        wording.load(tmp_path)


def test_a_lexicon_not_pinned_is_refused(tmp_path):
    _copy(tmp_path)
    (tmp_path / CHECKSUMS_FILE).write_text("", encoding="ascii")
    with pytest.raises(wording.WordingError, match="no pinned SHA-256"):
        wording.load(tmp_path)


def test_the_lexicon_round_trips_through_its_arrays():
    lexicon = wording.load()
    again = wording.from_bytes(wording.to_bytes(lexicon))
    texts = ["Mehr zum Thema", "The minister resigned on Tuesday."]
    assert np.array_equal(again.scores(texts), lexicon.scores(texts))


def test_margins_scored_together_equal_each_model_alone():
    texts = ["Read more: the ten best beaches", "", "Foto: dpa", "Die Polizei ermittelt."]
    models = (headline_model(), wording.load())
    together = margins(models, texts)
    for model, z in zip(models, together, strict=True):
        assert np.array_equal(z, model.decision(texts), equal_nan=True)


def test_long_lines_get_no_lexical_score_and_short_ones_a_probability():
    long_line = " ".join(["word"] * (features.HEADLINE_MAX_WORDS + 5)) + "."
    base = features.base_matrix(["Share this article", long_line])
    assert 0.0 <= base[0, _LEXICAL] <= 1.0
    assert base[1, _LEXICAL] == features.NOT_A_HEADLINE
    assert base[1, _CLICKBAIT] == features.NOT_A_HEADLINE


def test_using_none_leaves_the_lexical_column_constant_and_the_headline_score_as_it_was():
    lines = ["Share this article", "Subscribe to our newsletter", "Police said on Monday."]
    shipped = features.base_matrix(lines)
    with wording.using(None):
        without = features.base_matrix(lines)
    assert (without[:, _LEXICAL] == features.NOT_A_HEADLINE).all()
    assert np.array_equal(np.delete(without, _LEXICAL, axis=1), np.delete(shipped, _LEXICAL, axis=1))
    assert np.array_equal(features.base_matrix(lines), shipped)  # the block restored the shipped one

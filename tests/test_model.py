"""The bundled model is loaded only when its bytes match the pinned SHA-256."""

import shutil

import pytest

from cleaner import model


def test_shipped_model_matches_its_pin_and_loads():
    bundle = model.load_verified(model.LINE_MODEL_FILE)
    assert "body" in bundle["labels"]


def test_a_modified_copy_is_refused_naming_the_file(tmp_path):
    for name in (model.LINE_MODEL_FILE, model.CHECKSUMS_FILE):
        shutil.copy(model.MODEL_DIR / name, tmp_path / name)
    path = tmp_path / model.LINE_MODEL_FILE
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(model.ModelIntegrityError, match=str(path)):
        model.load_verified(model.LINE_MODEL_FILE, tmp_path)


def test_a_truncated_copy_is_refused(tmp_path):
    for name in (model.LINE_MODEL_FILE, model.CHECKSUMS_FILE):
        shutil.copy(model.MODEL_DIR / name, tmp_path / name)
    path = tmp_path / model.LINE_MODEL_FILE
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(model.ModelIntegrityError, match="does not match its pinned SHA-256"):
        model.load_verified(model.LINE_MODEL_FILE, tmp_path)


def test_a_path_is_not_accepted_as_a_model_name(tmp_path):
    with pytest.raises(model.ModelIntegrityError, match="named, not given as paths"):
        model.load_verified("../../etc/passwd")


def test_model_is_loaded_once_per_process():
    assert model.line_model() is model.line_model()

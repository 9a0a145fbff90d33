"""The bundled model is loaded only when its bytes match the pinned SHA-256."""

import ast
import shutil
from pathlib import Path

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


def test_a_truncated_copy_is_refused_naming_the_file_not_with_a_pickle_error(tmp_path):
    for name in (model.LINE_MODEL_FILE, model.CHECKSUMS_FILE):
        shutil.copy(model.MODEL_DIR / name, tmp_path / name)
    path = tmp_path / model.LINE_MODEL_FILE
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(model.ModelIntegrityError, match="does not match its pinned SHA-256") as info:
        model.load_verified(model.LINE_MODEL_FILE, tmp_path)
    assert str(path) in str(info.value)
    assert info.value.__cause__ is None  # refused before unpickling, not after a failed attempt


def test_a_path_is_not_accepted_as_a_model_name(tmp_path):
    with pytest.raises(model.ModelIntegrityError, match="named, not given as paths"):
        model.load_verified("../../etc/passwd")


def test_model_is_loaded_once_per_process():
    assert model.line_model() is model.line_model()


def test_a_candidate_line_model_labels_only_inside_its_block_and_only_if_its_pins_match(tmp_path):
    """Dev-site tuning (`training.evaluate --model-dir`) swaps a model trained elsewhere in
    for the block alone, and never one whose bytes are not the ones its directory pins."""
    from cleaner import pipeline
    from training.evaluate import line_model_from

    shipped = pipeline.line_model()
    with line_model_from(model.MODEL_DIR):
        candidate = pipeline.line_model()
        assert candidate is not shipped
        assert candidate.labels.tolist() == shipped.labels.tolist()
    assert pipeline.line_model() is shipped

    for name in (model.LINE_MODEL_ARRAYS, model.CHECKSUMS_FILE):
        shutil.copy(model.MODEL_DIR / name, tmp_path / name)
    path = tmp_path / model.LINE_MODEL_ARRAYS
    path.write_bytes(path.read_bytes()[:-1])
    with pytest.raises(model.ModelIntegrityError, match="does not match its pinned SHA-256"):
        with line_model_from(tmp_path):
            pass
    assert pipeline.line_model() is shipped


#: Calls that run code from the bytes they read, unless told not to.
_UNPICKLERS = {("joblib", "load"), ("pickle", "load"), ("pickle", "loads"), ("cloudpickle", "load"),
               ("dill", "load"), ("torch", "load")}
_NUMPY_LOADS = {("np", "load"), ("numpy", "load")}


def _loader_calls(tree: ast.AST) -> list[tuple[str, str, ast.Call]]:
    calls = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if isinstance(owner, ast.Name):
                calls.append((owner.id, node.func.attr, node))
    return calls


def test_no_code_path_unpickles_a_file_but_the_checked_loader():
    """Only `model.load_verified` unpickles, after the SHA-256 check, from a name in
    cleaner/models/; every other model file is read with numpy's pickle refused."""
    package = Path(model.__file__).parent
    for source in sorted(package.rglob("*.py")):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for owner, attr, call in _loader_calls(tree):
            where = f"{source.name}:{call.lineno}"
            if (owner, attr) in _UNPICKLERS:
                assert (source.name, owner, attr) == ("model.py", "joblib", "load"), where
            if (owner, attr) in _NUMPY_LOADS:
                refuses = [k for k in call.keywords if k.arg == "allow_pickle"]
                assert refuses and isinstance(refuses[0].value, ast.Constant), where
                assert refuses[0].value.value is False, where

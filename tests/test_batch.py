"""Records in -> records out: reading, order, workers, timeouts and resume, below the CLI."""

import gzip
import io
import json
import os
import signal
import time

import pytest

from cleaner import batch
from cleaner.batch import Item, Keys, ReadOptions, Unit
from cleaner.pipeline import clean, clean_many
from cleaner.result import Result
from conftest import SEEDS

OPTS = ReadOptions()
KEYS = Keys()


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """The expected results are computed here, in-process, on one thread like a worker."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        yield


def seed_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("0*.txt"))]


def jsonl(*lines: bytes | dict) -> bytes:
    return b"".join((json.dumps(x).encode() if isinstance(x, dict) else x) + b"\n" for x in lines)


def error_types(units: list[Unit]) -> list[str | None]:
    return [u.error["type"] if u.error else None for u in units]


# --- reading ----------------------------------------------------------------------------------


def test_each_jsonl_line_is_one_unit_and_bad_lines_say_why():
    data = jsonl(
        {"id": "a", "text": "Body.", "lang": "en"},
        b'{"id": "b", "text": "unterminated',
        {"id": "c", "body": "no text key"},
        b"\xff\xfe\x00 garbage",
        b"[1, 2]",
        {"id": "d", "text": None},
        {"html": "<p>page</p>", "url": "https://example.com/a"},
    ) + b"\n   \n"  # blank lines are not records
    units = list(batch.iter_jsonl(io.BytesIO(data), "in.jsonl", OPTS))
    assert error_types(units) == [None, "JSONDecodeError", "MissingKey", "DecodeError", "NotAnObject",
                                  "BadValue", None]
    assert [u.id for u in units] == ["a", "in.jsonl/1", "c", "in.jsonl/3", "in.jsonl/4", "d", "in.jsonl/6"]
    assert units[0].item == Item("text", "Body.") and units[0].record["lang"] == "en"
    assert units[1].raw == '{"id": "b", "text": "unterminated'
    assert units[3].raw.startswith("\\xff\\xfe")
    assert units[6].item == Item("html", "<p>page</p>", "https://example.com/a")


def test_input_type_chooses_the_key():
    data = jsonl({"text": "plain", "html": "<p>markup</p>"})
    as_html = list(batch.iter_jsonl(io.BytesIO(data), "x", ReadOptions(input_type="html")))
    as_auto = list(batch.iter_jsonl(io.BytesIO(data), "x", OPTS))
    assert as_html[0].item.kind == "html" and as_auto[0].item.kind == "text"
    no_html = list(batch.iter_jsonl(io.BytesIO(jsonl({"text": "t"})), "x", ReadOptions(input_type="html")))
    assert error_types(no_html) == ["MissingKey"]


def test_a_jsonl_record_weighs_in_a_chunk_as_its_whole_line_not_its_text_alone():
    # The CLI holds the record, pass-through fields and all, until its output is written.
    records = [{"id": i, "text": "Body.", "html": "<p>x</p>" * 20_000} for i in range(20)]
    units = list(batch.iter_jsonl(io.BytesIO(jsonl(*records)), "in", OPTS))
    assert [u.size for u in units] == [len(json.dumps(r)) + 1 for r in records]
    chunks = list(batch._chunks(iter(units), batch.CHUNK_SIZE, batch.CHUNK_MAX_BYTES))
    assert len(chunks) > 1 and all(len(c) < batch.CHUNK_SIZE for c in chunks)


def test_oversized_line_is_an_error_and_the_next_line_is_read():
    data = jsonl({"id": "big", "text": "x" * 5000}, {"id": "next", "text": "Body."})
    units = list(batch.iter_jsonl(io.BytesIO(data), "in", ReadOptions(max_bytes=1000)))
    assert error_types(units) == ["RecordTooLarge", None]
    assert units[1].id == "next"


def test_truncated_gzip_gives_an_error_record_where_it_stops(tmp_path):
    whole = gzip.compress(jsonl(*({"id": i, "text": "Body. " * 200} for i in range(50))))
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(whole[: len(whole) // 2])
    units = list(batch.iter_units([str(path)], io.BytesIO(), OPTS))
    assert 0 < len(units) < 51
    assert error_types(units)[:-1] == [None] * (len(units) - 1)
    assert units[-1].error["type"] in ("EOFError", "BadGzipFile", "error")
    assert str(path) in units[-1].error["message"]


def test_standard_input_starting_with_a_brace_is_jsonl_otherwise_one_document():
    records = list(batch.iter_units(["-"], io.BytesIO(b"\n " + jsonl({"text": "a"}, {"text": "b"})), OPTS))
    assert [u.item.payload for u in records] == ["a", "b"]
    doc = list(batch.iter_units(["-"], io.BytesIO(b"Seoul, April 30 (IANS) Text.\n"), OPTS))
    assert [(u.id, u.item.kind) for u in doc] == [("-", "text")]


def test_html_is_told_by_name_or_content_and_binary_is_refused(tmp_path):
    (tmp_path / "page.htm").write_bytes(b"<div>no doctype</div>")
    (tmp_path / "page.txt").write_bytes(b"\xef\xbb\xbf  <!DOCTYPE html><html><p>x</p></html>")
    (tmp_path / "story.txt").write_bytes(b"Just a story.")
    (tmp_path / "image.png").write_bytes(b"\x89PNG\x00\x00")
    units = list(batch.iter_units([str(tmp_path)], io.BytesIO(), OPTS))
    kinds = {os.path.basename(u.id): (u.item.kind if u.item else u.error["type"]) for u in units}
    assert kinds == {"page.htm": "html", "page.txt": "html", "story.txt": "text", "image.png": "BinaryInput"}


def test_directories_are_walked_recursively_with_the_glob_and_hidden_files_skipped(tmp_path):
    for name in ("b/2.jsonl", "a/1.txt", "a/deep/3.txt", ".git/4.txt", "a/.hidden.txt", "a/5.md"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(jsonl({"text": "x"}) if name.endswith("jsonl") else b"Text.")
    units = list(batch.iter_units([str(tmp_path)], io.BytesIO(), ReadOptions(glob="*.txt")))
    assert [os.path.relpath(u.id, tmp_path) for u in units] == ["a/1.txt", "a/deep/3.txt"]
    units = list(batch.iter_units([str(tmp_path)], io.BytesIO(), OPTS))
    assert [os.path.relpath(u.id, tmp_path) for u in units] == ["a/1.txt", "a/5.md", "a/deep/3.txt",
                                                                 "b/2.jsonl/0"]


# --- output records ------------------------------------------------------------------------------


def output(unit: Unit, result: Result, keys: Keys = KEYS) -> dict:
    line = batch.encode_record(unit, batch.Cleaned.of(result), keys)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    return json.loads(line)


def test_jsonl_record_keeps_its_fields_and_gets_the_clean_text_and_metadata():
    unit = batch.record_unit({"id": 3, "text": "raw", "lang": "en", "cleaner": "old"}, "f/0", OPTS)
    result = Result(text="clean", title="A title")
    record = output(unit, result, Keys(output="clean_text"))
    assert record["text"] == "raw" and record["clean_text"] == "clean" and record["lang"] == "en"
    meta = result.to_dict()
    del meta["text"]
    assert record["cleaner"] == meta
    failed = output(unit, Result.failed("boom", "ValueError"))
    assert failed == {"id": 3, "text": "raw", "lang": "en", "cleaner": "old",
                      "error": {"type": "ValueError", "message": "boom"}}


def test_a_document_record_is_its_result_with_its_id():
    result = clean(seed_texts()[0])
    assert output(Unit("a.txt"), result) == {"id": "a.txt", **result.to_dict()}
    failed = Result.failed("input is not valid UTF-8", "DecodeError")
    assert output(Unit("b.txt"), failed) == {"id": "b.txt", **failed.to_dict()}


def test_a_record_without_an_id_gets_its_line_as_id():
    unit = batch.record_unit({"text": "raw"}, "f.jsonl/7", OPTS)
    record = output(unit, Result(text="clean"), Keys(id="doc_id"))
    assert list(record)[:2] == ["doc_id", "text"] and record["doc_id"] == "f.jsonl/7"


def test_a_lone_surrogate_is_written_as_valid_json():
    unit = batch.record_unit(json.loads('{"id": "s", "text": "Caf\\ud800 e.", "x": "\\udfff"}'), "f/0", OPTS)
    record = output(unit, Result(text="Caf\ud800 e.", title="\udfff"))
    assert record["text"] == "Caf\ud800 e." and record["x"] == "\udfff"
    assert record["cleaner"]["title"] == "\udfff"


# --- cleaning in workers ------------------------------------------------------------------------
# These run in the pool's worker processes, which import this module by name.


def clean_or_misbehave(items: list[Item], timeout: float) -> list[Result]:
    """The real cleaning, except for records that ask to fail, hang, or kill their worker."""
    for item in items:
        if item.payload == "BOOM":
            raise ValueError("boom in a worker")
        if item.payload == "SLOW":  # stuck in Python: the soft limit (SIGALRM) ends it
            time.sleep(3600)
        if item.payload == "STUCK":  # stuck where no signal handler runs: only the hard limit can
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
            time.sleep(3600)
        if item.payload == "DIE":
            os._exit(3)
    return batch.clean_together(items, timeout)


def text_units(texts: list[str]) -> list[Unit]:
    return [Unit(f"doc{i}", item=Item("text", t), size=len(t)) for i, t in enumerate(texts)]


def outputs(pairs) -> list[tuple]:
    return [(u.id, r.to_dict()) for u, r in pairs]


def test_results_are_in_input_order_and_the_same_for_one_and_two_jobs():
    texts = seed_texts() * 4
    units = text_units(texts)
    units.insert(5, Unit("unreadable", error={"type": "DecodeError", "message": "x"}))
    cleaned = iter(clean_many([u.item.payload for u in units if u.item]))
    expected = [(u.id, (next(cleaned) if u.item else Result(error=u.error)).to_dict()) for u in units]
    one = outputs(batch.clean_units(units, jobs=1, chunk_size=3))
    two = outputs(batch.clean_units(units, jobs=2, chunk_size=3))
    assert one == expected
    assert two == expected


def test_a_worker_exception_fails_only_its_own_record():
    texts = seed_texts()
    units = text_units([texts[0], "BOOM", texts[1]])
    results = [r for _, r in batch.clean_units(units, jobs=2, chunk_size=3, clean=clean_or_misbehave)]
    assert results[1].error == {"type": "ValueError", "message": "boom in a worker"}
    assert results[0].to_dict() == clean(texts[0]).to_dict()
    assert results[2].to_dict() == clean(texts[1]).to_dict()


def test_a_record_stuck_in_python_times_out_and_the_rest_are_cleaned():
    texts = seed_texts()
    units = text_units([texts[0], "SLOW", texts[1]])
    start = time.monotonic()
    results = [r for _, r in batch.clean_units(units, jobs=1, chunk_size=3, timeout=1,
                                               clean=clean_or_misbehave)]
    assert results[1].error["type"] == "Timeout"
    assert [r.error for r in (results[0], results[2])] == [None, None]
    assert time.monotonic() - start < 60


@pytest.mark.parametrize(("payload", "kind", "said"), [
    ("STUCK", "Timeout", "stuck at File"),  # where it hung, from the watchdog's traceback
    ("DIE", "WorkerDied", "died"),
])
def test_a_record_that_kills_or_hangs_its_worker_fails_alone(payload, kind, said):
    texts = seed_texts()
    units = text_units([texts[0], texts[1], payload, texts[2], texts[3]])
    start = time.monotonic()
    results = [r for _, r in batch.clean_units(units, jobs=2, chunk_size=2, timeout=1, hard_grace=1,
                                               clean=clean_or_misbehave)]
    assert [r.error["type"] if r.error else None for r in results] == [None, None, kind, None, None]
    assert said in results[2].error["message"]
    assert results[3].to_dict() == clean(texts[2]).to_dict()
    assert time.monotonic() - start < 120


def test_input_is_read_only_as_far_as_the_chunks_in_flight():
    pulled = 0

    def counting(units):
        nonlocal pulled
        for unit in units:
            pulled += 1
            yield unit

    units = text_units(["Short body line."] * 200)
    stream = batch.clean_units(counting(units), jobs=2, chunk_size=5)
    next(stream)
    assert pulled <= 5 * 2 * batch.IN_FLIGHT_PER_JOB
    assert len(list(stream)) == 199


# --- resume -------------------------------------------------------------------------------------


def test_a_partial_last_line_is_cut_off(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_bytes(b'{"id": "a"}\n{"id": "b"}\n{"id": "c", "te')
    assert batch.complete_prefix(out) == len(b'{"id": "a"}\n{"id": "b"}\n')
    assert out.read_bytes() == b'{"id": "a"}\n{"id": "b"}\n'


def test_resume_skips_records_already_written_and_refuses_another_input(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_bytes(jsonl({"id": "a", "error": {"type": "X", "message": "y"}}, {"id": "b"}))
    units = [Unit(i, jsonl=True) for i in ("a", "b", "c", "d")]
    seen = []
    resume = batch.Resume(out, batch.complete_prefix(out), Keys())
    assert [u.id for u in batch.skip_done(units, resume, seen.append)] == ["c", "d"]
    assert [r["id"] for r in seen] == ["a", "b"]
    resume = batch.Resume(out, batch.complete_prefix(out), Keys())
    with pytest.raises(batch.ResumeMismatch):
        list(batch.skip_done([Unit("z", jsonl=True)], resume, seen.append))
    resume = batch.Resume(out, batch.complete_prefix(out), Keys())
    with pytest.raises(batch.ResumeMismatch, match="more records"):  # the input got shorter
        list(batch.skip_done([Unit("a", jsonl=True)], resume, seen.append))


@pytest.mark.parametrize(
    ("module", "loader", "name"),
    [("model", "line_model", "line model"), ("clickbait", "headline_model", "headline model"),
     ("lexicon", "lowercase_words", "byline word list")],
)
def test_a_bundled_file_that_does_not_load_stops_the_run_before_any_record(monkeypatch, module, loader, name):
    import importlib

    def broken():
        raise RuntimeError("pinned SHA-256 does not match")

    monkeypatch.setattr(importlib.import_module(f"cleaner.{module}"), loader, broken)
    with pytest.raises(batch.SetupError, match=f"the {name} could not be loaded"):
        batch.warm_up()

"""The command line: one record per document, errors as records, exit status says so."""

import fcntl
import json
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

from conftest import ROOT, SEEDS


def run(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cleaner", *args], input=stdin,
                          capture_output=True, cwd=ROOT, timeout=120)


def test_five_seeds_give_five_json_lines():
    paths = sorted(str(p) for p in SEEDS.glob("0*.txt"))
    proc = run(*paths)
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert [r["id"] for r in records] == paths
    assert all(r["text"] and "error" not in r for r in records)
    assert records[0]["dateline"]["agency"] == "IANS"


def test_format_text_from_standard_input():
    seed = (SEEDS / "004_d228352cad494497.txt").read_bytes()
    proc = run("--format", "text", stdin=seed)
    assert proc.returncode == 0
    out = proc.stdout.decode().rstrip("\n").split("\n")
    assert out == [line.strip() for line in seed.decode().split("\n")[1:]]


def test_bad_inputs_give_error_records_and_the_rest_is_cleaned(tmp_path):
    binary = tmp_path / "image.bin"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("Caf\xe9 au lait.".encode("latin-1"))
    good = SEEDS / "004_d228352cad494497.txt"
    proc = run(str(binary), str(tmp_path / "missing.txt"), str(latin1), str(good))
    assert proc.returncode == 1
    assert b"Traceback" not in proc.stderr
    records = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert [r.get("error", {}).get("type") for r in records] == [
        "BinaryInput", "FileNotFoundError", "DecodeError", None]
    assert records[3]["text"].startswith("At least 100 North Korean soldiers")


def test_directory_input_and_output_file(tmp_path):
    out = tmp_path / "out.jsonl"
    proc = run(str(SEEDS), "-o", str(out))
    assert proc.returncode == 0
    assert len(out.read_text().splitlines()) == 5
    assert proc.stdout == b""


def test_usage_error_exits_2():
    assert run("--format", "xml").returncode == 2


# --- batch use: JSONL, jobs, errors, resume ---------------------------------------------------


def seed_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("0*.txt"))]


def write_jsonl(path, records) -> None:
    with open(path, "wb") as f:
        for r in records:
            f.write((json.dumps(r) + "\n").encode() if isinstance(r, dict) else r + b"\n")


def read_jsonl(path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()]


def test_jsonl_with_bad_records_gives_one_output_record_each(tmp_path):
    seeds = seed_texts()
    big = {"id": "big", "text": "A very long paragraph of text. " * 40_000, "keep": "me"}
    inp = tmp_path / "in.jsonl"
    write_jsonl(inp, [
        {"id": "s0", "text": seeds[0], "lang": "en", "meta": {"n": 1}},
        b'{"id": "broken", "text": "no closing',
        {"id": "nokey", "body": seeds[1], "lang": "fr"},
        b"\x89PNG\r\x1a\x00\x00\xff\xd8 binary garbage",
        big,
        {"id": "s4", "text": seeds[4], "tags": ["x", "y"]},
    ])
    out, errors = tmp_path / "out.jsonl", tmp_path / "errors.jsonl"
    proc = run(str(inp), "-o", str(out), "--errors", str(errors), "--max-bytes", "1000000", "--jobs", "2")
    assert proc.returncode == 1, proc.stderr
    assert b"Traceback" not in proc.stderr
    records = read_jsonl(out)
    assert len(records) == 6
    assert [r.get("error", {}).get("type") for r in records] == [
        None, "JSONDecodeError", "MissingKey", "DecodeError", "RecordTooLarge", None]
    assert [r["id"] for r in records] == ["s0", f"{inp}/1", "nokey", f"{inp}/3", f"{inp}/4", "s4"]
    # Fields other than the text pass through unchanged; metadata goes under `cleaner`.
    assert records[0]["lang"] == "en" and records[0]["meta"] == {"n": 1}
    assert records[0]["text"].startswith("North Korean troops")
    assert records[0]["cleaner"]["dateline"]["agency"] == "IANS"
    assert records[2] == {"id": "nokey", "body": seeds[1], "lang": "fr", "error": records[2]["error"]}
    assert records[5]["tags"] == ["x", "y"] and "error" not in records[5]
    assert records[1]["raw"] == '{"id": "broken", "text": "no closing'
    assert read_jsonl(errors) == [r for r in records if "error" in r]


def test_jobs_2_output_is_identical_to_jobs_1(tmp_path):
    seeds = seed_texts()
    inp = tmp_path / "in.jsonl"
    write_jsonl(inp, [{"id": i, "text": seeds[i % 5], "n": i} for i in range(30)])
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert run(str(inp), "-o", str(one), "--jobs", "1", "--chunk-size", "4").returncode == 0
    assert run(str(inp), "-o", str(two), "--jobs", "2", "--chunk-size", "4").returncode == 0
    assert one.read_bytes() == two.read_bytes()
    assert [r["n"] for r in read_jsonl(one)] == list(range(30))


def test_resume_after_a_killed_run_gives_the_output_of_one_full_run(tmp_path):
    seeds = seed_texts()
    inp = tmp_path / "in.jsonl"
    records = [{"id": f"r{i}", "text": seeds[i % 5]} for i in range(400)]
    records[7] = {"id": "r7", "no_text": True}  # an error record, to be counted again on resume
    write_jsonl(inp, records)
    full = tmp_path / "full.jsonl"
    reference = run(str(inp), "-o", str(full), "--jobs", "2", "--chunk-size", "4")
    assert reference.returncode == 1

    out = tmp_path / "out.jsonl"
    part = tmp_path / ".out.jsonl.part"
    cmd = [sys.executable, "-m", "cleaner", str(inp), "-o", str(out), "--jobs", "2", "--chunk-size", "4"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not part.exists() or part.read_bytes().count(b"\n") < 20):
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # the run and its workers, as a killed job would be
    proc.wait()
    assert not out.exists()
    done = part.read_bytes().count(b"\n")
    assert 20 <= done < 400
    with open(part, "ab") as f:  # a kill in the middle of a write leaves half a line
        f.write(b'{"id": "r999", "text": "half a li')

    resumed = run(str(inp), "-o", str(out), "--resume", "--jobs", "2", "--chunk-size", "4")
    assert resumed.returncode == reference.returncode
    assert out.read_bytes() == full.read_bytes()
    assert not part.exists()


def test_resume_refuses_an_output_written_from_another_input(tmp_path):
    inp = tmp_path / "in.jsonl"
    write_jsonl(inp, [{"id": "a", "text": "Body."}])
    out = tmp_path / "out.jsonl"
    out.write_text('{"id": "zzz", "text": ""}\n')
    proc = run(str(inp), "-o", str(out), "--resume")
    assert proc.returncode == 2
    assert b"cannot resume" in proc.stderr and b"Traceback" not in proc.stderr


def test_html_file_and_html_jsonl_record(tmp_path):
    page = ("<!DOCTYPE html><html><head><title>Rains flood the valley</title></head><body>"
            "<nav><a href='/'>Home</a></nav><article><h1>Rains flood the valley</h1>"
            + "".join(f"<p>Paragraph {i} of the story tells what the rains did to the farms "
                      f"along the river, and what the people there said about it.</p>" for i in range(6))
            + "</article></body></html>")
    html_file = tmp_path / "page.html"
    html_file.write_text(page)
    inp = tmp_path / "pages.jsonl"
    write_jsonl(inp, [{"id": "p", "html": page, "url": "https://example.com/valley"}])
    proc = run(str(html_file), str(inp))
    assert proc.returncode == 0, proc.stderr
    as_file, as_record = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert as_file["id"] == str(html_file) and "Paragraph 3 of the story" in as_file["text"]
    assert as_record["html"] == page and "Paragraph 3 of the story" in as_record["text"]
    assert as_record["cleaner"]["page"]["url"] == "https://example.com/valley"


def test_progress_bar_only_on_a_terminal_and_not_when_quiet(tmp_path):
    inp = tmp_path / "in.jsonl"
    write_jsonl(inp, [{"id": i, "text": "Body of a story."} for i in range(3)])

    def stderr_on_a_terminal(*args: str) -> bytes:
        leader, follower = pty.openpty()
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a real size
        proc = subprocess.run([sys.executable, "-m", "cleaner", str(inp), *args], stdout=subprocess.DEVNULL,
                              stderr=follower, cwd=ROOT, timeout=120)
        os.close(follower)
        assert proc.returncode == 0
        seen = b""
        while select.select([leader], [], [], 0.1)[0]:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        os.close(leader)
        return seen

    shown = stderr_on_a_terminal()
    assert b"3 records" in shown and b"records/s" in shown
    assert stderr_on_a_terminal("--quiet") == b""
    assert run(str(inp)).stderr == b""  # not a terminal: nothing


def test_usage_errors_exit_2_before_any_work(tmp_path):
    assert run("--jobs", "0").returncode == 2
    assert run("--resume").returncode == 2  # needs -o
    assert run("--resume", "-o", str(tmp_path / "o.jsonl"), "--format", "text").returncode == 2

"""The command line: one record per document, errors as records, exit status says so."""

import json
import subprocess
import sys

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

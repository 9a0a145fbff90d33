"""`cleaner [PATH ...]`: one JSON record (or the clean text) per document.

Exit status: 0 all documents clean, 1 some gave an error record, 2 usage error.
A document that fails never stops the others and always yields its own record.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from cleaner import __version__

#: Documents cleaned per model call: large enough to amortise it, small enough to stream.
BATCH_SIZE = 64
#: A NUL byte in the first block means a binary file, not text.
BINARY_SNIFF_BYTES = 8192
EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


@dataclass
class Document:
    id: str
    text: str | None = None
    error: dict[str, str] | None = None


def _read(doc_id: str, data: bytes) -> Document:
    if b"\x00" in data[:BINARY_SNIFF_BYTES]:
        return Document(doc_id, error={"type": "BinaryInput", "message": "input is a binary file, not text"})
    try:
        return Document(doc_id, text=data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return Document(doc_id, error={"type": "DecodeError", "message": f"input is not valid UTF-8: {exc}"})


def iter_documents(paths: list[str], stdin: IO[bytes]) -> Iterator[Document]:
    """Each path as a document; a directory as its files (recursively, sorted)."""
    for path in paths:
        if path == "-":
            yield _read("-", stdin.read())
            continue
        p = Path(path)
        if p.is_dir():
            files = sorted(f for f in p.rglob("*") if f.is_file() and not f.name.startswith("."))
            for f in files:
                yield from iter_documents([str(f)], stdin)
            continue
        try:
            data = p.read_bytes()
        except OSError as exc:
            yield Document(path, error={"type": type(exc).__name__, "message": str(exc)})
            continue
        yield _read(path, data)


def _batches(docs: Iterator[Document], size: int) -> Iterator[list[Document]]:
    batch: list[Document] = []
    for doc in docs:
        batch.append(doc)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def clean_documents(docs: list[Document]) -> list[dict]:
    """Records for a batch, in order; a failure becomes that document's error record."""
    from cleaner.pipeline import clean_many
    from cleaner.result import Result

    todo = [d for d in docs if d.error is None]
    try:
        cleaned = iter(clean_many([d.text for d in todo]))
    except Exception:  # noqa: BLE001 - retried one by one below, each failure its own record
        # Find the document at fault: clean them one by one, each failure its own record.
        cleaned = iter([_clean_one(d.text) for d in todo])
    records = []
    for doc in docs:
        result = Result(error=doc.error) if doc.error else next(cleaned)
        records.append({"id": doc.id, **result.to_dict()})
    return records


def _clean_one(text: str | None):
    from cleaner.pipeline import clean
    from cleaner.result import Result

    try:
        return clean(text or "")
    except Exception as exc:  # noqa: BLE001 - a record must say what went wrong
        return Result.failed(exc)


def _write(records: list[dict], out: IO[str], fmt: str) -> int:
    errors = 0
    for record in records:
        if "error" in record:
            errors += 1
            if fmt == "text":
                err = record["error"]
                print(f"cleaner: {record['id']}: {err['type']}: {err['message']}", file=sys.stderr)
                continue
        if fmt == "text":
            out.write(record["text"] + "\n\n")
        else:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return errors


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cleaner",
        description="Strip boilerplate and clickbait from scraped news articles.",
    )
    parser.add_argument("paths", nargs="*", default=["-"], metavar="PATH",
                        help="text files, directories of them, or - for standard input (default)")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="write here (atomically, when complete) instead of standard output")
    parser.add_argument("--format", choices=("json", "text"), default="json",
                        help="json: one record per document (default); text: the clean text only, "
                             "documents separated by a blank line")
    parser.add_argument("--version", action="version", version=f"cleaner {__version__}")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    stdin = sys.stdin.buffer
    errors = 0
    if args.output:
        target = Path(args.output)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or Path("."))
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                for batch in _batches(iter_documents(args.paths, stdin), BATCH_SIZE):
                    errors += _write(clean_documents(batch), out, args.format)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    else:
        out = sys.stdout
        for batch in _batches(iter_documents(args.paths, stdin), BATCH_SIZE):
            errors += _write(clean_documents(batch), out, args.format)
            out.flush()
    return EXIT_ERRORS if errors else EXIT_OK

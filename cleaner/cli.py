"""`cleaner [PATH ...]`: one output record per input record, in input order.

Inputs are text and HTML files, directories of them, JSONL files (`.jsonl`, `.jsonl.gz`)
and standard input. A record that fails becomes an error record and never stops the others.
Exit status: 0 all records clean, 1 some gave an error record, 2 usage error.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path
from typing import IO, Any

from cleaner import __version__, batch

EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
#: Standard output is flushed every this many records, so a reader downstream sees progress.
FLUSH_EVERY = batch.CHUNK_SIZE


def _part_path(target: Path) -> Path:
    """Where a file is written until it is complete; kept after a kill, for `--resume`."""
    return target.with_name(f".{target.name}.part")


class Sink:
    """Output records go here: a file written whole then renamed, or standard output."""

    def __init__(self, output: str | None, errors: str | None, fmt: str, keys: batch.Keys):
        self.fmt, self.keys = fmt, keys
        self.errors = self.written = 0
        self.target = Path(output) if output else None
        self.errors_target = Path(errors) if errors else None
        self._out: IO[bytes] = sys.stdout.buffer
        self._err_out: IO[bytes] | None = None
        self.resume: batch.Resume | None = None

    def open(self, resume: bool) -> None:
        if self.target is not None:
            part = _part_path(self.target)
            if resume:
                if not part.exists() and self.target.exists():
                    shutil.copyfile(self.target, part)
                if part.exists():
                    self.resume = batch.Resume(part, batch.complete_prefix(part), self.keys)
            self._out = open(part, "ab" if self.resume else "wb")  # noqa: SIM115 - closed in close()
        if self.errors_target is not None:
            self._err_out = open(_part_path(self.errors_target), "wb")  # noqa: SIM115 - see close()

    def already_done(self, record: dict[str, Any]) -> None:
        """A record the resumed run had written: counted, and copied aside if it is an error."""
        self.written += 1
        if "error" in record:
            self.errors += 1
            if self._err_out is not None:
                self._err_out.write(batch.json_bytes(record) + b"\n")

    def write(self, unit: batch.Unit, cleaned: batch.Cleaned) -> None:
        line = batch.encode_record(unit, cleaned, self.keys)
        self.written += 1
        if cleaned.error is not None:
            self.errors += 1
            if self._err_out is not None:
                self._err_out.write(line)
            if self.fmt == "text":
                err = cleaned.error
                print(f"cleaner: {unit.id}: {err['type']}: {err['message']}", file=sys.stderr)
        if self.fmt == "text":
            if cleaned.error is None:
                self._out.write((cleaned.text + "\n\n").encode("utf-8", "backslashreplace"))
        else:
            self._out.write(line)
        if self.target is None and self.written % FLUSH_EVERY == 0:
            self._out.flush()

    def close(self, complete: bool, resumable: bool = True) -> None:
        """Rename the files into place when the run is complete; otherwise keep the parts."""
        if self.resume is not None:
            self.resume.close()
        if self.target is None:
            self._out.flush()
        else:
            self._out.close()
        if self._err_out is not None:
            self._err_out.close()
        if complete:
            if self.target is not None:
                os.replace(_part_path(self.target), self.target)
            if self.errors_target is not None:
                os.replace(_part_path(self.errors_target), self.errors_target)
        elif self.target is not None and resumable:
            print(f"cleaner: stopped; the records so far are in {_part_path(self.target)}, "
                  "and --resume continues from them", file=sys.stderr)


def _positive(kind: type) -> Any:
    def parse(value: str) -> Any:
        number = kind(value)
        if number <= 0:
            raise argparse.ArgumentTypeError(f"must be more than 0, not {value}")
        return number

    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cleaner",
        description="Strip boilerplate and clickbait from scraped news articles: one output record "
                    "per input record, in input order.",
        epilog="A record that fails is written with an \"error\" object. Exit status: 0 all records "
               "clean, 1 some error records, 2 usage error.",
    )
    parser.add_argument("paths", nargs="*", default=["-"], metavar="PATH",
                        help="text or HTML files, JSONL files (.jsonl, .jsonl.gz), directories of "
                             "them, or - for standard input (default; JSONL when it starts with '{')")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="write here instead of standard output; written to .FILE.part and "
                             "renamed when complete")
    parser.add_argument("--format", choices=("json", "text"), default="json",
                        help="json: one record per input record (default); text: the clean text "
                             "only, separated by a blank line")
    parser.add_argument("--input-type", choices=batch.INPUT_TYPES, default="auto",
                        help="what the documents are: auto (by file name, content, or which key a "
                             "JSONL record has), text, or html")
    parser.add_argument("--glob", default="*", metavar="PATTERN",
                        help="files to take from directories, searched recursively (default: *)")
    keys = parser.add_argument_group("JSONL records")
    keys.add_argument("--text-key", default="text", help="field with the text (default: text)")
    keys.add_argument("--html-key", default="html", help="field with the HTML (default: html)")
    keys.add_argument("--id-key", default="id", help="field with the record id (default: id)")
    keys.add_argument("--output-key", default=None,
                      help="field the clean text goes to (default: the text key)")
    run = parser.add_argument_group("running")
    run.add_argument("--jobs", type=_positive(int), default=None, metavar="N",
                     help="worker processes (default: the number of cores)")
    run.add_argument("--chunk-size", type=_positive(int), default=batch.CHUNK_SIZE, metavar="N",
                     help=f"records sent to a worker at once (default: {batch.CHUNK_SIZE})")
    run.add_argument("--timeout", type=_positive(float), default=batch.DEFAULT_TIMEOUT,
                     metavar="SECONDS",
                     help=f"time one record may take before it becomes a Timeout error record "
                          f"(default: {batch.DEFAULT_TIMEOUT:g})")
    run.add_argument("--max-bytes", type=_positive(int), default=batch.DEFAULT_MAX_BYTES, metavar="N",
                     help="a larger record is a RecordTooLarge error record, never read whole "
                          f"(default: {batch.DEFAULT_MAX_BYTES})")
    run.add_argument("--errors", metavar="FILE", help="also copy the error records to this file")
    run.add_argument("--resume", action="store_true",
                     help="continue a stopped run: records already in the output (-o) are kept and "
                          "only the rest are cleaned and appended")
    run.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--version", action="version", version=f"cleaner {__version__}")
    return parser


def _progress(quiet: bool) -> Any:
    from tqdm import tqdm

    return tqdm(file=sys.stderr, unit=" records", disable=quiet or not sys.stderr.isatty(),
                dynamic_ncols=True, desc="cleaner")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.resume and not args.output:
        parser.error("--resume needs -o FILE: it continues the records already in that file")
    if args.resume and args.format != "json":
        parser.error("--resume needs --format json: it finds the records written by their id")
    if args.errors and args.output and Path(args.errors).resolve() == Path(args.output).resolve():
        parser.error("--errors and -o must be different files")
    if args.jobs is None:
        from joblib import cpu_count

        args.jobs = cpu_count()

    keys = batch.Keys(text=args.text_key, html=args.html_key, id=args.id_key, output=args.output_key)
    opts = batch.ReadOptions(input_type=args.input_type, glob=args.glob, keys=keys,
                             max_bytes=args.max_bytes)
    sink = Sink(args.output, args.errors, args.format, keys)
    try:
        sink.open(args.resume)
    except OSError as exc:
        print(f"cleaner: cannot write the output: {exc}", file=sys.stderr)
        return EXIT_USAGE
    complete, resumable = False, True
    progress = _progress(args.quiet)
    try:
        units = batch.iter_units(args.paths, sys.stdin.buffer, opts)

        def already_done(record: dict[str, Any]) -> None:
            sink.already_done(record)
            progress.update()

        pending = batch.skip_done(units, sink.resume, on_done=already_done)
        for unit, cleaned in batch.clean_units(pending, jobs=args.jobs, chunk_size=args.chunk_size,
                                              timeout=args.timeout):
            sink.write(unit, cleaned)
            progress.update()
        complete = True
    except batch.ResumeMismatch as exc:
        resumable = False
        print(f"cleaner: cannot resume {args.output}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except batch.SetupError as exc:
        print(f"cleaner: cannot clean: {exc}", file=sys.stderr)
        return EXIT_ERRORS
    except BrokenPipeError:  # `cleaner ... | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERRORS
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    finally:
        progress.close()
        sink.close(complete, resumable)
    return EXIT_ERRORS if sink.errors else EXIT_OK

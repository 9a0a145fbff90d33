"""Records in -> records out, at pipeline scale: one output record per input record, in order.

Three parts, in the order data flows through them:

* Reading (`iter_units`): files, directories, JSONL (`.jsonl`, `.jsonl.gz`) and standard input
  become `Unit`s, lazily, one line at a time. Whatever cannot be read (a missing file, bad JSON,
  undecodable bytes, a missing key, an oversized line) becomes a Unit that already carries its
  error, so it still gets its output record.
* Cleaning (`clean_units`): chunks of units go to worker processes (joblib's loky executor),
  at most `IN_FLIGHT_PER_JOB` chunks per worker at a time, so memory stays flat however large
  the input; results come back in input order, so the output is the same for any `--jobs`.
* Writing helpers (`to_record`, `Resume`): the output record of a unit, and `--resume`.

How the per-record timeout is enforced (`time_limit`, `clean_items`), in three layers:

1. Soft, in the worker: SIGALRM (`setitimer`) raises `RecordTimeout` in the cleaning code. It
   interrupts Python code and regular expressions. A chunk gets the limit of one record (a
   normal chunk takes a fraction of it); past it, its records are cleaned one by one, each
   with the limit, and the one that runs out gets a `Timeout` error record.
2. Hard, in the worker: `faulthandler.dump_traceback_later(..., exit=True)`, a C thread that
   needs no GIL, ends the worker process `hard_grace` seconds after the soft limit if the code
   is stuck in C (an lxml parse, a model call) where no signal handler can run. The pool sees
   a dead worker; the chunks in flight are rerun alone on a fresh worker, then record by
   record, and the record that ends a worker on its own gets a `Timeout` (or `WorkerDied`)
   error record.
3. In the parent, a backstop should the worker's watchdog fail: if no chunk at all completes
   for longer than a chunk could legitimately take (`_Pool.stall_limit`), the workers are
   killed and the same recovery runs.
"""

from __future__ import annotations

import faulthandler
import gzip
import io
import json
import signal
import sys
import tempfile
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from cleaner.result import Result

#: Records sent to a worker at once: enough to amortise one model call and the round trip.
#: The trees' walk costs less a row the more rows a call walks (their nodes stay in cache):
#: 128 article-sized records clean 15-20 % faster than 64, whole pages as fast, at 37 MB more
#: peak memory on pages (stop 37, `bench.profile_text --chunk`).
CHUNK_SIZE = 128
#: A chunk is also closed at this many bytes of input, so large records do not pile up: a
#: JSONL record counts whole (the CLI holds it, pass-through fields and all, until its output
#: is written), not only the text it cleans. Seed-sized records fill chunks of `CHUNK_SIZE`;
#: crawl records of 50 kB close them at 40 (the memory run of `make bench-batch`).
CHUNK_MAX_BYTES = 2 * 2**20
#: Chunks in flight per worker: one running, one queued, so no worker waits for the reader.
IN_FLIGHT_PER_JOB = 2
#: Seconds one record may take before it becomes a `Timeout` error record.
DEFAULT_TIMEOUT = 30.0
#: Seconds past the soft limit after which a worker stuck outside Python is ended.
HARD_GRACE = 10.0
#: Parent-side slack for a fresh worker to start and load the model before its first chunk.
STARTUP_ALLOWANCE = 60.0
#: How often the parent checks a chunk it is waiting for.
POLL_SECONDS = 0.5
#: A record (a JSONL line, a file) larger than this is an error record, and is never held whole.
DEFAULT_MAX_BYTES = 10 * 2**20
#: Bytes read at a time while skipping the rest of an oversized line.
SKIP_BLOCK = 2**20
#: A NUL byte in the first block means a binary file, not text.
BINARY_SNIFF_BYTES = 8192
#: One thread per worker: `--jobs N` uses N cores, not N times the model's thread pool.
WORKER_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

INPUT_TYPES = ("auto", "text", "html")
HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz")
HTML_MARKERS = (b"<!doctype html", b"<html")
#: Cleaned once per worker before any timer starts, to load the HTML path.
WARM_UP_PAGE = "<html><head><title>Warm-up</title></head><body><p>Warm-up.</p></body></html>"
#: Leading bytes ignored when sniffing what an input is.
_SNIFF_STRIP = b"\xef\xbb\xbf \t\r\n"


# --- what a worker is sent, and what it does with it -----------------------------------------


@dataclass(slots=True)
class Item:
    """What a worker needs to clean one record: kept small, it is pickled to the worker."""

    kind: str  # "text" or "html"
    payload: str | bytes
    url: str | None = None


@dataclass(slots=True)
class Cleaned:
    """A Result as a pool worker sends it back: the text and error apart, the rest already
    JSON (UTF-8). Encoding a record's metadata is most of the CLI's own work per record: done
    in the workers, it leaves the parent a splice, and one bytes object to unpickle."""

    text: str
    error: dict[str, str] | None
    meta: bytes  # a JSON object: `Result.to_dict()` without "text" and "error"

    @classmethod
    def of(cls, result: Result) -> Cleaned:
        meta = result.to_dict()
        del meta["text"]
        error = meta.pop("error", None)
        return cls(result.text, error, json_bytes(meta))

    def to_dict(self) -> dict[str, Any]:
        """What `Result.to_dict()` was."""
        out = {"text": self.text, **json.loads(self.meta)}
        if self.error is not None:
            out["error"] = self.error
        return out


def json_bytes(obj: Any) -> bytes:
    """JSON as UTF-8; a lone surrogate (valid in JSON input, not in UTF-8) is written escaped."""
    try:
        return json.dumps(obj, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(obj).encode("ascii")


class RecordTimeout(BaseException):
    """A record took longer than its time limit.

    A BaseException, like KeyboardInterrupt, so that the pipeline's own per-document
    `except Exception` (which turns a failure into that document's error) lets it through.
    """


class SetupError(RuntimeError):
    """A worker cannot clean anything (the model does not load): the run stops and says why."""


def _raise_timeout(signum: int, frame: Any) -> None:
    raise RecordTimeout("record took longer than its time limit")


@dataclass(frozen=True)
class HardLimit:
    """Where ending the process is safe (a pool worker): end it `grace` seconds after the soft
    limit, the stuck thread's traceback written to `dump` (standard error when None)."""

    grace: float
    dump: IO[str] | None = None


@contextmanager
def time_limit(seconds: float, hard: HardLimit | None = None) -> Iterator[None]:
    """Soft limit: SIGALRM raises `RecordTimeout` (main thread only, where handlers run).

    Hard limit (`hard`): faulthandler's watchdog, a C thread that needs no GIL, ends the
    process if the soft limit could not fire, the code being stuck outside Python.
    """
    soft = (
        hasattr(signal, "SIGALRM")
        and threading.current_thread() is threading.main_thread()
        and signal.getitimer(signal.ITIMER_REAL)[0] == 0  # never override a caller's timer
    )
    previous = None
    if soft:
        previous = signal.signal(signal.SIGALRM, _raise_timeout)
        signal.setitimer(signal.ITIMER_REAL, seconds)
    if hard is not None:
        faulthandler.dump_traceback_later(seconds + hard.grace, exit=True, file=hard.dump or sys.stderr)
    try:
        yield
    finally:
        if hard is not None:
            faulthandler.cancel_dump_traceback_later()
        if soft:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


def clean_together(items: list[Item], timeout: float = DEFAULT_TIMEOUT) -> list[Result]:
    """Text items in one `clean_many` call (one model call); HTML items by `clean_html`.

    The pipeline's own per-document limits get the same time limit.
    """
    from cleaner.pipeline import Limits, clean_html, clean_many

    limits = Limits(max_seconds=timeout)
    texts = [item.payload for item in items if item.kind == "text"]
    cleaned = iter(clean_many(texts, limits=limits) if texts else [])
    return [next(cleaned) if item.kind == "text" else clean_html(item.payload, url=item.url, limits=limits)
            for item in items]


_warm: set[str] = set()


def warm_up(kinds: Iterable[str] = ("text",)) -> None:
    """Load the models before any timer starts, so loading never counts as a record's time.

    A model that does not load is a `SetupError`: no record could be cleaned.
    """
    from cleaner import clickbait, lexicon, model, wording

    loads = (("line model", model.line_model), ("headline model", clickbait.headline_model),
             ("wording model", wording.wording_model), ("byline word list", lexicon.lowercase_words))
    for name, load in loads:
        try:
            load()
        except Exception as exc:
            raise SetupError(f"the {name} could not be loaded: {type(exc).__name__}: {exc}") from exc
    if "html" in kinds and "html" not in _warm:
        from cleaner.pipeline import clean_html

        clean_html(WARM_UP_PAGE)  # the HTML path's imports and models, loaded once per process
        _warm.add("html")


def clean_items(
    items: list[Item],
    timeout: float = DEFAULT_TIMEOUT,
    hard: HardLimit | None = None,
    clean: Callable[[list[Item], float], list[Result]] = clean_together,
) -> list[Result]:
    """Clean a chunk where it runs (pool worker, Spark or datatrove task): one Result per item.

    The chunk is cleaned in one call, given the time limit of one record (a normal chunk takes
    a fraction of it). If that call fails or times out, the items are cleaned one by one, each
    with its own limit, so only the culprit gets an error record.
    """
    warm_up({item.kind for item in items})
    if len(items) > 1:
        try:
            with time_limit(timeout, hard):
                return clean(items, timeout)
        except (Exception, RecordTimeout):  # noqa: BLE001 - rerun one by one: the culprit gets the error
            pass
    return [_clean_alone(item, timeout, hard, clean) for item in items]


def _clean_alone(item: Item, timeout: float, hard: HardLimit | None, clean: Callable) -> Result:
    try:
        with time_limit(timeout, hard):
            return clean([item], timeout)[0]
    except RecordTimeout:
        return Result.failed(f"cleaning took longer than {timeout:g} s", "Timeout")
    except Exception as exc:  # noqa: BLE001 - the record says what went wrong
        return Result.failed(exc)


def _pool_task(items: list[Item], timeout: float, hard_grace: float, clean: Callable,
               dump_path: str | None = None) -> list[Cleaned]:
    """What a pool worker runs: `clean_items` with the hard limit on. A rerun names a file
    for the traceback, which tells the parent that a dead worker was ended by the limit."""
    if dump_path is None:
        results = clean_items(items, timeout, HardLimit(hard_grace), clean)
    else:
        with open(dump_path, "w", encoding="utf-8") as dump:
            results = clean_items(items, timeout, HardLimit(hard_grace, dump), clean)
    return [Cleaned.of(result) for result in results]


# --- reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Keys:
    """Field names of JSONL records, as datatrove's JsonlReader names them."""

    text: str = "text"
    html: str = "html"
    id: str = "id"
    output: str | None = None  # where the clean text goes; the text key when None

    @property
    def out(self) -> str:
        return self.output or self.text


@dataclass(frozen=True)
class ReadOptions:
    input_type: str = "auto"
    glob: str = "*"
    keys: Keys = field(default_factory=Keys)
    max_bytes: int = DEFAULT_MAX_BYTES


@dataclass(slots=True)
class Unit:
    """One input record on its way through: what to clean, or why it cannot be."""

    id: Any  # a document's path; a JSONL record's id, or `path/line` (0-based) without one
    item: Item | None = None
    record: dict | None = None  # the JSONL record as read; None for a whole-file document
    error: dict[str, str] | None = None
    raw: str | None = None  # a JSONL line that is not a record, kept so nothing is lost
    size: int = 0  # bytes of input (a JSONL line's whole record), to size chunks
    jsonl: bool = False  # a JSONL line (its output is the record passed on), not a whole file


def _error(kind: str, message: str) -> dict[str, str]:
    return {"type": kind, "message": message}


def is_jsonl(name: str) -> bool:
    return name.lower().endswith(JSONL_SUFFIXES)


def _sniff_kind(name: str, head: bytes, input_type: str) -> str:
    if input_type != "auto":
        return input_type
    if name.lower().endswith(HTML_SUFFIXES):
        return "html"
    start = head[:1024].lstrip(_SNIFF_STRIP).lower()
    return "html" if start.startswith(HTML_MARKERS) else "text"


def document_unit(doc_id: str, data: bytes, input_type: str = "auto") -> Unit:
    """A whole file (or standard input) as one document."""
    if b"\x00" in data[:BINARY_SNIFF_BYTES]:
        return Unit(doc_id, error=_error("BinaryInput", "input is a binary file, not text"))
    kind = _sniff_kind(doc_id, data, input_type)
    if kind == "html":  # clean_html finds the page's charset itself
        return Unit(doc_id, item=Item("html", data), size=len(data))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Unit(doc_id, error=_error("DecodeError", f"input is not valid UTF-8: {exc}"))
    return Unit(doc_id, item=Item("text", text), size=len(data))


def _url_of(record: dict) -> str | None:
    url = record.get("url")
    if url is None and isinstance(record.get("metadata"), dict):
        url = record["metadata"].get("url")
    return url if isinstance(url, str) else None


def record_unit(record: dict, line_id: str, opts: ReadOptions) -> Unit:
    """A parsed JSONL line: the key to clean is chosen by `--input-type`."""
    keys = opts.keys
    rec_id = record.get(keys.id, line_id)
    if opts.input_type == "text" or (opts.input_type == "auto" and keys.text in record):
        kind, key = "text", keys.text
    elif opts.input_type == "html" or (opts.input_type == "auto" and keys.html in record):
        kind, key = "html", keys.html
    else:
        return Unit(rec_id, record=record, jsonl=True, error=_error(
            "MissingKey", f"record has neither {keys.text!r} nor {keys.html!r}"))
    if key not in record:
        return Unit(rec_id, record=record, jsonl=True,
                    error=_error("MissingKey", f"record has no {key!r}"))
    value = record[key]
    if not isinstance(value, str):
        return Unit(rec_id, record=record, jsonl=True,
                    error=_error("BadValue", f"{key!r} is {type(value).__name__}, not a string"))
    return Unit(rec_id, item=Item(kind, value, _url_of(record)), record=record, jsonl=True,
                size=len(value))


def _read_line(stream: IO[bytes], max_bytes: int) -> tuple[bytes, bool]:
    """The next line, or (b"", True) past an oversized one, whose rest is skipped unread."""
    line = stream.readline(max_bytes + 1)
    if len(line) <= max_bytes or line.endswith(b"\n"):
        return line, False
    while True:
        rest = stream.readline(SKIP_BLOCK)
        if not rest or rest.endswith(b"\n"):
            return b"", True


def _unterminated(line: str) -> str:
    return line[:-1] if line.endswith("\n") else line


def iter_jsonl(stream: IO[bytes], source: str, opts: ReadOptions) -> Iterator[Unit]:
    """One unit per non-blank line; ids default to `source/line`, as datatrove's reader does."""
    index = 0
    try:
        while True:
            line, oversized = _read_line(stream, opts.max_bytes)
            line_id = f"{source}/{index}"
            index += 1
            if oversized:
                yield Unit(line_id, jsonl=True, error=_error(
                    "RecordTooLarge", f"line {index} of {source} is longer than {opts.max_bytes} bytes"))
                continue
            if not line:
                return
            if not line.strip():
                continue  # a blank line is not a record
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield Unit(line_id, jsonl=True, raw=_unterminated(line.decode("utf-8", "backslashreplace")),
                           error=_error("DecodeError", f"line {index} is not valid UTF-8: {exc}"))
                continue
            try:
                record = json.loads(text)
            except json.JSONDecodeError as exc:
                yield Unit(line_id, jsonl=True, raw=_unterminated(text),
                           error=_error("JSONDecodeError", f"line {index} is not JSON: {exc}"))
                continue
            if not isinstance(record, dict):
                yield Unit(line_id, jsonl=True, raw=_unterminated(text), error=_error(
                    "NotAnObject", f"line {index} is a JSON {type(record).__name__}, not an object"))
                continue
            unit = record_unit(record, line_id, opts)
            unit.size = max(unit.size, len(line))
            yield unit
    except (OSError, EOFError, zlib.error) as exc:  # a truncated or corrupt .gz: say where it stopped
        yield Unit(f"{source}/{index}", jsonl=True,
                   error=_error(type(exc).__name__, f"{source} could not be read past line {index}: {exc}"))


class _Prefixed(io.RawIOBase):
    """A stream with bytes already read from it put back in front (to sniff standard input)."""

    def __init__(self, head: bytes, rest: IO[bytes]):
        self._head, self._rest = head, rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _iter_stdin(stdin: IO[bytes], opts: ReadOptions) -> Iterator[Unit]:
    """Standard input is JSONL when it starts with `{`; otherwise one document."""
    head = b""
    while not head.lstrip(_SNIFF_STRIP):
        block = stdin.read1(SKIP_BLOCK) if hasattr(stdin, "read1") else stdin.read(SKIP_BLOCK)
        if not block:
            break
        head += block
    stream = io.BufferedReader(_Prefixed(head, stdin))
    if head.lstrip(_SNIFF_STRIP).startswith(b"{"):
        yield from iter_jsonl(stream, "-", opts)
        return
    data = stream.read(opts.max_bytes + 1)
    if len(data) > opts.max_bytes:
        message = f"standard input is larger than {opts.max_bytes} bytes"
        yield Unit("-", error=_error("RecordTooLarge", message))
        return
    yield document_unit("-", data, opts.input_type)


def _iter_file(path: Path, name: str, opts: ReadOptions) -> Iterator[Unit]:
    try:
        if is_jsonl(path.name):
            opener = gzip.open if path.name.lower().endswith(".gz") else open
            with opener(path, "rb") as stream:
                yield from iter_jsonl(stream, name, opts)
            return
        size = path.stat().st_size
        if size > opts.max_bytes:
            yield Unit(name, error=_error("RecordTooLarge", f"{name} is larger than {opts.max_bytes} bytes"))
            return
        data = path.read_bytes()
    except OSError as exc:
        yield Unit(name, error=_error(type(exc).__name__, str(exc)))
        return
    yield document_unit(name, data, opts.input_type)


def _walk(root: Path, pattern: str) -> list[Path]:
    """Files under `root` matching `pattern`, sorted; hidden files and folders left out."""
    return sorted(
        f for f in root.rglob(pattern)
        if f.is_file() and not any(part.startswith(".") for part in f.relative_to(root).parts)
    )


def iter_units(paths: Iterable[str], stdin: IO[bytes], opts: ReadOptions) -> Iterator[Unit]:
    """Every input record, lazily and in order: paths as given, directories sorted."""
    for path in paths:
        if path == "-":
            yield from _iter_stdin(stdin, opts)
            continue
        p = Path(path)
        if p.is_dir():
            for f in _walk(p, opts.glob):
                yield from _iter_file(f, str(f), opts)
            continue
        yield from _iter_file(p, path, opts)


# --- cleaning in a pool -------------------------------------------------------------------------


def _chunks(units: Iterator[Unit], size: int, max_bytes: int) -> Iterator[list[Unit]]:
    chunk: list[Unit] = []
    nbytes = 0
    for unit in units:
        chunk.append(unit)
        nbytes += unit.size
        if len(chunk) >= size or nbytes >= max_bytes:
            yield chunk
            chunk, nbytes = [], 0
    if chunk:
        yield chunk


class _PoolLost(Exception):
    """The pool broke (a worker died) or stalled (a worker stuck past every limit)."""


def _task_budget(n_items: int, timeout: float, hard_grace: float) -> float:
    """The longest a task of `n_items` can legitimately take in a worker: the chunk's try,
    then each record alone, each under its own hard limit."""
    return (n_items + 1 if n_items > 1 else 1) * (timeout + hard_grace)


def _wait(future: Any, deadline: Callable[[], bool]) -> Any:
    """The future's results; `_PoolLost` if its pool broke or `deadline()` says it is too late."""
    from joblib.externals.loky import BrokenProcessPool, wait

    while not future.done():
        wait([future], timeout=POLL_SECONDS)
        if not future.done() and deadline():
            raise _PoolLost("no result in time")
    try:
        return future.result()
    except BrokenProcessPool as exc:
        raise _PoolLost(str(exc)) from exc


@dataclass
class _Pool:
    """The workers: a loky pool for the run, and a one-worker pool to rerun failed chunks."""

    jobs: int
    timeout: float
    hard_grace: float
    chunk_size: int
    clean: Callable[[list[Item], float], list[Result]]
    last_progress: float = field(default_factory=time.monotonic)
    executor: Any = None
    lone: Any = None  # the one-worker pool for reruns, started when first needed
    in_flight: set[Any] = field(default_factory=set)

    @property
    def stall_limit(self) -> float:
        """Parent-side backstop: no chunk at all finished for this long means a stuck worker."""
        return _task_budget(self.chunk_size, self.timeout, self.hard_grace) + STARTUP_ALLOWANCE

    def _task(self, executor: Any, items: list[Item], dump_path: str | None = None) -> Any:
        return executor.submit(_pool_task, items, self.timeout, self.hard_grace, self.clean, dump_path)

    def submit(self, items: list[Item]) -> Any:
        from joblib.externals.loky import BrokenProcessPool, get_reusable_executor

        if not self.executor_busy():
            self.last_progress = time.monotonic()
        try:
            self.executor = get_reusable_executor(max_workers=self.jobs, env=WORKER_ENV)
            future = self._task(self.executor, items)
        except BrokenProcessPool:  # a worker died since the last look: start a fresh pool
            self.kill()
            self.executor = get_reusable_executor(max_workers=self.jobs, env=WORKER_ENV)
            future = self._task(self.executor, items)
        future.add_done_callback(self._progress)
        self.in_flight.add(future)
        return future

    def executor_busy(self) -> bool:
        """Is a chunk running? If not, the stall clock starts again at the next submission."""
        return any(not f.done() for f in self.in_flight)

    def _progress(self, future: Any) -> None:
        self.last_progress = time.monotonic()

    def result(self, future: Any) -> list[Cleaned]:
        """A chunk's results; `_PoolLost` (workers killed) if nothing finished for too long."""
        try:
            return _wait(future, lambda: time.monotonic() - self.last_progress > self.stall_limit)
        except _PoolLost:
            self.kill()
            raise
        finally:
            self.in_flight.discard(future)

    def kill(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, kill_workers=True)
            self.executor = None
        self.in_flight.clear()

    def close(self, kill: bool) -> None:
        if kill:
            self.kill()
        if self.lone is not None:
            self.lone.shutdown(wait=True, kill_workers=True)
            self.lone = None

    def run_alone(self, items: list[Item], dump_path: str | None = None) -> list[Cleaned]:
        """Run one task on a warm worker with nothing else to do, so its clock is its own."""
        from joblib.externals.loky import ProcessPoolExecutor

        if self.lone is None or self.lone._flags.broken:
            self.lone = ProcessPoolExecutor(max_workers=1, env=WORKER_ENV)
        try:
            _wait(self.lone.submit(warm_up, {item.kind for item in items}), _deadline(STARTUP_ALLOWANCE))
            return _wait(self._task(self.lone, items, dump_path),
                         _deadline(_task_budget(len(items), self.timeout, self.hard_grace) + POLL_SECONDS))
        except _PoolLost:
            self.lone.shutdown(wait=True, kill_workers=True)
            self.lone = None
            raise

    def settle(self, items: list[Item]) -> list[Cleaned]:
        """Results for a chunk whose task failed: rerun alone, then one record at a time."""
        try:
            return self.run_alone(items)
        except SetupError:
            raise
        except Exception:  # noqa: BLE001 - rerun one by one below: the culprit gets its own record
            if len(items) == 1:
                return [self._settle_one(items[0])]
        return [self._settle_one(item) for item in items]

    def _settle_one(self, item: Item) -> Cleaned:
        with tempfile.NamedTemporaryFile("r", encoding="utf-8", prefix="cleaner-worker-") as dump:
            try:
                return self.run_alone([item], dump.name)[0]
            except SetupError:
                raise
            except _PoolLost as exc:
                dumped = dump.read()
                if dumped or "no result in time" in str(exc):
                    frames = [ln.strip() for ln in dumped.splitlines() if ln.strip().startswith("File ")]
                    where = f"; stuck at {frames[0]}" if frames else ""
                    return Cleaned.of(Result.failed(
                        f"cleaning took longer than {self.timeout:g} s and its worker was ended{where}",
                        "Timeout"))
                return Cleaned.of(Result.failed(f"the worker cleaning this record died: {exc}", "WorkerDied"))
            except Exception as exc:  # noqa: BLE001 - the record says what went wrong
                return Cleaned.of(Result.failed(exc))


def _deadline(seconds: float) -> Callable[[], bool]:
    end = time.monotonic() + seconds
    return lambda: time.monotonic() > end


def _merge(chunk: list[Unit], results: list[Cleaned]) -> Iterator[tuple[Unit, Cleaned]]:
    done = iter(results)
    for unit in chunk:
        yield unit, (Cleaned.of(Result(error=dict(unit.error))) if unit.error else next(done))


def clean_units(
    units: Iterable[Unit],
    jobs: int = 1,
    chunk_size: int = CHUNK_SIZE,
    timeout: float = DEFAULT_TIMEOUT,
    hard_grace: float = HARD_GRACE,
    clean: Callable[[list[Item], float], list[Result]] = clean_together,
) -> Iterator[tuple[Unit, Cleaned]]:
    """Each unit with its result, in input order, cleaned in `jobs` worker processes.

    Even `jobs=1` cleans in a worker process, so that a hung record can be ended without
    ending the run, and so that the output is byte for byte the same for any `jobs`.
    `clean` (a module-level function, pickled by reference) is what a worker runs on a chunk.
    """
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, not {jobs}")
    pool = _Pool(jobs, timeout, hard_grace, chunk_size, clean)
    window: deque[tuple[list[Unit], Any]] = deque()
    finished = False
    try:
        for chunk in _chunks(iter(units), chunk_size, CHUNK_MAX_BYTES):
            window.append((chunk, _submit(pool, chunk)))
            while len(window) >= jobs * IN_FLIGHT_PER_JOB:
                yield from _resolve(pool, window)
        while window:
            yield from _resolve(pool, window)
        finished = True
    finally:
        # Interrupted, or the consumer stopped: no worker is left running.
        pool.close(kill=not finished)


def _submit(pool: _Pool, chunk: list[Unit]) -> Any:
    items = [unit.item for unit in chunk if unit.error is None]
    return pool.submit(items) if items else None


def _resolve(pool: _Pool, window: deque[tuple[list[Unit], Any]]) -> Iterator[tuple[Unit, Cleaned]]:
    """Yield the oldest chunk's results; if the pool was lost, settle every chunk in flight."""
    chunk, future = window.popleft()
    if future is None:
        yield from _merge(chunk, [])
        return
    items = [unit.item for unit in chunk if unit.error is None]
    try:
        results = pool.result(future)
    except _PoolLost:
        # Every future in flight is lost with the pool: keep those that finished, rerun the rest.
        yield from _merge(chunk, pool.settle(items))
        while window:
            chunk, future = window.popleft()
            yield from _merge(chunk, _salvage(pool, chunk, future))
        return
    except SetupError:
        raise
    except Exception:  # noqa: BLE001 - the task failed as a whole: rerun, culprit gets the error
        results = pool.settle(items)
    yield from _merge(chunk, results)


def _salvage(pool: _Pool, chunk: list[Unit], future: Any) -> list[Cleaned]:
    items = [unit.item for unit in chunk if unit.error is None]
    if future is None:
        return []
    if future.done() and not future.cancelled() and future.exception() is None:
        return future.result()
    return pool.settle(items)


# --- output records and --resume ------------------------------------------------------------------


def encode_record(unit: Unit, cleaned: Cleaned, keys: Keys) -> bytes:
    """The output record, one JSON line: a document's `to_dict()` with its id, or the JSONL
    record passed on.

    A JSONL record keeps every field; the clean text goes to the output key and the rest of
    the result under `cleaner`. A record that failed keeps its text as it was and gets `error`.
    The worker's already encoded metadata is spliced in, never decoded.
    """
    if not unit.jsonl:
        line = json_bytes({"id": unit.id, "text": cleaned.text})[:-1] + b", " + cleaned.meta[1:-1]
        if cleaned.error is not None:
            line += b', "error": ' + json_bytes(cleaned.error)
        return line + b"}\n"
    record = dict(unit.record) if unit.record is not None else {}
    if keys.id not in record:
        record = {keys.id: unit.id, **record}
    if unit.raw is not None:
        record["raw"] = unit.raw
    if cleaned.error is not None:
        record["error"] = dict(cleaned.error)
        return json_bytes(record) + b"\n"
    record[keys.out] = cleaned.text
    record.pop("cleaner", None)  # the cleaner's own field: replaced, at the end
    return json_bytes(record)[:-1] + b', "cleaner": ' + cleaned.meta + b"}\n"


def record_id(record: dict, unit: Unit, keys: Keys) -> Any:
    return record.get(keys.id if unit.jsonl else "id")


class ResumeMismatch(Exception):
    """The output being resumed was not written from this input, in this order."""


def complete_prefix(path: Path) -> int:
    """Bytes of `path` made of whole JSON lines; a partial or broken tail is cut off."""
    end = 0
    with open(path, "rb") as f:
        for line in f:
            if not line.endswith(b"\n"):
                break
            try:
                json.loads(line)
            except ValueError:
                break
            end += len(line)
    with open(path, "r+b") as f:
        f.truncate(end)
    return end


class Resume:
    """Matches input units against the records an earlier run already wrote, in order."""

    def __init__(self, path: Path, end: int, keys: Keys):
        self._file = open(path, "rb")  # noqa: SIM115 - closed by close(), read alongside the run
        self._end = end
        self._keys = keys

    def done(self, unit: Unit) -> dict | None:
        """The record already written for `unit`, or None once the earlier output is used up."""
        if self.exhausted():
            self.close()
            return None
        record = json.loads(self._file.readline())
        if record_id(record, unit, self._keys) != unit.id:
            raise ResumeMismatch(
                f"the output does not continue this input: input record {unit.id!r} is where "
                f"the output has {record_id(record, unit, self._keys)!r}")
        return record

    def close(self) -> None:
        self._file.close()

    def exhausted(self) -> bool:
        return self._file.closed or self._file.tell() >= self._end


def skip_done(units: Iterable[Unit], resume: Resume | None,
              on_done: Callable[[dict], None]) -> Iterator[Unit]:
    """Units not yet in the output; each already written record is handed to `on_done`."""
    for unit in units:
        if resume is not None:
            record = resume.done(unit)
            if record is not None:
                on_done(record)
                continue
            resume = None
        yield unit
    if resume is not None and not resume.exhausted():
        raise ResumeMismatch("the output has more records than this input")

"""datatrove pipeline steps (`pip install 'cleaner[datatrove]'`).

    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from cleaner.integrations.datatrove import CleanerExtractor, CleanerFormatter

    LocalPipelineExecutor(pipeline=[JsonlReader("in/"), CleanerFormatter(), JsonlWriter("out/")],
                          tasks=4).run()

`CleanerFormatter` cleans text documents in chunks (one model call per chunk); a document
that fails keeps its text and gets `metadata["cleaner"]["error"]`. `CleanerExtractor` cleans
HTML documents (a WARC reader's, or a JSONL reader's with `text_key="html"`) in datatrove's
extractor sandbox, a child process ended at the per-document timeout; as datatrove's own
extractors do, it drops the documents it could not extract, and logs and counts each one.
"""

from __future__ import annotations

from itertools import islice
from typing import Any

try:
    from datatrove.data import Document, DocumentsPipeline
    from datatrove.pipeline.extractors.base import BaseExtractor, ExtractorSandbox
    from datatrove.pipeline.formatters.base import BaseFormatter
    from datatrove.utils.logging import logger
    from datatrove.utils.typeshelper import StatHints
except ImportError as exc:  # say which extra brings it
    from cleaner.integrations import missing_extra

    raise missing_extra("datatrove", exc) from exc

from cleaner.batch import CHUNK_SIZE, DEFAULT_TIMEOUT, Item, clean_items, warm_up
from cleaner.integrations import metadata
from cleaner.result import Result

#: Where the rest of the Result goes in `Document.metadata`.
METADATA_KEY = "cleaner"


def _log_failure(step: str, doc: Document, error: dict[str, str]) -> None:
    logger.warning(f"{step}: document {doc.id!r} not cleaned: {error['type']}: {error['message']}")


class CleanerFormatter(BaseFormatter):
    """Text documents in, their clean text out; what was removed goes to `metadata["cleaner"]`."""

    name = "🧹 cleaner"

    def __init__(self, batch_size: int = CHUNK_SIZE, timeout: float = DEFAULT_TIMEOUT,
                 metadata_key: str = METADATA_KEY):
        super().__init__()
        self.batch_size = batch_size
        self.timeout = timeout
        self.metadata_key = metadata_key

    def format(self, text: str) -> str:
        """One document alone (datatrove's formatter interface); `run` cleans them in chunks."""
        result = _clean([Item("text", text)], self.timeout)[0]
        if result.error:
            raise RuntimeError(f"{result.error['type']}: {result.error['message']}")
        return result.text

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        docs = iter(data or ())
        while chunk := list(islice(docs, self.batch_size)):
            with self.track_time(unit="batch"):
                results = _clean([Item("text", doc.text) for doc in chunk], self.timeout)
            for doc, result in zip(chunk, results, strict=True):
                self.stat_update(StatHints.total)
                doc.metadata[self.metadata_key] = metadata(result)
                if result.error:
                    self.stat_update("clean_error")
                    _log_failure(self.name, doc, result.error)
                else:
                    doc.text = result.text
                    self.update_doc_stats(doc)
                yield doc


def _clean(items: list[Item], timeout: float) -> list[Result]:
    """One thread, as a datatrove task is one core; and the extractor's child is forked, where
    the OpenMP pool its parent may have started would hang the model (libgomp is not fork-safe)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        return clean_items(items, timeout)


def _clean_page(html: str, url: str | None, timeout: float) -> tuple[str, dict[str, Any]]:
    """Runs in the sandbox's child process: never raises, an error is part of what it returns."""
    try:
        result = _clean([Item("html", html, url)], timeout)[0]
    except Exception as exc:  # noqa: BLE001 - handed back to the parent, which logs and counts it
        result = Result.failed(exc)
    return result.text, metadata(result)


class CleanerExtractor(BaseExtractor):
    """HTML documents in, the clean article text out; the page's metadata in `metadata["cleaner"]`."""

    name = "🧹 cleaner (HTML)"

    def __init__(self, timeout: float = DEFAULT_TIMEOUT, metadata_key: str = METADATA_KEY):
        super().__init__(timeout)
        self.metadata_key = metadata_key

    def extract(self, text: str) -> str:
        """The clean text alone (datatrove's extractor interface); `run` also keeps the metadata."""
        return _clean_page(text, None, self.timeout)[0]

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        # A model that does not load stops the task here, rather than every page in the child.
        warm_up()
        # The sandbox's child loads the model once, on the warm-up page, then cleans page after
        # page; a page past the timeout ends the child and the next page gets a fresh one.
        with ExtractorSandbox(timeout=self.timeout, warmup_text=("", None, self.timeout)) as sandbox:
            for doc in data or ():
                self.stat_update(StatHints.total)
                url = doc.metadata.get("url")
                with self.track_time():
                    try:
                        text, meta = sandbox.process_document((doc.text, url, self.timeout), _clean_page)
                    except TimeoutError:
                        self.stat_update("timeout")
                        _log_failure(self.name, doc, {"type": "Timeout",
                                                      "message": f"no result in {self.timeout:g} s"})
                        continue
                    except EOFError as exc:
                        self.stat_update("broken_process")
                        _log_failure(self.name, doc, {"type": "WorkerDied", "message": str(exc)})
                        continue
                if meta["error"]:
                    self.stat_update("clean_error")
                    _log_failure(self.name, doc, meta["error"])
                    continue
                if not text:
                    self.stat_update(StatHints.dropped)
                    continue
                doc.text = text
                doc.metadata[self.metadata_key] = meta
                self.stat_update("extracted", StatHints.forwarded)
                self.update_doc_stats(doc)
                yield doc

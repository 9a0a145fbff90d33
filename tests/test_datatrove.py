"""The datatrove steps in a LocalPipelineExecutor: JSONL in, cleaned JSONL out."""

import json

from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter

from cleaner.integrations import metadata
from cleaner.integrations.datatrove import CleanerExtractor, CleanerFormatter
from cleaner.pipeline import clean_html, clean_many
from conftest import SEEDS

PAGE = ("<!DOCTYPE html><html><head><title>Rains flood the valley</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav><article><h1>Rains flood the valley</h1>"
        + "".join(f"<p>Paragraph {i} of the story tells what the rains did to the farms along the river, "
                  f"and what the people there said about it.</p>" for i in range(6))
        + "</article></body></html>")


def seed_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("0*.txt"))]


def run_pipeline(tmp_path, records, step, **reader_args) -> list[dict]:
    (tmp_path / "in").mkdir()
    with open(tmp_path / "in" / "docs.jsonl", "w") as f:
        f.writelines(json.dumps(r) + "\n" for r in records)
    LocalPipelineExecutor(
        pipeline=[JsonlReader(str(tmp_path / "in"), **reader_args), step,
                  JsonlWriter(str(tmp_path / "out"), compression=None)],
        tasks=1, workers=1, logging_dir=str(tmp_path / "logs"),
    ).run()
    return [json.loads(line) for line in (tmp_path / "out" / "00000.jsonl").read_text().splitlines()]


def test_formatter_cleans_text_documents_and_keeps_what_it_removed(tmp_path):
    texts = seed_texts()
    docs = run_pipeline(tmp_path, [{"id": f"d{i}", "text": t, "lang": "en"} for i, t in enumerate(texts)],
                        CleanerFormatter(batch_size=2))
    expected = clean_many(texts)
    assert [d["id"] for d in docs] == [f"d{i}" for i in range(5)]
    assert [d["text"] for d in docs] == [r.text for r in expected]
    assert [d["metadata"]["cleaner"] for d in docs] == [metadata(r) for r in expected]
    assert all(d["metadata"]["lang"] == "en" for d in docs)


def test_extractor_cleans_html_pages_and_drops_those_with_nothing_left(tmp_path):
    records = [{"id": "page", "html": PAGE, "url": "https://example.com/valley"},
               {"id": "empty", "html": "<html><body></body></html>"}]
    docs = run_pipeline(tmp_path, records, CleanerExtractor(), text_key="html")
    expected = clean_html(PAGE, url="https://example.com/valley")
    assert [d["id"] for d in docs] == ["page"]
    assert docs[0]["text"] == expected.text and "Paragraph 3 of the story" in docs[0]["text"]
    assert docs[0]["metadata"]["cleaner"]["page"]["url"] == "https://example.com/valley"

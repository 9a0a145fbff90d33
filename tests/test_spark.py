"""The Spark helper: a DataFrame column cleaned with mapInPandas on a local[2] session."""

import os
import shutil
import sys

import pytest

from cleaner.integrations import metadata
from cleaner.pipeline import clean_many
from cleaner.result import Dateline, Line, Result
from conftest import SEEDS

if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
    pytest.skip("Spark needs Java, and there is none on this machine", allow_module_level=True)

from cleaner.integrations.spark import clean_column, metadata_schema  # noqa: E402


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    with pytest.MonkeyPatch.context() as env:
        # Spark's Python workers are this interpreter, so they import this cleaner.
        env.setenv("PYSPARK_PYTHON", sys.executable)
        env.setenv("PYSPARK_DRIVER_PYTHON", sys.executable)
        session = (SparkSession.builder.master("local[2]").appName("cleaner-test")
                   .config("spark.ui.enabled", "false")
                   .config("spark.sql.shuffle.partitions", "2")
                   .config("spark.driver.memory", "1g")
                   .getOrCreate())
        yield session
        session.stop()


def seed_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("0*.txt"))]


def test_the_struct_holds_every_field_of_a_result():
    schema = metadata_schema()
    assert schema.fieldNames() == list(metadata(Result.failed("x")))
    assert set(schema["dateline"].dataType.fieldNames()) == set(Dateline().to_dict())
    assert set(schema["lines"].dataType.elementType.fieldNames()) == set(Line("a", "body", 1.0).to_dict())


def test_a_column_is_cleaned_row_by_row_and_a_bad_row_says_why(spark):
    texts = seed_texts()
    rows = [(i, t, f"src{i}") for i, t in enumerate(texts)] + [(99, None, "null text")]
    df = spark.createDataFrame(rows, "id long, text string, source string").repartition(2)
    out = {r["id"]: r.asDict(recursive=True)
           for r in clean_column(df, "text", output_col="clean", chunk_size=2).collect()}
    assert sorted(out) == [0, 1, 2, 3, 4, 99]
    expected = clean_many(texts)
    for i, result in enumerate(expected):
        row = out[i]
        assert row["text"] == texts[i] and row["source"] == f"src{i}"  # other columns pass through
        assert row["clean"] == result.text
        assert row["cleaner"] == metadata(result)  # every field, nested ones included
    assert out[99]["clean"] is None
    assert out[99]["cleaner"]["error"]["type"] == "BadValue"


def test_in_place_keeps_the_columns_and_replaces_the_text(spark):
    texts = seed_texts()[:2]
    df = spark.createDataFrame([(t, "x") for t in texts], "text string, other string")
    cleaned = clean_column(df)
    assert cleaned.columns == ["text", "other", "cleaner"]
    assert [r["text"] for r in cleaned.collect()] == [r.text for r in clean_many(texts)]

"""Clean a Spark DataFrame column with `mapInPandas` (`pip install 'cleaner[spark]'`).

    from cleaner.integrations.spark import clean_column
    cleaned = clean_column(df, "text")            # text replaced, metadata in a `cleaner` struct
    cleaned = clean_column(df, "html", html=True, output_col="text", url_col="url")

Each partition loads the model once (and a reused Python worker keeps it for the next
partitions), then cleans its rows in chunks of `chunk_size`, one model call per chunk. A row
that cannot be cleaned keeps its text as it was (null in a new output column) and says why in
`cleaner.error`; the others are cleaned as usual. The time limit per row is SIGALRM's, in the
worker's main thread; an executor's process is never ended, as Spark would retry the task.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Iterator
from functools import partial
from typing import TYPE_CHECKING, Any

from cleaner.batch import CHUNK_SIZE, DEFAULT_TIMEOUT, Item, clean_items, warm_up
from cleaner.integrations import metadata, missing_extra
from cleaner.result import Result

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.sql import DataFrame
    from pyspark.sql.types import StructType


def _spark_type(hint: Any) -> Any:
    """The Spark type of a Result field's annotation: str, float, lists, dicts, dataclasses."""
    from pyspark.sql import types as T

    args = [a for a in typing.get_args(hint) if a is not type(None)]
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType) and len(args) == 1:
        return _spark_type(args[0])
    if origin is list:
        return T.ArrayType(_spark_type(args[0]))
    if origin is dict:
        return T.MapType(_spark_type(args[0]), _spark_type(args[1]))
    if dataclasses.is_dataclass(hint):
        hints = typing.get_type_hints(hint)
        fields = dataclasses.fields(hint)
        return T.StructType([T.StructField(f.name, _spark_type(hints[f.name])) for f in fields])
    scalars = {str: T.StringType(), float: T.DoubleType(), int: T.LongType(), bool: T.BooleanType()}
    if hint in scalars:
        return scalars[hint]
    raise TypeError(f"no Spark type for {hint!r}")


def metadata_schema() -> StructType:
    """The `cleaner` struct: every field `metadata()` gives, typed from the Result's annotations,
    so a field added to the Result is never silently dropped here."""
    try:
        from pyspark.sql import types as T
    except ImportError as exc:
        raise missing_extra("spark", exc) from exc

    hints = typing.get_type_hints(Result)
    return T.StructType([T.StructField(name, _spark_type(hints[name]))
                         for name in metadata(Result.failed("an example"))])


def clean_column(
    df: DataFrame,
    input_col: str = "text",
    output_col: str | None = None,
    metadata_col: str = "cleaner",
    html: bool = False,
    url_col: str | None = None,
    chunk_size: int = CHUNK_SIZE,
    timeout: float = DEFAULT_TIMEOUT,
) -> DataFrame:
    """`df` with the clean text in `output_col` (default: `input_col`, replaced) and the rest of
    each Result in the struct column `metadata_col`. `html=True` reads the column as HTML pages."""
    try:
        from pyspark.sql import types as T
    except ImportError as exc:
        raise missing_extra("spark", exc) from exc

    output_col = output_col or input_col
    for name in {input_col, url_col} - {None}:
        if name not in df.columns:
            raise ValueError(f"no column {name!r} in {df.columns}")
    out_field = T.StructField(output_col, T.StringType())
    fields = [out_field if f.name == output_col else f for f in df.schema.fields if f.name != metadata_col]
    if output_col not in df.columns:
        fields.append(out_field)
    schema = T.StructType([*fields, T.StructField(metadata_col, metadata_schema())])
    run = partial(clean_partition, input_col=input_col, output_col=output_col, metadata_col=metadata_col,
                  kind="html" if html else "text", url_col=url_col, chunk_size=chunk_size, timeout=timeout,
                  columns=[f.name for f in schema.fields])
    return df.mapInPandas(run, schema)


def _item(value: Any, kind: str, url: Any) -> Item | Result:
    if not isinstance(value, str):
        return Result.failed(f"the value to clean is {type(value).__name__}, not a string", "BadValue")
    return Item(kind, value, url if isinstance(url, str) else None)


def clean_partition(
    batches: Iterator[pd.DataFrame],
    *,
    input_col: str,
    output_col: str,
    metadata_col: str,
    kind: str,
    url_col: str | None,
    chunk_size: int,
    timeout: float,
    columns: list[str],
) -> Iterator[pd.DataFrame]:
    """What each Spark task runs over its partition's Arrow batches, as pandas frames."""
    warm_up({kind})  # once per partition, before any row's clock starts
    for frame in batches:
        values = frame[input_col].tolist()
        urls = frame[url_col].tolist() if url_col else [None] * len(values)
        todo = [_item(v, kind, u) for v, u in zip(values, urls, strict=True)]
        items = [t for t in todo if isinstance(t, Item)]
        cleaned: list[Result] = []
        for start in range(0, len(items), chunk_size):
            cleaned.extend(clean_items(items[start:start + chunk_size], timeout))
        done = iter(cleaned)
        results = [next(done) if isinstance(t, Item) else t for t in todo]
        out = frame.copy()
        keep_input = output_col == input_col
        out[output_col] = [
            (v if keep_input else None) if r.error else r.text for v, r in zip(values, results, strict=True)]
        out[metadata_col] = [metadata(r) for r in results]
        yield out[columns]

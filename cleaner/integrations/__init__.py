"""The cleaner inside the distributed engines its users already run.

Each engine is an optional extra, and its module is imported only when used:

    pip install 'cleaner[spark]'       ->  cleaner.integrations.spark.clean_column(df, "text")
    pip install 'cleaner[datatrove]'   ->  cleaner.integrations.datatrove.CleanerFormatter(),
                                           cleaner.integrations.datatrove.CleanerExtractor()

Both clean in chunks through `cleaner.batch.clean_items`, so a record that fails or times out
gets an error of its own and its neighbours are cleaned as usual.
"""

from __future__ import annotations

from typing import Any

from cleaner.result import Result


def metadata(result: Result) -> dict[str, Any]:
    """What goes beside the clean text: every field of the Result but the text, always all keys."""
    meta = result.to_dict()
    meta.pop("text")
    meta["page"] = meta.pop("page", {})
    meta["extraction"] = meta.pop("extraction", None)
    meta["error"] = meta.pop("error", None)
    return meta


def missing_extra(extra: str, exc: ImportError) -> ImportError:
    return ImportError(f"{exc.name or 'a package'} is needed here: pip install 'cleaner[{extra}]'")

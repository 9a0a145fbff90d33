"""Bundled model files are read as bytes, and used only if their SHA-256 is the pinned one.

Loading a model may run code (joblib) or trust its arrays, so every loader goes through
`verified_bytes` and then reads the checked bytes, never the file a second time.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def loaded_once(load: Callable[[], T]) -> Callable[[], T]:
    """`load` run on the first call only (one thread at a time), its model kept for the life
    of the process: every bundled model is read, checked and built once."""
    lock = threading.Lock()
    kept: list[T] = []

    @functools.wraps(load)
    def get() -> T:
        with lock:
            if not kept:
                kept.append(load())
            return kept[0]

    return get


def verified_bytes(path: Path, pinned: str | None, error: type[Exception], pin_file: str) -> bytes:
    """The bytes of `path`, or `error` naming the file when they are not the pinned ones."""
    if not pinned:
        raise error(f"no pinned SHA-256 for model file {path} in {pin_file}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise error(f"cannot read model file {path}: {exc}") from exc
    digest = hashlib.sha256(data).hexdigest()
    if digest != pinned.lower():
        raise error(
            f"model file {path} does not match its pinned SHA-256 in {pin_file} "
            f"(expected {pinned}, found {digest}); refusing to load it"
        )
    return data


def read_pins(path: Path, error: type[Exception]) -> dict[str, str]:
    """File name -> pinned SHA-256, from a `sha256sum`-format file (`<hex>  <name>` a line)."""
    try:
        text = path.read_text(encoding="ascii")
    except OSError as exc:
        raise error(f"cannot read model checksums {path}: {exc}") from exc
    pins: dict[str, str] = {}
    for line in text.splitlines():
        parts = line.split(maxsplit=1)
        if len(parts) == 2:
            pins[parts[1].strip().lstrip("*")] = parts[0].lower()
    return pins

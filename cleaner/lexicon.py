"""Words running text writes in lowercase: what a capitalised name-shaped line is made of when
it is not a person (`Filed Under`, `Save Article`, `Keine Kommentare`).

The list is data, built from the training pages by `training/lexicon.py` (`make lexicon`),
and shipped in `models/lowercase_words.txt`; it is read once, after its bytes match the
SHA-256 pinned in `models/LEXICON_SHA256`.
"""

from __future__ import annotations

import re
from pathlib import Path

from cleaner.integrity import loaded_once, verified_bytes

MODEL_DIR = Path(__file__).parent / "models"
LEXICON_FILE = "lowercase_words.txt"
DIGEST_FILE = "LEXICON_SHA256"
#: A word: letters, with an inner apostrophe (`don't`, `l’homme`).
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


class LexiconError(RuntimeError):
    """The bundled word list is missing, or its bytes are not the ones pinned."""


def load(model_dir: Path = MODEL_DIR) -> frozenset[str]:
    try:
        pinned = (model_dir / DIGEST_FILE).read_text(encoding="ascii").split()[0]
    except (OSError, IndexError) as exc:
        raise LexiconError(f"cannot read the pinned digest of the word list in {model_dir}: {exc}") from exc
    data = verified_bytes(model_dir / LEXICON_FILE, pinned, LexiconError, DIGEST_FILE)
    return frozenset(data.decode("utf-8").split())


@loaded_once
def lowercase_words() -> frozenset[str]:
    """The shipped list, loaded on first use and kept for the life of the process."""
    return load()


def is_lowercase_word(word: str) -> bool:
    """`filed`, `Keine`, `Peanut` -> True; `Steve`, `Mark`, `Zeitung`, `Zubeiri` -> False."""
    return word.casefold() in lowercase_words()

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "samples" / "input"
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def seeds() -> dict[str, list[str]]:
    """The five example articles, by number, as their lines."""
    out = {}
    for path in sorted(SEEDS.glob("0*.txt")):
        out[path.name[:3]] = path.read_text(encoding="utf-8").split("\n")
    return out

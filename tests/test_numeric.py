"""Features and probabilities must not depend on which instructions the CPU has.

numpy computes exp/log/log1p with AVX-512 code where the CPU has it, and those give other
last bits than the C library; a tree split whose threshold is exactly a common training
value (log1p of a frequent count) then sends a row the other way on one machine only.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from cleaner.numeric import COUNT_TABLE_SIZE, exp, log, log1p_counts

ROOT = Path(__file__).resolve().parent.parent


def _avx512_targets() -> list[str]:
    """numpy's dispatch targets that use AVX-512 (their names change between numpy versions)."""
    from numpy._core import _multiarray_umath

    return [name for name in _multiarray_umath.__cpu_dispatch__ if "AVX512" in name or name == "X86_V4"]


def test_log1p_of_counts_is_the_c_librarys_in_and_beyond_the_table():
    counts = np.array([0, 1, 2, 25, 999, COUNT_TABLE_SIZE - 1, COUNT_TABLE_SIZE, 10**6])
    got = log1p_counts(counts)
    assert got.tolist() == [math.log1p(int(k)) for k in counts]
    assert log1p_counts([3.0, 4.0]).tolist() == [math.log1p(3), math.log1p(4)]
    assert log1p_counts(np.zeros((2, 3))).shape == (2, 3)


def test_exp_is_the_c_librarys_and_overflows_to_infinity_as_numpy_does():
    x = np.array([-800.0, -30.5, 0.0, 1e-3, 12.25, 709.0, 710.0, np.nan])
    got = exp(x)
    assert got[:6].tolist() == [math.exp(v) for v in x[:6]]
    assert got[6] == np.inf and np.isnan(got[7])


def test_log_is_the_c_librarys_whatever_the_shape():
    x = np.array([[1e-12, 0.5], [1.0, 6.25]])
    assert log(x).tolist() == [[math.log(v) for v in row] for row in x.tolist()]
    assert float(log(np.float64(0.85))) == math.log(0.85)


def _features_of_the_samples(env: dict[str, str]) -> bytes:
    code = (
        "import sys, numpy as np\n"
        "from pathlib import Path\n"
        "from cleaner import features\n"
        "texts = [p.read_text() for p in sorted(Path('samples/input').glob('*.txt'))]\n"
        "sys.stdout.buffer.write(features.batch_features(texts).tobytes())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, cwd=ROOT, env=env, check=True)
    return out.stdout


def test_line_features_are_the_same_bits_with_and_without_avx512():
    """On a CPU without AVX-512 both runs take the same path and this passes trivially; on
    one with it, it is the check that matters (as on the machine that found the bug)."""
    plain = _features_of_the_samples(dict(os.environ))
    no_avx512 = {**os.environ, "NPY_DISABLE_CPU_FEATURES": " ".join(_avx512_targets())}
    without = _features_of_the_samples(no_avx512)
    assert plain and plain == without

"""Logarithms and exponentials with the same bits on every CPU.

numpy picks its exp/log/log1p code by what the CPU offers, and with AVX-512 it computes
other last bits than without it (and than the C library). Features built from them then
differ in the last bit between machines, and a tree split whose threshold is one of the
training values (scikit-learn's bin edges are often exactly a repeated value, such as
log1p of a common word count) sends such a row the other way. These compute what the C
library computes (Python's `math`), whatever numpy would dispatch to.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache

import numpy as np

try:  # built from cleaner/_numeric.c at install time; optional, as cleaner._walk is
    from cleaner import _numeric
except ImportError:  # pragma: no cover - depends on the build
    _numeric = None

#: Counts below this are read off a table of log1p; larger ones (rare) are computed one by one.
COUNT_TABLE_SIZE = 1 << 14
#: math.exp overflows beyond this; the result there is inf, as numpy's.
_EXP_MAX = 709.78


@lru_cache(maxsize=1)
def _log1p_table() -> np.ndarray:
    return np.array([math.log1p(k) for k in range(COUNT_TABLE_SIZE)], dtype=np.float64)


def _each(function: Callable[[float], float], values: np.ndarray) -> np.ndarray:
    """A `math` function applied to each value of a 1-d float64 array, as a float64 array.

    `map` over a list of Python floats: half the cost a value of `np.frompyfunc`, which
    makes an object array first (the line model's softmax calls this on every row).
    """
    return np.fromiter(map(function, values.tolist()), dtype=np.float64, count=values.size)


def log1p_counts(counts: np.ndarray | list) -> np.ndarray:
    """log1p of non-negative whole numbers (as floats or integers), as `math.log1p` gives it."""
    values = np.asarray(counts, dtype=np.float64)
    out = np.empty(values.shape, dtype=np.float64)
    flat, res = values.reshape(-1), out.reshape(-1)
    small = (flat >= 0) & (flat < COUNT_TABLE_SIZE) & (flat == np.floor(flat))
    res[small] = _log1p_table()[flat[small].astype(np.intp)]
    res[~small] = _each(math.log1p, flat[~small])
    return out


def exp(x: np.ndarray, compiled: bool = True) -> np.ndarray:
    """e ** x elementwise, as `math.exp` gives it (inf beyond its range, as numpy's): the C
    library's exp called in C if that is built and `compiled`, else `math.exp` value by value."""
    values = np.asarray(x, dtype=np.float64)
    if compiled and _numeric is not None:
        out = np.empty(values.shape)
        _numeric.exp_each(np.ascontiguousarray(values), out, _EXP_MAX)
        return out
    out = np.full(values.shape, np.inf)
    flat, res = values.reshape(-1), out.reshape(-1)
    finite = flat <= _EXP_MAX
    res[finite] = _each(math.exp, flat[finite])
    res[np.isnan(flat)] = np.nan
    return out


def log(x: np.ndarray) -> np.ndarray:
    """The natural logarithm of positive numbers elementwise, as `math.log` gives it."""
    values = np.asarray(x, dtype=np.float64)
    return _each(math.log, values.reshape(-1)).reshape(values.shape)

"""The one thing pyproject.toml does not say: the C extensions (its table there is experimental).

`cleaner._walk` walks the line and block models' trees (cleaner/_trees.py); `cleaner._scan`
folds case and finds the pattern prefilters' fragments (cleaner/_literals.py), counts the
shape features' character classes, sentence breaks and line ends (cleaner/features.py) and
hashes the headline models' n-grams (cleaner/clickbait.py); `cleaner._numeric` computes exp
over an array (cleaner/numeric.py).
All are optional: where they cannot be built (no C compiler), the package installs all the
same and does their work with numpy and Python, to the same figures.
"""

from setuptools import Extension, setup

setup(ext_modules=[
    Extension("cleaner._walk", sources=["cleaner/_walk.c"], optional=True),
    Extension("cleaner._scan", sources=["cleaner/_scan.c"], optional=True),
    Extension("cleaner._numeric", sources=["cleaner/_numeric.c"], optional=True),
])

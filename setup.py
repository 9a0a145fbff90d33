"""The one thing pyproject.toml does not say: the C extension (its table there is experimental).

`cleaner._walk` walks the line and block models' trees (cleaner/_trees.py). It is optional:
where it cannot be built (no C compiler), the package installs all the same and walks the
trees with numpy, to the same figures.
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("cleaner._walk", sources=["cleaner/_walk.c"], optional=True)])

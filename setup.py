"""Package discovery for the two import packages and the bundled data.

pyproject.toml holds all metadata; this file only lists packages, because the bundled
``datasets/`` and ``schemas/`` folders live at the repository root and ship inside the
``bulkscreen._data`` package, which declarative discovery cannot express.
"""

from setuptools import find_packages, setup

packages = (
    find_packages("src")
    + find_packages("kernels")
    + ["bulkscreen._data.datasets", "bulkscreen._data.schemas"]
)

setup(packages=packages)

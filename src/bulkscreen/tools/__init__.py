"""Tooling around the screening core: test-data generators, benchmarks and the demo.

Nothing in the screening path imports this package; it imports the core like any user would.
"""

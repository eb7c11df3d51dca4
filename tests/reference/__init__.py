"""Naive, obviously-correct twins of every kernel, used by property tests."""

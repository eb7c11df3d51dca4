"""Name matching: the versioned algorithm (:mod:`.algorithm`), the matcher (:mod:`.match`) and
its explanations (:mod:`.explain`).

``match_names`` is imported on first use, so that the compiled name index
(:mod:`bulkscreen.lists.name_index`) can read the algorithm id without importing the matcher.
"""

from __future__ import annotations

from typing import Any

from bulkscreen.matching.algorithm import ALGORITHM_ID

__all__ = ["ALGORITHM_ID", "match_names"]


def __getattr__(name: str) -> Any:
    if name == "match_names":
        from bulkscreen.matching.match import match_names

        return match_names
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

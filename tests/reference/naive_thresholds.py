"""Naive twin of ``bulkscreen_kernels.thresholds``: recursive three-valued evaluation of trees.

Trees are nested tuples: ``("test", param, op, threshold)``, ``("all", [children])``,
``("any", [children])``, ``("unknown",)`` and ``("true",)``.
"""

from __future__ import annotations

NOT_MET, MET, UNKNOWN = 0, 1, 2
REL_TOL = 1e-9


def compare(value: float, op: int, threshold: float) -> bool:
    """Return whether ``value <op> threshold`` holds (ops 0 <, 1 <=, 2 >, 3 >=, 4 ==)."""
    near = abs(value - threshold) <= REL_TOL * max(abs(value), abs(threshold))
    return {
        0: value < threshold and not near,
        1: value < threshold or near,
        2: value > threshold and not near,
        3: value > threshold or near,
        4: near,
    }[op]


def evaluate(tree, values, valid) -> int:
    """Return NOT_MET, MET or UNKNOWN for one row's ``values`` / ``valid`` sequences."""
    kind = tree[0]
    if kind == "test":
        _, param, op, threshold = tree
        if not valid[param]:
            return UNKNOWN
        return MET if compare(values[param], op, threshold) else NOT_MET
    if kind == "unknown":
        return UNKNOWN
    if kind == "true":
        return MET
    results = [evaluate(child, values, valid) for child in tree[1]]
    if kind == "all":
        if NOT_MET in results:
            return NOT_MET
        return UNKNOWN if UNKNOWN in results else MET
    if MET in results:
        return MET
    return UNKNOWN if UNKNOWN in results else NOT_MET

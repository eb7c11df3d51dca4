"""Rule-tree evaluation: every row against every applicable control entry, three-valued.

A rule tree is flattened to nodes (see ``bulkscreen.rules.compile``). Each entry owns a
contiguous node range in post-order: children come before their parent and the root is the
last node of the range, so one forward pass evaluates the tree.

Node kinds: ``NODE_TEST`` compares one parameter with a threshold; ``NODE_ALL`` / ``NODE_ANY``
combine children (child ids in CSR ``node_child_ptr`` / ``node_children``); ``NODE_UNKNOWN``
is a condition no number decides; ``NODE_TRUE`` is met by definition (listed by description).

Outcomes use Kleene's three-valued logic: ``NOT_MET`` 0, ``MET`` 1, ``UNKNOWN`` 2. A test on
a missing parameter is UNKNOWN, so a row whose outcome depends on it goes to review instead
of being cleared. The deciding node of an outcome names the test an explanation shows.
"""

from __future__ import annotations

import numba
import numpy as np

from bulkscreen_kernels._jit import jit, jit_parallel

NOT_MET = 0
MET = 1
UNKNOWN = 2

NODE_TEST = 0
NODE_ALL = 1
NODE_ANY = 2
NODE_UNKNOWN = 3
NODE_TRUE = 4

OP_LT = 0
OP_LE = 1
OP_GT = 2
OP_GE = 3
OP_EQ = 4

REL_TOL = 1e-9
"""Values this close (relative) to a threshold count as equal to it: unit conversion of
'0.9 um' and of the threshold '0.9 um' may differ in the last bit."""

_ROW_BLOCK = 256


@jit
def compare(value, op, threshold):
    """Return whether ``value <op> threshold`` holds, with equality up to ``REL_TOL``."""
    near = abs(value - threshold) <= REL_TOL * max(abs(value), abs(threshold))
    if op == OP_LT:
        return value < threshold and not near
    if op == OP_LE:
        return value < threshold or near
    if op == OP_GT:
        return value > threshold and not near
    if op == OP_GE:
        return value > threshold or near
    return near


@jit
def _evaluate_entry(row_values, row_valid, row, first, last, node_kind, node_param, node_op,
                    node_threshold, node_child_ptr, node_children, scratch_status,
                    scratch_decider):
    """Evaluate the nodes ``first..last-1`` of one entry for one row, in post-order."""
    for node in range(first, last):
        kind = node_kind[node]
        if kind == NODE_TEST:
            param = node_param[node]
            if not row_valid[row, param]:
                status = UNKNOWN
            elif compare(row_values[row, param], node_op[node], node_threshold[node]):
                status = MET
            else:
                status = NOT_MET
            decider = node
        elif kind == NODE_UNKNOWN:
            status = UNKNOWN
            decider = node
        elif kind == NODE_TRUE:
            status = MET
            decider = node
        else:
            # ALL: NOT_MET beats UNKNOWN beats MET; ANY: MET beats UNKNOWN beats NOT_MET.
            dominant = NOT_MET if kind == NODE_ALL else MET
            neutral = MET if kind == NODE_ALL else NOT_MET
            status = neutral
            decider = -1
            first_unknown = -1
            for k in range(node_child_ptr[node], node_child_ptr[node + 1]):
                child = node_children[k]
                child_status = scratch_status[child - first]
                if child_status == dominant:
                    status = dominant
                    decider = scratch_decider[child - first]
                    break
                if child_status == UNKNOWN and first_unknown < 0:
                    first_unknown = scratch_decider[child - first]
                # The last child decides a neutral outcome (the data puts the
                # controlling test last, e.g. after a band's range tests).
                decider = scratch_decider[child - first]
            if status != dominant and first_unknown >= 0:
                status = UNKNOWN
                decider = first_unknown
        scratch_status[node - first] = status
        scratch_decider[node - first] = decider


@jit_parallel
def evaluate_rules(row_values, row_valid, row_entry_mask, node_kind, node_param, node_op,
                   node_threshold, node_child_ptr, node_children, entry_node_ptr):
    """Evaluate every row against every entry it is checked against.

    Parameters
    ----------
    row_values : float64[n_rows, n_params]
        Parameter values in SI units.
    row_valid : bool[n_rows, n_params]
        Whether each value is present and usable.
    row_entry_mask : bool[n_rows, n_entries]
        Whether the row is checked against the entry (HS scope or declared entry).
    node_kind, node_param, node_op, node_threshold : arrays of length n_nodes
        Node kind, tested parameter column, comparator and SI threshold.
    node_child_ptr : int64[n_nodes + 1]
        CSR pointers into ``node_children`` for ALL/ANY nodes.
    node_children : int32[n_child_links]
        Child node ids.
    entry_node_ptr : int64[n_entries + 1]
        Entry ``e`` owns nodes ``entry_node_ptr[e]`` to ``entry_node_ptr[e + 1] - 1``; the last
        is its root.

    Returns
    -------
    status : int8[n_rows, n_entries]
        NOT_MET, MET or UNKNOWN; NOT_MET where the row is not checked against the entry.
    decider : int32[n_rows, n_entries]
        Node id of the test that decided the outcome, -1 where not checked.
    """
    n_rows = row_values.shape[0]
    n_entries = entry_node_ptr.shape[0] - 1
    status = np.zeros((n_rows, n_entries), dtype=np.int8)
    decider = np.full((n_rows, n_entries), -1, dtype=np.int32)
    widest = 1
    for e in range(n_entries):
        widest = max(widest, entry_node_ptr[e + 1] - entry_node_ptr[e])
    n_blocks = (n_rows + _ROW_BLOCK - 1) // _ROW_BLOCK
    for block in numba.prange(n_blocks):
        scratch_status = np.empty(widest, dtype=np.int8)
        scratch_decider = np.empty(widest, dtype=np.int32)
        for row in range(block * _ROW_BLOCK, min(n_rows, (block + 1) * _ROW_BLOCK)):
            for e in range(n_entries):
                if not row_entry_mask[row, e]:
                    continue
                first = entry_node_ptr[e]
                last = entry_node_ptr[e + 1]
                _evaluate_entry(row_values, row_valid, row, first, last, node_kind, node_param,
                                node_op, node_threshold, node_child_ptr, node_children,
                                scratch_status, scratch_decider)
                status[row, e] = scratch_status[last - 1 - first]
                decider[row, e] = scratch_decider[last - 1 - first]
    return status, decider

"""The matching algorithm's identity and parameters: one versioned unit.

Every number that changes a score lives here, under :data:`ALGORITHM_ID`; changing any of them
needs a new id, which also invalidates compiled name indexes cached under the old one.
"""

from __future__ import annotations

ALGORITHM_ID = "party-names-v9"
"""Versioned id of the matching algorithm; any change to scores needs a new id."""

FEATURE_WEIGHTS = (0.49, 0.0, 0.28, 0.15, 0.08)
"""Weights of jaro_winkler, levenshtein, query_cover, name_cover, token_order (sum 1).

Fitted on a training split of list entries (``benchmarks/bench_names_fit.py``); the
accuracy benchmark reports on the other entries.
"""

JW_MIN_LENGTH = 24
"""Names at least this long on both sides score at least their as-written Jaro-Winkler."""

ONE_EDIT_MIN_LENGTH = 3
"""Names one typo apart (spaces aside), both at least this long, score at least their JW."""

CONTAIN_COVERS = (0.97, 0.5)
"""One name's tokens all in the other, in order (cover >= first), the other covered at
least the second: the score is at least the Jaro-Winkler feature (a dropped middle name)."""

KEEP_RULES = (float(JW_MIN_LENGTH), float(ONE_EDIT_MIN_LENGTH), *CONTAIN_COVERS)
"""The kernel's ``keep_rules``: when a score is at least a Jaro-Winkler value."""

EVIDENCE_WEIGHTS = (0.02, 0.05, 0.03, 0.10, 0.10)
"""country bonus, country penalty, birth-year bonus, birth-year penalty, entity-type penalty."""

CANDIDATES_PER_QUERY = 32
"""List names kept from candidate generation for full scoring, per distinct query."""

MAX_POSTINGS_PER_QUERY = 5_000
"""Postings read per query, rarest keys first; the most common grams are skipped beyond it."""

MIN_CANDIDATE_OVERLAP = 0.2
"""Least share of a query's key weight a candidate must share to be scored at all."""

UNINFORMATIVE_CAP = 0.80
"""Highest score of an organisation match that shares only generic words or place names with
the list name (and not all its tokens): under the default review threshold (0.85)."""

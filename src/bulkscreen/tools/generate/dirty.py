"""Deliberately dirty rows (bad dates, bad country codes, missing names) to show quarantine.

Off by default. Each dirty row gets one problem in one column; every problem is recorded
(key, 1-based input row, column, written value, problem) so a test can check that exactly
these rows reach quarantine with the right reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

DIRTY_SCHEMA = pa.schema(
    [
        ("record_id", pa.string()),
        ("input_row", pa.int64()),
        ("column", pa.string()),
        ("value", pa.string()),
        ("problem", pa.string()),
    ]
)

BAD_DATE_TEXTS = ("2021-02-30", "31/12/2021", "2019-13-01", "next week", "20210315x")
BAD_COUNTRY_CODES = ("XX", "Japan", "C N", "12", "UK")


@dataclass(frozen=True)
class DirtyColumns:
    """Which columns of a table may be made dirty, and how.

    ``dates`` may get malformed text (CSV) or, if ``required_dates`` lists them, a missing
    value (Parquet, whose date type cannot hold bad text). ``countries`` get codes that are
    not ISO 3166-1 alpha-2; ``names`` (required) get emptied.
    """

    key: str
    dates: Sequence[str]
    required_dates: Sequence[str]
    countries: Sequence[str]
    names: Sequence[str]


def _problems_for(columns: DirtyColumns, text: bool) -> list[tuple[str, str]]:
    problems = [("bad_country", c) for c in columns.countries]
    problems += [("missing_name", c) for c in columns.names]
    dates = columns.dates if text else columns.required_dates
    problems += [("bad_date", c) for c in dates]
    return problems


def _dirty_value(problem: str, value, rng: np.random.Generator, text: bool):
    if problem == "missing_name":
        return None
    if problem == "bad_date":
        return BAD_DATE_TEXTS[int(rng.integers(len(BAD_DATE_TEXTS)))] if text else None
    code = BAD_COUNTRY_CODES[int(rng.integers(len(BAD_COUNTRY_CODES)))]
    if isinstance(value, list) or (text and value and "|" in value):
        return [code] if isinstance(value, list) else code
    return code


def inject_dirty(
    table: pa.Table,
    columns: DirtyColumns,
    rate: float,
    rng: np.random.Generator,
    *,
    text: bool,
    first_row: int,
) -> tuple[pa.Table, pa.Table]:
    """Spoil about ``rate`` of the rows of ``table``, one problem per row.

    Parameters
    ----------
    table
        One batch, either Arrow-typed (Parquet) or its text form (CSV, ``text=True``).
    columns
        Which columns may be spoiled.
    rate
        Share of rows to spoil, 0 to 1.
    rng
        Source of randomness.
    text
        Whether ``table`` is the text form.
    first_row
        1-based input row number of the batch's first row.

    Returns
    -------
    table, records
        The spoiled batch and one ``DIRTY_SCHEMA`` row per spoiled row.
    """
    n = table.num_rows
    rows = np.flatnonzero(rng.random(n) < rate)
    problems = _problems_for(columns, text)
    if not len(rows) or not problems:
        return table, DIRTY_SCHEMA.empty_table()
    choice = rng.integers(0, len(problems), len(rows))
    keys = table.column(columns.key)
    by_column: dict[str, list[tuple[int, str]]] = {}
    for row, k in zip(rows.tolist(), choice.tolist(), strict=True):
        problem, column = problems[k]
        by_column.setdefault(column, []).append((row, problem))
    records: list[dict] = []
    for column, spoiled in by_column.items():
        values = table.column(column).to_pylist()
        for row, problem in spoiled:
            values[row] = _dirty_value(problem, values[row], rng, text)
            written = values[row]
            if isinstance(written, list):
                written = "|".join(written)
            records.append(
                {
                    "record_id": keys[row].as_py(),
                    "input_row": first_row + row,
                    "column": column,
                    "value": written,
                    "problem": problem,
                }
            )
        index = table.column_names.index(column)
        field = table.schema.field(index)
        table = table.set_column(index, field.with_nullable(True),
                                 pa.array(values, type=field.type))
    records.sort(key=lambda r: r["input_row"])
    return table, pa.Table.from_pylist(records, schema=DIRTY_SCHEMA)

"""Row-level validation: raw input columns (text or native) to the registry's Arrow types.

Every column is coerced on its own, vectorised with polars, giving typed values plus a reason
per row (null when the value is fine). Rows with any reason are split off for quarantine with
the first failing column, its value and the reason; the others come out with exactly the
table's Arrow schema. Text forms follow ``columns.Column.text_form``: ISO dates (``/`` also
accepted, a midnight time part from Excel ignored), ``|``-separated lists, ``;``-separated
structured items (``name=value unit`` for parameters, ``a|b|c`` for other structs).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
import pyarrow as pa

from bulkscreen.columns import (
    AFFILIATION_KINDS,
    ALIAS_KINDS,
    ENTITY_TYPE_WORDS,
    ENTITY_TYPES,
    PARAMETER_TYPE,
    QUARANTINE,
    Column,
    Table,
)
from bulkscreen.io.countries import country_code_map, country_hint

ROW_COLUMN = "input_row"
"""Name of the 1-based data row number column added to every validated batch."""

LIST_SEPARATOR = "|"
ITEM_SEPARATOR = ";"
# A list cell written as one of these declares "none" (an empty list); an empty cell is unknown.
EMPTY_LIST_WORDS = ("-", "none")
FIELD_SEPARATOR = "|"

_COUNTRY_LISTS = frozenset({"nationalities", "countries"})
_ENUMS: dict[str, tuple[str, ...]] = {
    "entity_type": ENTITY_TYPES,
    "affiliations.kind": AFFILIATION_KINDS,
    "aliases.kind": ALIAS_KINDS,
}
_RANGES: dict[str, tuple[float, float]] = {"funding.income_share": (0.0, 1.0)}
_BOOL_TEXT = {
    "true": True, "false": False, "yes": True, "no": False, "1": True, "0": False,
    "t": True, "f": False, "y": True, "n": False,
}
_PARAMETER_PATTERN = (
    r"^(?P<name>[^=]+?)\s*=\s*(?P<value>[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)"
    r"\s*(?P<unit>.*?)$"
)
_MISSING = "required value is missing"

NAME_TEXT_FORM = "a name to screen: up to 1,000 characters with a letter or digit"
"""``Column.text_form`` of a column of names to screen (``screen parties --name``)."""

MAX_NAME_CHARS = 1000
"""Longest name screened; a longer cell is a paste of more than a name and is quarantined."""

# Columns (and struct fields) whose text is matched against the lists.
SCREENED_NAMES = frozenset({"consignee_name", "end_user_name", "full_name", "aliases",
                            "affiliations.organisation", "funding.payer"})
NO_LETTERS = ("has no letter or digit to screen (only punctuation, symbols, emoji or control "
              "characters); write the name, or leave the cell empty")

COUNTRY_TEXT_FORM = "ISO 3166-1 alpha-2 or alpha-3 code, or a country name ('Iraq')"
"""``Column.text_form`` of a country column that also accepts country names."""


ENTITY_TYPE_TEXT_FORM = "person or organisation (also organization, company, vessel, aircraft)"
"""``Column.text_form`` of a column of entity types (``screen parties --entity-type``)."""

BIRTH_TEXT_FORM = "a date of birth (YYYY-MM-DD) or a year of birth (YYYY)"
"""``Column.text_form`` of a column read as a year of birth (``screen parties --birth-date``)."""

BIRTH_YEARS = (1850, 2100)
"""Years of birth accepted; anything outside is a typo or a date in another field."""


def is_country_path(path: str) -> bool:
    """Return whether the column (or ``column.field``) at ``path`` holds ISO country codes."""
    leaf = path.rsplit(".", 1)[-1]
    return leaf.endswith("_country") or leaf == "country" or path in _COUNTRY_LISTS


def batch_schema(table: Table) -> pa.Schema:
    """Return the schema of validated batches: ``input_row`` then the table's columns.

    Parameters
    ----------
    table
        The input format.

    Returns
    -------
    pyarrow.Schema
    """
    return pa.schema([pa.field(ROW_COLUMN, pa.int64(), nullable=False),
                      *table.arrow_schema()])


@dataclass
class Checked:
    """A coerced column: typed values and a reason per row (null where the value is valid)."""

    values: pl.Series
    reasons: pl.Series


def _reasons_where(mask: pl.Series, reason: str) -> pl.Series:
    """Return ``reason`` where ``mask`` is true, else null."""
    frame = pl.DataFrame({"mask": mask.cast(pl.Boolean)})
    return frame.select(pl.when(pl.col("mask")).then(pl.lit(reason, pl.String))).to_series()


def _no_reasons(n: int) -> pl.Series:
    return pl.Series("reason", [None] * n, dtype=pl.String)


def _first_reason(*reasons: pl.Series) -> pl.Series:
    """Return, per row, the first non-null reason."""
    frame = pl.DataFrame({f"r{i}": r for i, r in enumerate(reasons)})
    return frame.select(pl.coalesce(pl.all())).to_series()


def _clean_text(s: pl.Series) -> pl.Series:
    """Strip whitespace; empty text means no value."""
    s = s.str.strip_chars()
    return pl.select(pl.when(s == "").then(None).otherwise(s)).to_series().alias(s.name)


def _bytes_as_text(s: pl.Series) -> pl.Series:
    """Bytes decoded as UTF-8 text; bytes that are not UTF-8 become null.

    Binary input columns are rare (a Parquet writer that stored text as bytes), so this
    decodes value by value; polars refuses the whole column on one bad value.
    """
    def decode(value: bytes | None) -> str | None:
        try:
            return None if value is None else value.decode("utf-8")
        except UnicodeDecodeError:
            return None

    return pl.Series(s.name, [decode(v) for v in s.to_list()], dtype=pl.String)


def _as_text(s: pl.Series) -> pl.Series:
    """Return ``s`` as text for messages (JSON for nested values)."""
    if s.dtype == pl.String:
        return s
    if s.dtype == pl.Binary:
        return _bytes_as_text(s)
    if s.dtype.is_nested():
        encoded = pl.DataFrame({"v": s}).select(pl.struct("v").struct.json_encode()).to_series()
        # Strip the wrapper object {"v": ... } that json_encode needs.
        return encoded.str.slice(5, None).str.slice(0, encoded.str.len_chars() - 6)
    return s.cast(pl.String)


def _country_names(values: list[str]) -> dict[str, str]:
    """Upper-cased country names (and codes) among ``values`` -> alpha-2 code, where known."""
    from bulkscreen.lists.countries import country_code

    found = {}
    for value in values:
        code = country_code(value)
        if code is not None:
            found[value.upper()] = code
    return found


def _coerce_country(text: pl.Series, present: pl.Series, names_ok: bool) -> Checked:
    """Country codes (and, if ``names_ok``, names) to upper-case alpha-2 codes."""
    upper = text.str.to_uppercase()
    mapping = country_code_map()
    if names_ok:
        unknown = upper.filter(present & ~upper.is_in(list(mapping))).unique().to_list()
        # One lookup per distinct name: a column of a million 'Iraq' costs one.
        mapping = {**mapping, **_country_names([v for v in unknown if v])}
    values = upper.replace_strict(mapping, default=None, return_dtype=pl.String)
    bad = present & values.is_null()
    reasons = _no_reasons(len(text))
    if bad.any():
        if names_ok:
            hints = {v: unknown_country(v) for v in text.filter(bad).unique().to_list()}
        else:
            hints = {v: f"not an ISO 3166-1 country code; {country_hint(v)}"
                     for v in text.filter(bad).unique().to_list()}
        reasons = text.replace_strict(hints, default=None, return_dtype=pl.String)
    return Checked(values, reasons)


def unknown_country(value: str) -> str:
    """Return the reason and fix for a value that is neither a country code nor a known name.

    Parameters
    ----------
    value
        The rejected value.

    Returns
    -------
    str
        ``"'Rusia' is neither ... known here; did you mean Russian Federation (RU)?"``.
    """
    from bulkscreen.lists.countries import nearest_countries, one_of

    nearest = nearest_countries(value)
    fix = (f"did you mean {one_of(nearest)}?" if nearest
           else "write a code such as 'IQ' or a name such as 'Iraq'")
    return f"{value!r} is neither an ISO 3166-1 country code nor a country name known here; {fix}"


def birth_year(value: object) -> int | None:
    """Return the year of a date of birth or a year of birth, or None when it is neither.

    Parameters
    ----------
    value
        A ``datetime.date``, an integer year, or text: ``YYYY``, ``YYYY-MM-DD`` or
        ``YYYY/MM/DD``.

    Returns
    -------
    int or None
        The year, when it lies in :data:`BIRTH_YEARS`.
    """
    import datetime as dt
    import re

    year = None
    if isinstance(value, dt.date):
        year = value.year
    elif isinstance(value, int) and not isinstance(value, bool):
        year = value
    elif isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d{4}", text):
            year = int(text)
        else:
            try:
                year = dt.date.fromisoformat(text.replace("/", "-")).year
            except ValueError:
                return None
    low, high = BIRTH_YEARS
    return year if year is not None and low <= year <= high else None


def _coerce_birth_year(s: pl.Series, present: pl.Series) -> Checked:
    """Dates or years of birth to int64 years."""
    if s.dtype == pl.Date or isinstance(s.dtype, pl.Datetime):
        years = s.dt.year().cast(pl.Int64)
    elif s.dtype.is_integer():
        years = s.cast(pl.Int64)
    else:
        text = _as_text(s).str.replace(r"[ T]00:00(?::00(?:\.0+)?)?$", "")
        text = text.str.replace(r"\.0$", "")  # a year read as a float from a spreadsheet
        as_year = text.str.extract(r"^(\d{4})$").cast(pl.Int64, strict=False)
        as_date = text.str.replace_all("/", "-").str.to_date("%Y-%m-%d", strict=False)
        years = as_year.fill_null(as_date.dt.year().cast(pl.Int64))
    low, high = BIRTH_YEARS
    years = pl.select(pl.when(years.is_between(low, high)).then(years)).to_series()
    reasons = _reasons_where(present & years.is_null(),
                             "not a date or year of birth; write YYYY-MM-DD (1978-06-01) or "
                             f"YYYY (1978), a year from {low} to {high}")
    return Checked(years.alias(s.name), reasons)


def _coerce_entity_type(text: pl.Series, present: pl.Series) -> Checked:
    """Entity-type words to the types of ``ENTITY_TYPES``."""
    values = text.str.to_lowercase().replace_strict(ENTITY_TYPE_WORDS, default=None,
                                                    return_dtype=pl.String)
    reasons = _reasons_where(present & values.is_null(),
                             f"not an entity type; write one of {', '.join(ENTITY_TYPE_WORDS)}")
    return Checked(values, reasons)


def check_names(text: pl.Series) -> pl.Series:
    """Reasons a name cannot be screened (null where it can), per value.

    A name must hold a letter or digit of some script and be at most
    :data:`MAX_NAME_CHARS` characters long; null (no name) is not checked here.

    Parameters
    ----------
    text
        Names, stripped, nulls for empty cells.

    Returns
    -------
    polars.Series
        Per value, null or the reason.
    """
    frame = pl.DataFrame({"t": text})
    return frame.select(
        pl.when(pl.col("t").is_null()).then(None)
        .when(~pl.col("t").str.contains(r"[\p{L}\p{N}]")).then(pl.lit(NO_LETTERS))
        .when(pl.col("t").str.len_chars() > MAX_NAME_CHARS).then(
            pl.lit("is ") + pl.col("t").str.len_chars().cast(pl.String)
            + pl.lit(f" characters long; names over {MAX_NAME_CHARS:,} characters are not "
                     "screened: put only the name in this column"))
    ).to_series().alias("reason")


def _coerce_scalar(s: pl.Series, dtype: pa.DataType, path: str,
                   country_names: bool = False, screened_name: bool = False,
                   text_form: str | None = None) -> Checked:
    """Coerce one scalar column (or struct field) at ``path`` to ``dtype``.

    ``country_names`` makes the column a country column that also accepts names;
    ``screened_name`` checks that each value is a name that can be screened;
    ``text_form`` :data:`BIRTH_TEXT_FORM` or :data:`ENTITY_TYPE_TEXT_FORM` reads years of
    birth or entity types. Bytes (a Parquet binary column) are read as UTF-8 text; values
    that are not are reasons.
    """
    if s.dtype != pl.Binary:
        return _coerce_value(s, dtype, path, (country_names, screened_name), text_form)
    text = _bytes_as_text(s)
    not_text = _reasons_where(s.is_not_null() & text.is_null(),
                              "bytes that are not UTF-8 text; store the column as text")
    checked = _coerce_value(text, dtype, path, (country_names, screened_name), text_form)
    return Checked(checked.values, _first_reason(not_text, checked.reasons))


def _coerce_value(s: pl.Series, dtype: pa.DataType, path: str, kinds: tuple[bool, bool],
                  text_form: str | None) -> Checked:
    """:func:`_coerce_scalar` for any input but bytes; ``kinds`` is (country names, name)."""
    country_names, screened_name = kinds
    if s.dtype == pl.Null:
        s = s.cast(pl.String)
    if s.dtype == pl.String:
        s = _clean_text(s)
    present = s.is_not_null()
    if text_form == BIRTH_TEXT_FORM:
        return _coerce_birth_year(s, present)
    if text_form == ENTITY_TYPE_TEXT_FORM:
        return _coerce_entity_type(_as_text(s), present)
    if pa.types.is_date(dtype):
        if s.dtype == pl.Date:
            values = s
        elif isinstance(s.dtype, pl.Datetime):
            values = s.dt.date()
        else:
            text = _as_text(s).str.replace(r"[ T]00:00(?::00(?:\.0+)?)?$", "")
            values = text.str.replace_all("/", "-").str.to_date("%Y-%m-%d", strict=False)
        reasons = _reasons_where(present & values.is_null(),
                                 "not a valid date; write it as YYYY-MM-DD, e.g. 2024-04-01")
        return Checked(values, reasons)
    if pa.types.is_floating(dtype) or pa.types.is_integer(dtype):
        target = pl.Float64 if pa.types.is_floating(dtype) else pl.Int64
        values = (s if s.dtype.is_numeric() else _as_text(s)).cast(target, strict=False)
        if path in _RANGES and s.dtype == pl.String:  # shares may be written as '30%'
            percent = s.str.strip_suffix("%").str.strip_chars().cast(pl.Float64, strict=False)
            is_percent = s.str.ends_with("%").fill_null(False)
            values = values.zip_with(~is_percent, percent / 100)
        bad = present & values.is_null()
        reasons = _reasons_where(bad, "not a number; write digits with '.' as the decimal "
                                 "point and no thousands separators")
        if target == pl.Float64:
            infinite = present & ~bad & ~values.is_finite().fill_null(True)
            reasons = _first_reason(reasons, _reasons_where(infinite, "not a finite number"))
            if path in _RANGES:
                low, high = _RANGES[path]
                outside = present & ~bad & ~values.is_between(low, high).fill_null(True)
                reasons = _first_reason(reasons, _reasons_where(
                    outside, f"must be between {low:g} and {high:g}"))
        return Checked(values, reasons)
    if pa.types.is_boolean(dtype):
        if s.dtype == pl.Boolean:
            return Checked(s, _no_reasons(len(s)))
        values = _as_text(s).str.to_lowercase().replace_strict(
            _BOOL_TEXT, default=None, return_dtype=pl.Boolean)
        reasons = _reasons_where(present & values.is_null(),
                                 "not a yes/no value; write true, false, yes, no, 1 or 0")
        return Checked(values, reasons)
    text = _as_text(s)
    if country_names or is_country_path(path):
        return _coerce_country(text, present, names_ok=country_names)
    if path in _ENUMS:
        allowed = _ENUMS[path]
        values = text.str.to_lowercase()
        reasons = _reasons_where(present & ~values.is_in(list(allowed)),
                                 f"must be one of: {', '.join(allowed)}")
        return Checked(values, reasons)
    if screened_name or path in SCREENED_NAMES:
        reasons = check_names(text)
        if reasons.null_count() < len(reasons):
            reasons = pl.DataFrame({"r": reasons}).select(
                pl.lit("the name ") + pl.col("r")).to_series()
        return Checked(text, reasons)
    return Checked(text, _no_reasons(len(s)))


def _row_index(n: int) -> pl.Series:
    return pl.Series("row", np.arange(n, dtype=np.int64))


def _declared_empty(s: pl.Series) -> pl.Series:
    """Rows that declare an empty list: an empty native list, or a cell saying 'none' / '-'."""
    if s.dtype == pl.String:
        return s.str.strip_chars().str.to_lowercase().is_in(EMPTY_LIST_WORDS).fill_null(False)
    return (s.is_not_null() & (s.list.len() == 0)).fill_null(False)


def _explode(s: pl.Series, separator: str) -> pl.DataFrame:
    """One row per non-empty item: ``row`` (position in ``s``) and ``item``."""
    if s.dtype == pl.String:
        s = pl.DataFrame({"s": s, "empty": _declared_empty(s)}).select(
            pl.when(~pl.col("empty")).then(pl.col("s"))).to_series()
    items = s.str.split(separator) if s.dtype == pl.String else s
    frame = pl.DataFrame({"row": _row_index(len(s)), "item": items}).explode("item")
    if frame["item"].dtype == pl.String:
        frame = frame.with_columns(pl.col("item").str.strip_chars())
        return frame.filter(pl.col("item").is_not_null() & (pl.col("item") != ""))
    return frame.filter(pl.col("item").is_not_null())


def _gather(items: pl.DataFrame, n: int, empty: pl.Series | None = None) -> Checked:
    """Collect per-item ``value`` and ``reason`` back into one list and reason per row.

    Rows with no item are null (unknown), except the rows ``empty`` marks as declaring none.
    """
    grouped = items.group_by("row", maintain_order=True).agg(
        pl.col("value"), pl.col("reason").drop_nulls().first())
    full = pl.DataFrame({"row": _row_index(n)}).join(grouped, on="row", how="left",
                                                     maintain_order="left")
    values = full["value"]
    if empty is not None and empty.any():
        empty_list = pl.Series([[]], dtype=values.dtype).new_from_index(0, n)
        values = pl.DataFrame({"v": values, "e": empty, "z": empty_list}).select(
            pl.when(pl.col("e") & pl.col("v").is_null()).then(pl.col("z"))
            .otherwise(pl.col("v"))).to_series().alias(values.name)
    return Checked(values, full["reason"].cast(pl.String))


def _coerce_string_list(s: pl.Series, column: Column) -> Checked:
    items = _explode(s, LIST_SEPARATOR)
    checked = _coerce_scalar(items["item"], column.type.value_type, column.name)
    reasons = checked.reasons
    if is_country_path(column.name):
        frame = pl.DataFrame({"item": _as_text(items["item"]), "reason": reasons})
        # An item holding ';', ',' or '/' is most often several values with the wrong separator.
        joined = pl.col("item").str.contains(r"[;,/]").fill_null(False)
        # Null reasons stay null: concatenation with null is null.
        reasons = frame.select(
            "item '" + pl.col("item") + "': " + pl.col("reason")
            + pl.when(joined).then(pl.lit(f"; separate several values with '{LIST_SEPARATOR}'"))
            .otherwise(pl.lit(""))).to_series()
    return _gather(items.with_columns(value=checked.values, reason=reasons), len(s),
                   _declared_empty(s))


def _struct_item_fields(items: pl.DataFrame, struct: pa.StructType) -> pl.DataFrame:
    """Split text items into one string column per struct field, plus a parse ``reason``."""
    names = [struct.field(i).name for i in range(struct.num_fields)]
    if items["item"].dtype != pl.String:  # already structured (Parquet): take the fields
        fields = items["item"].struct.unnest()
        missing = [n for n in names if n not in fields.columns]
        frame = fields.with_columns(pl.lit(None, pl.String).alias(n) for n in missing)
        return frame.select(names).with_columns(reason=pl.lit(None, pl.String))
    item = items["item"]
    if struct.equals(PARAMETER_TYPE):
        parts = item.str.extract_groups(_PARAMETER_PATTERN).struct.unnest()
        bad = parts["name"].is_null()
        return parts.with_columns(reason=pl.DataFrame({"bad": bad, "item": item}).select(
            pl.when(pl.col("bad")).then("parameter '" + pl.col("item")
                                        + "' is not written as 'name=value unit'")).to_series())
    parts = item.str.split(FIELD_SEPARATOR)
    frame = pl.DataFrame({n: parts.list.get(i, null_on_oob=True) for i, n in enumerate(names)})
    reason = pl.DataFrame({"n": parts.list.len(), "item": item}).select(
        pl.when(pl.col("n") > len(names)).then(
            "item '" + pl.col("item") + f"' has more than {len(names)} parts; write it as '"
            + FIELD_SEPARATOR.join(names) + "'")).to_series()
    return frame.with_columns(reason=reason)


def _coerce_struct_list(s: pl.Series, column: Column) -> Checked:
    struct = column.type.value_type
    items = _explode(s, ITEM_SEPARATOR)
    fields = _struct_item_fields(items, struct)
    values = {}
    reasons = [fields["reason"]]
    for i in range(struct.num_fields):
        field = struct.field(i)
        raw = fields[field.name]
        if raw.dtype == pl.String:
            raw = _clean_text(raw)
        checked = _coerce_scalar(raw, field.type, f"{column.name}.{field.name}")
        values[field.name] = checked.values
        reasons.append(pl.DataFrame({"r": checked.reasons})
                       .select(f"{column.name} {field.name}: " + pl.col("r")).to_series())
        if i == 0:  # the first field names the item; an item without it is meaningless
            reasons.append(_reasons_where(raw.is_null(), f"{field.name} is missing in an item"))
    reason = _first_reason(*reasons)
    value = pl.DataFrame(values).select(pl.struct(list(values))).to_series()
    return _gather(items.select("row").with_columns(value=value, reason=reason), len(s),
                   _declared_empty(s))


def coerce_column(raw: pl.Series, column: Column) -> Checked:
    """Coerce one input column to the registry type of ``column``.

    Parameters
    ----------
    raw
        Values as read: text from CSV, Excel and JSONL; native types from Parquet.
    column
        The registry column.

    Returns
    -------
    Checked
        Typed values and, per row, null or the reason the value is invalid.
    """
    dtype = column.type
    if raw.dtype == pl.Null:
        # An all-null column (Parquet null type) has no list or struct to explode: read it
        # as empty text, which every coercion accepts.
        raw = raw.cast(pl.String)
    if pa.types.is_list(dtype) and pa.types.is_struct(dtype.value_type):
        checked = _coerce_struct_list(raw, column)
    elif pa.types.is_list(dtype):
        checked = _coerce_string_list(raw, column)
    else:
        checked = _coerce_scalar(raw, dtype, column.name,
                                 country_names=column.text_form == COUNTRY_TEXT_FORM,
                                 screened_name=column.text_form == NAME_TEXT_FORM,
                                 text_form=column.text_form)
    if column.required:
        missing = checked.values.is_null() & checked.reasons.is_null()
        checked = Checked(checked.values,
                          _first_reason(checked.reasons, _reasons_where(missing, _MISSING)))
    return checked


def split_valid(
    raw: pl.DataFrame,
    mapped: pl.DataFrame,
    table: Table,
    rows: np.ndarray,
    source_file: str,
) -> tuple[pa.RecordBatch, pa.RecordBatch]:
    """Validate one batch and split it into valid rows and quarantine rows.

    Parameters
    ----------
    raw
        The batch as read, with the file's own column names (kept whole in ``raw_row``).
    mapped
        The same rows with the table's column names (missing optional columns as nulls).
    table
        The input format.
    rows
        1-based data row numbers of the batch's rows.
    source_file
        File name for the quarantine rows.

    Returns
    -------
    tuple of pyarrow.RecordBatch
        Valid rows with :func:`batch_schema`, and QUARANTINE rows.
    """
    checked = {col.name: coerce_column(mapped[col.name], col) for col in table.columns}
    reasons = pl.DataFrame({name: c.reasons for name, c in checked.items()})
    bad = reasons.select(pl.any_horizontal(pl.all().is_not_null())).to_series()
    good_values = pl.DataFrame({ROW_COLUMN: rows, **{n: c.values for n, c in checked.items()}})
    good = good_values.filter(~bad).to_arrow(compat_level=pl.CompatLevel.oldest())
    good_batch = pa.RecordBatch.from_arrays(
        [good.column(f.name).combine_chunks().cast(f.type) for f in batch_schema(table)],
        schema=batch_schema(table))
    if not bad.any():
        return good_batch, pa.RecordBatch.from_pylist([], schema=QUARANTINE.arrow_schema())
    names = list(checked)
    bad_reasons = reasons.filter(bad)
    texts = pl.DataFrame({n: _as_text(mapped[n]) for n in names}).filter(bad)
    summary = pl.concat([bad_reasons, texts.rename(lambda n: f"text:{n}")], how="horizontal")
    failing = pl.concat_list(pl.when(pl.col(n).is_not_null()).then(pl.lit(n)) for n in names)
    summary = summary.select(
        column=pl.coalesce(pl.when(pl.col(n).is_not_null()).then(pl.lit(n)) for n in names),
        value=pl.coalesce(pl.when(pl.col(n).is_not_null()).then(pl.col(f"text:{n}"))
                          for n in names),
        first_reason=pl.coalesce(pl.col(n) for n in names),
        others=failing.list.drop_nulls().list.slice(1).list.join(", "),
    )
    reason = summary.select(
        pl.when(pl.col("others") != "")
        .then(pl.col("first_reason") + " (also invalid: " + pl.col("others") + ")")
        .otherwise(pl.col("first_reason"))).to_series()
    kept = raw.filter(bad)
    # JSON has no bytes: a binary column is kept as text, bad bytes as \x escapes.
    kept = kept.with_columns(
        pl.Series(name, [None if v is None else v.decode("utf-8", "backslashreplace")
                         for v in kept[name].to_list()], dtype=pl.String)
        for name, dtype in kept.schema.items() if dtype == pl.Binary)
    raw_row = kept.select(pl.struct(pl.all()).struct.json_encode()).to_series()
    quarantine = pa.RecordBatch.from_pydict(
        {
            "source_file": pa.array([source_file] * len(reason), pa.string()),
            "input_row": pa.array(rows[bad.to_numpy()], pa.int64()),
            "column": summary["column"].to_arrow().cast(pa.string()),
            "value": summary["value"].to_arrow().cast(pa.string()),
            "reason": reason.to_arrow().cast(pa.string()),
            "raw_row": raw_row.to_arrow().cast(pa.string()),
        },
        schema=QUARANTINE.arrow_schema(),
    )
    return good_batch, quarantine

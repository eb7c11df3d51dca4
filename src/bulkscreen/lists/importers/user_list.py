"""A user's own list (e.g. an internal denied-party list): any CSV, Parquet or Excel file.

A column map names, for each snapshot column, the file's column that holds it
(``{"primary_name": "Company", "countries": "Country"}``). Only ``primary_name`` is required.
Multi-valued columns (aliases, countries, addresses, birth_dates, programs) are
``|``-separated; dates are YYYY-MM-DD; countries are names or ISO codes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path

from bulkscreen.errors import ListDataError, Location
from bulkscreen.lists.catalog import Catalog, ListVersion
from bulkscreen.lists.countries import country_code
from bulkscreen.lists.records import Entry, clean_text

MAPPABLE = ("entry_id", "primary_name", "entity_type", "aliases", "countries", "addresses",
            "birth_dates", "programs", "listed_from", "listed_to", "remarks")
_TYPES = {"person": "person", "individual": "person", "organisation": "organisation",
          "organization": "organisation", "entity": "organisation", "company": "organisation",
          "vessel": "vessel", "ship": "vessel", "aircraft": "aircraft"}


def _read_rows(path: Path) -> tuple[list[dict[str, str | None]], dict[str, str]]:
    """The rows as text, and the columns holding lists or records (name -> type)."""
    import polars as pl

    from bulkscreen.errors import InputError
    from bulkscreen.io.sources import require_workbook

    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            frame = pl.read_parquet(path)
        elif suffix in (".xlsx", ".xlsm", ".xls"):
            try:
                require_workbook(path)
            except InputError as exc:
                raise ListDataError(exc.message, Location(file=str(path)), exc.hint) from None
            frame = pl.read_excel(path, infer_schema_length=0)
        elif suffix == ".ods":
            frame = pl.read_excel(path, infer_schema_length=0)
        else:
            data = path.read_bytes()
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                from charset_normalizer import from_bytes

                best = from_bytes(data).best()
                if best is None:
                    raise ListDataError("cannot tell the text encoding",
                                        Location(file=str(path)),
                                        hint="save the file as UTF-8") from None
                text = str(best)
            try:
                frame = pl.read_csv(text.encode("utf-8"), infer_schema=False)
            except pl.exceptions.ComputeError:
                _refuse_ragged(text, path)
                raise
    except ListDataError:
        raise
    except FileNotFoundError as exc:
        raise ListDataError("file not found", Location(file=str(path)),
                            hint="check the path of the list file") from exc
    except Exception as exc:
        raise ListDataError(f"cannot read the list file: {exc}", Location(file=str(path)),
                            hint="use CSV (UTF-8), Parquet or Excel") from exc
    nested = {name: str(dtype) for name, dtype in frame.schema.items() if dtype.is_nested()}
    rows = [{k: (None if v is None else str(v)) for k, v in row.items()}
            for row in frame.iter_rows(named=True)]
    return rows, nested


def _refuse_ragged(text: str, path: Path) -> None:
    """Name the first record whose field count differs from the header's, if there is one."""
    import csv
    import io

    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    for number, record in enumerate(reader, 1):
        if record and len(record) != len(header):
            raise ListDataError(
                f"row {number} has {len(record)} fields, the header has {len(header)}",
                Location(file=str(path), row=number, line=reader.line_num),
                hint="quote values that contain ',' or remove the extra fields")


def _date(text: str, path: Path, row: int, column: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError as exc:
        raise ListDataError(f"{text!r} is not a date", Location(file=str(path), row=row,
                                                                 column=column),
                            hint="write dates as YYYY-MM-DD") from exc


def read_user_entries(path: Path, column_map: Mapping[str, str]) -> list[Entry]:
    """Read a user list file into entries using ``column_map`` (snapshot column -> file column).

    Raises
    ------
    ListDataError
        On an unknown target column, a mapped column missing from the file, an empty name,
        an unknown country or a bad date; the error names file, row and column.
    """
    path = Path(path)
    unknown = sorted(set(column_map) - set(MAPPABLE))
    if unknown:
        raise ListDataError(f"cannot map to {unknown}", Location(file=str(path)),
                            hint="map to any of " + ", ".join(MAPPABLE))
    if "primary_name" not in column_map:
        raise ListDataError("no column is mapped to primary_name", Location(file=str(path)),
                            hint="give primary_name=<column holding the name>")
    rows, nested = _read_rows(path)
    present = set(rows[0]) if rows else set()
    missing = [src for src in column_map.values() if rows and src not in present]
    if missing:
        raise ListDataError(f"columns {missing} are not in the file", Location(file=str(path)),
                            hint="columns found: " + ", ".join(sorted(present)))
    for source in column_map.values():
        if source in nested:
            raise ListDataError(f"column {source!r} holds {nested[source]}, not text",
                                Location(file=str(path), column=source),
                                hint="store the column as text; separate several values "
                                "with '|'")
    entries = []
    names: list[tuple[int, str, str]] = []  # (row, column, name) of every name and alias
    for number, row in enumerate(rows, 1):
        def get(target: str, row: dict[str, str | None] = row) -> str:
            source = column_map.get(target)
            return clean_text(row.get(source)) if source else ""

        def many(target: str) -> list[str]:
            return [clean_text(p) for p in get(target).split("|") if clean_text(p)]

        name = get("primary_name")
        if not name:
            raise ListDataError("empty name", Location(file=str(path), row=number,
                                                       column=column_map["primary_name"]),
                                hint="fill in the name or delete the row")
        names.append((number, column_map["primary_name"], name))
        names.extend((number, column_map["aliases"], a) for a in many("aliases"))
        entry = Entry(entry_id=get("entry_id") or str(number), primary_name=name,
                      entity_type=_TYPES.get(get("entity_type").lower(), "unknown"),
                      addresses=many("addresses"), birth_dates=many("birth_dates"),
                      programs=many("programs"), remarks=get("remarks") or None)
        for alias in many("aliases"):
            entry.add_alias(alias, "aka")
        for country in many("countries"):
            code = country_code(country)
            if code is None:
                raise ListDataError(f"unknown country {country!r}",
                                    Location(file=str(path), row=number,
                                             column=column_map["countries"]),
                                    hint="write an ISO 3166-1 alpha-2 code such as 'RU'")
            entry.add_country(code)
        for target in ("listed_from", "listed_to"):
            if get(target):
                setattr(entry, target, _date(get(target), path, number, column_map[target]))
        entries.append(entry)
    _refuse_unscreenable(names, path)
    _refuse_duplicate_ids(entries, path, column_map.get("entry_id"))
    return entries


def _refuse_unscreenable(names: list[tuple[int, str, str]], path: Path) -> None:
    """Refuse a list name screening could never match, by the rule screened inputs follow."""
    import polars as pl

    from bulkscreen.io.validate import check_names

    if not names:
        return
    reasons = check_names(pl.Series([text for _, _, text in names], dtype=pl.String))
    bad = reasons.is_not_null().arg_true()
    if len(bad):
        row, column, _ = names[bad[0]]
        raise ListDataError(f"the name {reasons[bad[0]]}", Location(file=str(path), row=row,
                                                                  column=column),
                            hint="correct the name, or delete the row")


def _refuse_duplicate_ids(entries: list[Entry], path: Path, column: str | None) -> None:
    """Refuse two rows under one entry id: their hits could not be told apart.

    Without a mapped id column every row's id is its row number, so none repeat.
    """
    rows: dict[str, list[int]] = {}
    for number, entry in enumerate(entries, 1):
        rows.setdefault(entry.entry_id, []).append(number)
    repeated = {entry_id: numbers for entry_id, numbers in rows.items() if len(numbers) > 1}
    if not repeated:
        return
    entry_id, numbers = next(iter(repeated.items()))
    more = f" ({len(repeated) - 1} more ids repeat too)" if len(repeated) > 1 else ""
    rows_text = ", ".join(str(n) for n in numbers)
    if path.suffix.lower() != ".parquet":  # a header line comes first
        rows_text += f" (file lines {', '.join(str(n + 1) for n in numbers)})"
    raise ListDataError(
        f"entry id {entry_id!r} is used by rows {rows_text}{more}",
        Location(file=str(path), row=numbers[1], column=column),
        hint="give each party its own id; if the rows are one party, make them one row with "
        "the other names as aliases separated by '|'")


def read(version: ListVersion, catalog: Catalog) -> Iterable[Entry]:
    """Import a user list version (``[importer] file`` and ``[importer.column_map]``)."""
    return read_user_entries(version.file(version.importer["file"]),
                             dict(version.importer.get("column_map", {})))

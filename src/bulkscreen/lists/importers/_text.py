"""Reading list source files as text and CSV rows, with errors that name file and line."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from bulkscreen.errors import ListDataError, Location


def read_text(path: Path, encoding: str = "utf-8") -> str:
    """Return the text of a list file, without a BOM or a trailing DOS end-of-file mark.

    Raises
    ------
    ListDataError
        If the file is missing or not valid in ``encoding``; names the line of the bad byte.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ListDataError(f"cannot read list file: {exc.strerror}", Location(file=str(path)),
                            hint="restore the file or fix its name in source.toml") from exc
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ListDataError(
            f"byte {data[exc.start]:#04x} is not valid {encoding}", Location(file=str(path),
                                                                              line=line),
            hint="set the right `encoding` under [importer] in source.toml") from exc
    return text.removeprefix("\ufeff").rstrip("\x1a")


def csv_rows(path: Path, encoding: str = "utf-8", delimiter: str = ",",
             min_fields: int = 1) -> Iterator[tuple[int, list[str]]]:
    """Yield (line number, fields) of every non-blank CSV row.

    Raises
    ------
    ListDataError
        If a row has fewer than ``min_fields`` fields or the CSV is malformed.
    """
    reader = csv.reader(io.StringIO(read_text(path, encoding), newline=""), delimiter=delimiter)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ListDataError(f"malformed CSV: {exc}",
                                Location(file=str(path), line=reader.line_num),
                                hint="check the quoting of this line") from exc
        if not row or all(not field.strip() for field in row):
            continue
        if len(row) < min_fields:
            raise ListDataError(
                f"{len(row)} fields where at least {min_fields} are expected",
                Location(file=str(path), line=reader.line_num),
                hint="the file is truncated or not in this list's layout")
        yield reader.line_num, row

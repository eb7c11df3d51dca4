"""Property-based fuzzing of the readers and the name normaliser.

Whatever the bytes, a reader either raises an error of the documented tree
(:class:`~bulkscreen.errors.BulkscreenError`) or accounts for every row: read = yielded +
quarantined, and read = the rows written. Normalising a normalised name changes nothing.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bulkscreen.errors import BulkscreenError, ListDataError
from bulkscreen.io.quarantine import QuarantineSink
from bulkscreen.io.readers import open_batches
from bulkscreen.lists.importers.user_list import read_user_entries
from bulkscreen.normalize import normalize_name

from .conftest import parties_table

FUZZ = settings(max_examples=40, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])
# Hostile characters on purpose: separators, quotes, CR/LF, NUL and other controls, BOM,
# zero-width and bidi marks, surrogate-free astral symbols and several scripts.
TEXT = st.text(alphabet=st.sampled_from(list(",;|\"'\t\r\n \x00\x01\x7f\ufeff\u200b\u202e"
                                             "aZ09é株ア가Ж🙂=+-@<>&")), max_size=12)
TABLE = parties_table(["company"], {"company": "country"})


def _read_all(path: Path, fmt: str | None = None) -> tuple[int, int, int]:
    with tempfile.TemporaryDirectory() as scratch, \
            QuarantineSink(Path(scratch) / "q.parquet") as sink:
        stream = open_batches(path, TABLE, quarantine=sink, batch_size=7, fmt=fmt)
        yielded = sum(batch.num_rows for batch in stream)
        return stream.rows_read, yielded, sink.rows


@FUZZ
@given(rows=st.lists(st.tuples(TEXT, TEXT, TEXT), min_size=1, max_size=25),
       crlf=st.booleans(), bom=st.booleans())
def test_csv_reader_loses_no_row(rows, crlf, bom):
    buffer = io.StringIO()
    # The csv module leaves a lone CR unquoted when lines end in LF; readers rightly take
    # that CR for a line break, so such files are written fully quoted.
    lone_cr = any("\r" in value for row in rows for value in row)
    writer = csv.writer(buffer, lineterminator="\r\n" if crlf else "\n",
                        quoting=csv.QUOTE_ALL if lone_cr else csv.QUOTE_MINIMAL)
    writer.writerow(["record_id", "company", "country"])
    writer.writerows(rows)
    data = ("\ufeff" if bom else "") + buffer.getvalue()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.csv"
        path.write_bytes(data.encode("utf-8"))
        try:
            read, yielded, quarantined = _read_all(path)
        except BulkscreenError:
            return
    assert read == yielded + quarantined
    # A record of only empty fields still has its separators, so none is a blank line.
    assert read == len(rows)


# pyarrow decodes a ragged row's text before handing it over; bytes that are not valid in
# the file's encoding make that decode fail inside pyarrow, which then stops the read with
# an error the reader reports (an InputError), after printing the decode failure.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@FUZZ
@given(body=st.binary(max_size=300) | TEXT.map(lambda t: t.encode("utf-8")),
       quote=st.booleans())
def test_csv_reader_on_raw_bytes_raises_a_documented_error_or_counts_every_row(body, quote):
    data = b"record_id,company,country\n" + (b'1,"open quote\n' if quote else b"") + body
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "raw.csv"
        path.write_bytes(data)
        try:
            read, yielded, quarantined = _read_all(path)
        except BulkscreenError:
            return
    assert read == yielded + quarantined


JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | TEXT
                           | st.floats(allow_nan=False),
                           lambda inner: st.lists(inner, max_size=3), max_leaves=5)


@FUZZ
@given(records=st.lists(st.dictionaries(st.sampled_from(["record_id", "company", "country",
                                                         "other"]), JSON_VALUES),
                        min_size=1, max_size=20),
       garbage=st.lists(TEXT.filter(lambda t: t.strip() != ""), max_size=3))
def test_jsonl_reader_loses_no_row(records, garbage):
    lines = [json.dumps({"company": "seed", "country": None, **records[0]})]
    lines += [json.dumps(r, ensure_ascii=bool(i % 2)) for i, r in enumerate(records[1:])]
    lines += [g.replace("\n", " ").replace("\r", " ") for g in garbage]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.jsonl"
        path.write_bytes("\n".join(lines).encode("utf-8"))
        nonblank = sum(1 for raw in path.read_bytes().split(b"\n") if raw.strip())
        try:
            read, yielded, quarantined = _read_all(path)
        except BulkscreenError:
            return
    assert read == yielded + quarantined == nonblank


@FUZZ
@given(rows=st.lists(st.tuples(TEXT, TEXT), min_size=1, max_size=15))
def test_list_reader_refuses_or_keeps_every_row(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Ref", "Company"])
    writer.writerows(rows)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "list.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8")
        try:
            entries = read_user_entries(path, {"entry_id": "Ref", "primary_name": "Company"})
        except ListDataError as exc:
            assert exc.where.file == str(path) and exc.hint
            return
    assert len(entries) == len(rows)
    assert len({e.entry_id for e in entries}) == len(entries)


NAMES = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30) | \
    st.text(alphabet=st.sampled_from(list("AaBbKk .,-'&()株式会社アイウエオーｶﾞÄéŁЖЯ가李\u200b\t")),
            max_size=30)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(name=NAMES, kind=st.sampled_from([None, "person", "organisation", "unknown"]))
def test_name_normalisation_is_idempotent(name, kind):
    once = normalize_name(name, kind).text
    assert normalize_name(once, kind).text == once


SINGLE_FILE_LISTS = ["un-consolidated", "jp-meti-eul", "jp-meti-by-tokutei", "us-bis-dpl",
                     "us-csl-sample", "uk-ofsi-conlist-sample"]


@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(list_id=st.sampled_from(SINGLE_FILE_LISTS), cut=st.floats(0.0, 1.0),
       noise=st.binary(max_size=40), at=st.floats(0.0, 1.0))
def test_list_importers_refuse_damaged_files_with_a_list_data_error(list_id, cut, noise, at):
    # A truncated download with some bytes overwritten: read it whole, or refuse it.
    import dataclasses

    from bulkscreen.lists.catalog import bundled_catalog, file_sha256
    from bulkscreen.lists.snapshot import build_snapshot

    catalog = bundled_catalog()
    version = catalog.get(list_id, catalog.versions(list_id)[0].version)
    name = version.importer["file"]
    data = version.file(name).read_bytes()
    data = data[: max(1, int(len(data) * cut))]
    spot = int(len(data) * at)
    data = data[:spot] + noise + data[spot + len(noise):]
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / name
        copy.write_bytes(data)
        damaged = dataclasses.replace(version, path=Path(folder),
                                      files={name: file_sha256(copy)})
        try:
            table = build_snapshot(damaged, catalog)
        except ListDataError as exc:
            assert exc.hint
            return
    assert table.num_rows >= 0

"""Readers: every format, column mapping, and each kind of bad input (error or quarantine)."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bulkscreen.columns import PERSONS, SHIPMENTS
from bulkscreen.errors import InputEncodingError, InputError, InputSchemaError
from bulkscreen.io.quarantine import QuarantineSink
from bulkscreen.io.readers import open_batches
from bulkscreen.io.validate import batch_schema

HEADER = ("shipment_id,shipment_date,consignee_name,consignee_country,destination_country,"
          "parameters,value_jpy")
GOOD = "S1,2024-04-01,Acme Trading,JP,CN,positioning_accuracy=3.5 um; axes=5,1200000"


def _read(path, table=SHIPMENTS, **kwargs):
    """Read everything; return (valid rows, quarantine rows, stream)."""
    qpath = path.with_name(path.name + ".q.parquet")
    with QuarantineSink(qpath) as sink:
        stream = open_batches(path, table, quarantine=sink, **kwargs)
        rows = [r for batch in stream for r in batch.to_pylist()]
    return rows, pq.read_table(qpath).to_pylist(), stream


def _csv(tmp_path, lines, name="in.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def test_csv_rows_are_parsed_to_registry_types(tmp_path):
    rows, bad, stream = _read(_csv(tmp_path, [HEADER, GOOD]))
    assert bad == []
    assert rows[0]["shipment_date"] == dt.date(2024, 4, 1)
    assert rows[0]["parameters"] == [
        {"name": "positioning_accuracy", "value": 3.5, "unit": "um"},
        {"name": "axes", "value": 5.0, "unit": None}]
    assert rows[0]["value_jpy"] == 1_200_000.0
    assert rows[0]["input_row"] == 1
    assert stream.format == "csv" and stream.encoding == "utf-8"


def test_validated_batches_have_exactly_the_batch_schema(tmp_path):
    stream = open_batches(_csv(tmp_path, [HEADER, GOOD]), SHIPMENTS)
    assert next(stream).schema == batch_schema(SHIPMENTS)


def test_cp932_csv_with_japanese_names_round_trips(tmp_path):
    name = "株式会社東京精密機械（テスト）"
    path = _csv(tmp_path, [HEADER, GOOD.replace("Acme Trading", name)], encoding="cp932")
    rows, _, stream = _read(path)
    assert stream.encoding == "cp932"
    assert rows[0]["consignee_name"] == name
    rows_given, _, _ = _read(path, encoding="Shift_JIS")
    assert rows_given[0]["consignee_name"] == name


def test_cp932_read_as_utf8_names_the_line(tmp_path):
    path = _csv(tmp_path, [HEADER, GOOD, GOOD.replace("Acme", "東京")], encoding="cp932")
    with pytest.raises(InputEncodingError) as info:
        _read(path, encoding="utf-8")
    assert info.value.where.line == 3
    assert "utf-8" in info.value.render()


def test_file_mixing_encodings_names_the_line(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(f"{HEADER}\n{GOOD.replace('Acme', '東京')}\n".encode()
                     + f"{GOOD.replace('Acme', '大阪')}\n".encode("cp932"))
    with pytest.raises(InputEncodingError) as info:
        _read(path)
    assert info.value.where.line == 3
    assert "mixes encodings" in info.value.message


def test_missing_column_names_nearest_header_and_map_fix(tmp_path):
    path = _csv(tmp_path, [HEADER.replace("consignee_name", "consignee"),
                           GOOD])
    with pytest.raises(InputSchemaError) as info:
        open_batches(path, SHIPMENTS)
    text = info.value.render()
    assert "'consignee_name'" in text and "did you mean 'consignee'" in text
    assert "--map consignee_name=consignee" in text
    assert str(path) in text


def test_column_map_and_loose_header_match(tmp_path):
    path = _csv(tmp_path, [HEADER.replace("consignee_name", "Buyer")
                           .replace("shipment_id", "Shipment ID"), GOOD])
    rows, _, stream = _read(path, column_map={"consignee_name": "Buyer"})
    assert rows[0]["consignee_name"] == "Acme Trading"
    assert rows[0]["shipment_id"] == "S1"
    assert stream.sources["shipment_id"] == "Shipment ID"


def test_extra_columns_are_ignored_and_listed(tmp_path):
    path = _csv(tmp_path, [HEADER + ",internal_note", GOOD + ",keep me"])
    rows, _, stream = _read(path)
    assert "internal_note" not in rows[0]
    assert stream.ignored_columns == ["internal_note"]


@pytest.mark.parametrize(
    ("column", "old", "new", "reason_part"),
    [
        ("value_jpy", "1200000", "abc", "not a number"),
        ("shipment_date", "2024-04-01", "2024-02-30", "not a valid date"),
        ("consignee_country", ",JP,", ",Japan,", "'JP' (Japan)"),
        ("consignee_name", "Acme Trading", "", "required value is missing"),
        ("parameters", "axes=5", "axes five", "not written as 'name=value unit'"),
    ],
)
def test_bad_value_is_quarantined_with_column_and_reason(tmp_path, column, old, new,
                                                         reason_part):
    path = _csv(tmp_path, [HEADER, GOOD, GOOD.replace(old, new), GOOD])
    rows, bad, _ = _read(path)
    assert [r["input_row"] for r in rows] == [1, 3]
    assert len(bad) == 1
    assert bad[0]["input_row"] == 2 and bad[0]["column"] == column
    assert reason_part in bad[0]["reason"]
    assert json.loads(bad[0]["raw_row"])["shipment_id"] == "S1"
    assert bad[0]["source_file"] == str(path)


def test_country_codes_accept_any_case_and_alpha3(tmp_path):
    path = _csv(tmp_path, [HEADER, GOOD.replace(",JP,CN,", ",jp,CHN,")])
    rows, bad, _ = _read(path)
    assert bad == []
    assert (rows[0]["consignee_country"], rows[0]["destination_country"]) == ("JP", "CN")


def test_ragged_line_is_quarantined_and_numbering_stays_right(tmp_path):
    path = _csv(tmp_path, [HEADER, GOOD, GOOD + ",surplus", GOOD.replace("S1", "S3")])
    rows, bad, stream = _read(path)
    assert [(r["input_row"], r["shipment_id"]) for r in rows] == [(1, "S1"), (3, "S3")]
    assert bad[0]["input_row"] == 2 and "8 fields" in bad[0]["reason"]
    assert "surplus" in bad[0]["raw_row"]
    assert stream.rows_read == 3


def test_without_quarantine_first_bad_row_raises(tmp_path):
    path = _csv(tmp_path, [HEADER, GOOD.replace("1200000", "abc")])
    with pytest.raises(InputError) as info:
        list(open_batches(path, SHIPMENTS))
    assert info.value.where.row == 1 and info.value.where.column == "value_jpy"


def test_header_only_file_gives_no_rows(tmp_path):
    rows, bad, stream = _read(_csv(tmp_path, [HEADER]))
    assert rows == [] and bad == [] and stream.rows_read == 0


@pytest.mark.parametrize("name", ["empty.csv", "empty.parquet", "empty.jsonl", "empty.xlsx"])
def test_zero_byte_file_is_an_input_error(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        open_batches(path, SHIPMENTS)


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="not found"):
        open_batches(tmp_path / "nope.csv", SHIPMENTS)


def _shipments_frame(n: int) -> pl.DataFrame:
    return pl.DataFrame({
        "shipment_id": [f"S{i}" for i in range(n)],
        "shipment_date": [dt.date(2024, 1, 1) + dt.timedelta(days=i % 300) for i in range(n)],
        "consignee_name": ["Acme"] * n,
        "consignee_country": ["JP"] * n,
        "destination_country": ["cn"] * n,
        "value_jpy": list(range(n)),
    })


def test_parquet_native_types_are_coerced_in_batches(tmp_path):
    path = tmp_path / "in.parquet"
    _shipments_frame(25).write_parquet(path)
    qpath = tmp_path / "q.parquet"
    with QuarantineSink(qpath) as sink:
        batches = list(open_batches(path, SHIPMENTS, batch_size=10, quarantine=sink))
    assert [b.num_rows for b in batches] == [10, 10, 5]
    last = batches[-1].to_pylist()[-1]
    assert last["input_row"] == 25 and last["value_jpy"] == 24.0
    assert last["destination_country"] == "CN"


def test_parquet_folder_is_read_as_one_dataset(tmp_path):
    folder = tmp_path / "parts"
    folder.mkdir()
    frame = _shipments_frame(12)
    frame.slice(0, 5).write_parquet(folder / "part-0.parquet")
    frame.slice(5).write_parquet(folder / "part-1.parquet")
    rows, _, stream = _read(folder)
    assert [r["shipment_id"] for r in rows] == [f"S{i}" for i in range(12)]
    assert stream.total_rows == 12


def test_truncated_parquet_is_a_clear_input_error(tmp_path):
    path = tmp_path / "in.parquet"
    _shipments_frame(1000).write_parquet(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError) as info:
        open_batches(path, SHIPMENTS)
    assert "truncated" in info.value.render() and str(path) in info.value.render()


def test_jsonl_with_native_and_bad_lines(tmp_path):
    good = {"shipment_id": "S1", "shipment_date": "2024-04-01", "consignee_name": "Acme",
            "consignee_country": "JP", "destination_country": "CN", "value_jpy": 10,
            "parameters": [{"name": "axes", "value": 5, "unit": None}]}
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join([json.dumps(good), "{not json", "",
                               json.dumps(good | {"value_jpy": "abc"})]) + "\n")
    rows, bad, _ = _read(path)
    assert rows[0]["value_jpy"] == 10.0 and rows[0]["parameters"][0]["value"] == 5.0
    assert sorted((b["input_row"], b["column"]) for b in bad) == [(2, None), (3, "value_jpy")]


def test_excel_sheet_is_read_with_dates(tmp_path):
    path = tmp_path / "in.xlsx"
    _shipments_frame(3).write_excel(path)
    rows, bad, stream = _read(path)
    assert bad == [] and stream.format == "excel"
    assert rows[2]["shipment_date"] == dt.date(2024, 1, 3)


def test_persons_lists_and_structured_items(tmp_path):
    path = _csv(tmp_path, [
        "person_id,full_name,nationalities,affiliations,funding,foreign_government_instructions",
        'P1,Taro Yamada,jp|US,"Tsinghua University|CN|concurrent_appointment",Gov|CN|30%,no',
        "P2,Li Wei,CN|XX,,,yes",
    ])
    rows, bad, _ = _read(path, table=PERSONS)
    assert rows[0]["nationalities"] == ["JP", "US"]
    assert rows[0]["affiliations"] == [{"organisation": "Tsinghua University", "country": "CN",
                                        "kind": "concurrent_appointment"}]
    assert rows[0]["foreign_government_instructions"] is False
    assert bad[0]["column"] == "nationalities" and "'XX'" in bad[0]["reason"]


def test_arrow_batches_stay_bounded_for_a_large_csv(tmp_path):
    path = _csv(tmp_path, [HEADER] + [GOOD.replace("S1", f"S{i}") for i in range(20_000)])
    sizes = [b.num_rows for b in open_batches(path, SHIPMENTS, batch_size=2_000)]
    assert sum(sizes) == 20_000
    assert max(sizes) <= 4_000 and len(sizes) >= 5


def test_native_parquet_list_column(tmp_path):
    path = tmp_path / "persons.parquet"
    pq.write_table(pa.table({"person_id": ["P1"], "full_name": ["A"],
                             "nationalities": pa.array([["jp", "fra"]])}), path)
    rows, bad, _ = _read(path, table=PERSONS)
    assert bad == [] and rows[0]["nationalities"] == ["JP", "FR"]


@pytest.mark.parametrize("encoding", ["utf-8", "cp932"])
def test_csv_progress_follows_the_rows_handed_out_not_the_bytes_read_ahead(tmp_path, encoding):
    # pyarrow reads many blocks ahead of the batch it yields: bytes read reach the file's
    # size after a batch or two, which made the bar jump to 100% at once.
    line = GOOD.replace("Acme Trading", "株式会社アクメ商事")
    path = _csv(tmp_path, [HEADER] + [line.replace("S1", f"S{i}") for i in range(30_000)],
                encoding=encoding)
    stream = open_batches(path, SHIPMENTS, batch_size=500)
    total = path.stat().st_size
    shares = []
    for _ in stream:
        shares.append((stream.rows_read / 30_000, stream.progress_bytes[0] / total))
    assert len(shares) > 10
    assert all(abs(rows - done) < 0.05 for rows, done in shares), shares
    assert shares[-1][1] <= 1.0 and stream.progress_bytes == (total, total)

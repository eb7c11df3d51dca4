"""Streaming Parquet writer and quarantine sink: row group per batch, atomic on success only."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bulkscreen.columns import QUARANTINE
from bulkscreen.io.quarantine import QuarantineSink
from bulkscreen.io.writers import ParquetStreamWriter

SCHEMA = pa.schema([("x", pa.int64())])


def _batch(start: int, n: int) -> pa.RecordBatch:
    return pa.RecordBatch.from_pydict({"x": list(range(start, start + n))}, schema=SCHEMA)


def test_one_row_group_per_batch_and_footer_metadata(tmp_path):
    path = tmp_path / "out.parquet"
    with ParquetStreamWriter(path, SCHEMA, {"a": "1"}) as writer:
        writer.write_batch(_batch(0, 3))
        assert not path.exists() and writer.partial.exists()
        writer.write_batch(_batch(3, 4))
        writer.set_metadata({"b": "2"})
    meta = pq.ParquetFile(path).metadata
    assert meta.num_row_groups == 2 and meta.num_rows == 7
    assert meta.metadata[b"a"] == b"1" and meta.metadata[b"b"] == b"2"
    assert not writer.partial.exists()


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_interrupted_write_leaves_no_file(tmp_path, error):
    path = tmp_path / "out.parquet"
    with pytest.raises(error), ParquetStreamWriter(path, SCHEMA) as writer:
        writer.write_batch(_batch(0, 3))
        raise error()
    assert list(tmp_path.iterdir()) == []


def test_quarantine_sink_writes_an_empty_file_when_nothing_is_bad(tmp_path):
    path = tmp_path / "q.parquet"
    with QuarantineSink(path) as sink:
        sink.write(pa.RecordBatch.from_pylist([], schema=QUARANTINE.arrow_schema()))
    table = pq.read_table(path)
    assert table.num_rows == 0 and table.schema.names == QUARANTINE.names

"""The streamed reader (issue 23): what read_table reads, a bounded chunk of rows at a time."""
import io
import tracemalloc

import pytest

from spreadsheets import FileRejected, KpiRef, read_table
from spreadsheets.stream_mapping import StreamMapper
from spreadsheets.streaming import BLOCK, open_stream
from tests.spreadsheets.badfiles import bad_files


def long_csv(rows: int) -> bytes:
    return b"kpi,period,value\r\n" + b"".join(
        b"uu,2025-%02d-%02d,%d\r\n" % (1 + i % 12, 1 + i % 28, i) for i in range(rows))


class Tracked(io.BytesIO):
    """A stream that says how far it was read (``tell``) and is listed when opened."""

    def __init__(self, data, opened):
        super().__init__(data)
        opened.append(self)


def outcome(read):
    try:  # a streamed file may be rejected only when its rows are read
        table = read()
        rows = list(table.rows) if isinstance(table.rows, list) else [
            row for chunk in table.chunks(7) for row in chunk]
    except FileRejected as rejected:
        return "rejected", [(p.row, p.code, str(p.message)) for p in rejected.problems]
    headers = list(table.headers)
    while headers and not headers[-1]:  # read_table pads the header over value-only columns
        headers.pop()
    width = len(headers)
    return ("read", headers, [(n, r[:width]) for n, r in rows],
            [(p.row, p.column, p.code) for p in table.problems], table.encoding)


@pytest.mark.parametrize(("filename", "data"),
                         [pytest.param(f, d, id=n) for n, f, d, _c in bad_files()])
def test_the_stream_reads_every_file_as_read_table_does(filename, data):
    streamed = outcome(lambda: open_stream(lambda: io.BytesIO(data), filename, size=len(data)))
    whole = outcome(lambda: read_table(data, filename))
    assert streamed == whole


def test_chunks_are_bounded_and_the_file_is_read_as_they_are_asked_for():
    data = long_csv(300_000)  # 5 MB: several blocks
    opened = []
    table = open_stream(lambda: Tracked(data, opened), "big.csv", size=len(data),
                        max_rows=1_000_000)
    chunks = table.chunks(1_000)
    first = next(chunks)
    assert len(first) == 1_000
    parsing = opened[-1]  # the first pass (bytes and encoding) went to the end; this one not
    assert parsing.tell() <= 2 * BLOCK < len(data)
    sizes = [len(first)] + [len(chunk) for chunk in chunks]
    assert max(sizes) == 1_000 and sum(sizes) == 300_000 == table.row_count


def _peak(rows: int) -> int:
    data = long_csv(rows)
    tracemalloc.start()
    try:
        table = open_stream(lambda: io.BytesIO(data), "big.csv", size=len(data))
        mapper = StreamMapper(table, [KpiRef("uu", unit="count", cadence="weekly")])
        records = 0
        for chunk in table.chunks(5_000):
            found, _problems = mapper.feed(chunk)
            records += len(found)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_file():
    small, large = _peak(20_000), _peak(100_000)
    # Five times the rows; the peak is a chunk's worth either way (measured: about the same).
    assert large < 1.5 * small, (small, large)

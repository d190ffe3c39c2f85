"""Every known kind of bad upload is refused with its own code, and nothing else escapes."""


import pytest

from spreadsheets import FileRejected, read_table, rows_to_records

from .badfiles import KPIS, bad_files


def problems_of(filename, data):
    """All problems the importer reports for a file: file-level ones, or row by row."""
    try:
        table = read_table(data, filename)
    except FileRejected as rejected:
        return rejected.problems, []
    records, problems = rows_to_records(table, KPIS)
    return problems, records


def test_there_are_at_least_thirty_distinct_bad_files():
    files = bad_files()
    assert len(files) >= 30
    assert len({(filename, data) for _name, filename, data, _code in files}) == len(files)


@pytest.mark.parametrize(
    ("filename", "data", "code"),
    [pytest.param(f, d, c, id=n) for n, f, d, c in bad_files()],
)
def test_bad_file_is_refused_with_its_code(filename, data, code):
    problems, _records = problems_of(filename, data)
    assert code in [p.code for p in problems], [(p.code, str(p.message)) for p in problems]
    for problem in problems:
        assert str(problem.message)  # renders, in the active language


@pytest.mark.parametrize(
    ("filename", "data"),
    [
        pytest.param(f, d, id=n)
        for n, f, d, c in bad_files()
        if c in {"zip_bomb", "zip_too_large", "zip_too_many_entries", "line_too_long"}
    ],
)
def test_dangerous_files_are_refused(filename, data):
    # How fast is measured in bench/engine_bench.py.
    with pytest.raises(FileRejected):
        read_table(data, filename)

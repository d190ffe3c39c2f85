"""An unexpected error during an import leaves the batch "failed", never "running" for ever."""
import pytest
from django.db import DataError

from metrics.imports import import_analyze, import_batch_create, import_commit
from metrics.models import ImportBatch, ImportStatus, Measurement
from teams.models import Role
from tests.metrics.factories import small_tree

pytestmark = pytest.mark.django_db


def test_a_database_error_during_the_commit_marks_the_batch_failed(world, monkeypatch):
    small_tree(world.company, world.team)
    batch = import_batch_create(company=world.company, user=world.user(Role.ADMIN),
                                filename="n.csv", data="期間,UU\r\n2026-03-02,5\r\n".encode(),
                                language="en")
    assert import_analyze(batch=batch).status == ImportStatus.READY

    def broken(**kwargs):
        raise DataError("numeric field overflow")

    monkeypatch.setattr("metrics.imports.measurements_bulk_upsert", broken)
    monkeypatch.setattr("metrics.imports.import_stream", broken)  # PostgreSQL's streamed path
    with pytest.raises(DataError):
        import_commit(batch_id=batch.pk)
    batch = ImportBatch.objects.get(pk=batch.pk)
    assert batch.status == ImportStatus.FAILED
    assert batch.problems[0]["message"].startswith("The import failed on the server")
    assert not Measurement.objects.exists()


def test_an_error_while_analyzing_marks_the_batch_failed(world, monkeypatch):
    batch = import_batch_create(company=world.company, user=world.user(Role.ADMIN),
                                filename="n.csv", data=b"x" * 200_000, language="en")
    assert batch.status == ImportStatus.ANALYZING

    def broken(**kwargs):
        raise MemoryError

    monkeypatch.setattr("metrics.imports.analyze_file", broken)
    monkeypatch.setattr("metrics.imports.import_stream", broken)
    with pytest.raises(MemoryError):
        import_analyze(batch=batch)
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportStatus.FAILED

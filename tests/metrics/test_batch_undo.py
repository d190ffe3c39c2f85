"""Diff and undo of import batches (issue 21): the preview names each cell, undo restores exactly."""
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from metrics.batch_changes import UndoRefused, batch_undo, decode
from metrics.imports import import_analyze, import_batch_create, import_commit
from metrics.measurements import Entry, measurement_upsert, measurements_bulk_upsert
from metrics.models import ImportBatch, ImportStatus, Measurement, MeasurementRevision
from tests.metrics.factories import KpiFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def kpis(world):
    return {code: KpiFactory(company=world.company, code=code, name_en=code.title(),
                             name_ja=code, team=world.team, cadence="weekly")
            for code in ("revenue", "visits")}


def state():
    return sorted(Measurement.objects.values_list("kpi__code", "period_start", "value",
                                                  "source"))


def upload(world, text, role="member"):
    batch = import_batch_create(company=world.company, user=world.user(role),
                                filename="numbers.csv", data=text.encode())
    return import_analyze(batch=batch)


def commit(world, text, role="member"):
    return import_commit(batch_id=upload(world, text, role).pk)


def seed(world, kpis):
    # revenue 01-05 typed by hand, visits 01-05 imported earlier
    measurements_bulk_upsert(company=world.company, entries=[
        Entry(kpis["revenue"], date(2026, 1, 5), Decimal("100"))], source="manual")
    measurements_bulk_upsert(company=world.company, entries=[
        Entry(kpis["visits"], date(2026, 1, 5), Decimal("75"))], source="import")


FILE = "kpi,period,value\r\nrevenue,2026-01-05,120\r\nvisits,2026-01-05,75\r\n" \
       "revenue,2026-01-12,130\r\n"


def test_the_preview_lists_each_cell_old_to_new_before_anything_is_written(world, kpis, client):
    seed(world, kpis)
    before = state()
    batch = upload(world, FILE)
    assert (batch.status, batch.new_count, batch.changed_count, batch.unchanged_count) == (
        "ready", 1, 1, 1)
    assert state() == before
    cells = {(c.kpi_id, c.period): (c.old, c.new) for c in decode(batch.changes)}
    assert cells == {(kpis["revenue"].pk, date(2026, 1, 5)): (Decimal("100"), Decimal("120")),
                     (kpis["revenue"].pk, date(2026, 1, 12)): (None, Decimal("130"))}
    client.force_login(world.user("member"))
    page = client.get(reverse("import-preview", args=[world.company.slug, batch.pk]))
    table = page.content.decode().split('data-testid="diff"')[1].split("</table>")[0]
    assert "2026-01-05" in table and "120" in table and "100" in table and "130" in table
    assert "75" not in table  # unchanged cells are counted, not listed


def test_undo_restores_every_value_and_source_exactly_as_its_own_batch(world, kpis):
    seed(world, kpis)
    before = state()
    revisions = MeasurementRevision.objects.count()
    batch = commit(world, FILE)
    assert batch.status == "done" and state() != before
    undo = batch_undo(batch_id=batch.pk, user=world.user("member"))
    assert state() == before
    assert undo.undo_of_id == batch.pk and undo.status == ImportStatus.DONE
    # The undo is recorded: its own cells (120 → 100, 130 → cleared) and a revision.
    cells = {(c.kpi_id, c.period): (c.old, c.new) for c in decode(undo.changes)}
    assert cells == {(kpis["revenue"].pk, date(2026, 1, 5)): (Decimal("120"), Decimal("100")),
                     (kpis["revenue"].pk, date(2026, 1, 12)): (Decimal("130"), None)}
    assert MeasurementRevision.objects.count() == revisions + 2  # the import's and the undo's
    with translation.override("en"), pytest.raises(UndoRefused, match="already"):
        batch_undo(batch_id=batch.pk, user=world.user("member"))
    # Undoing the undo puts the import's values back.
    batch_undo(batch_id=undo.pk, user=world.user("member"))
    assert dict(((k, p), v) for k, p, v, _s in state())[("revenue", date(2026, 1, 12))] == 130


def test_undo_is_refused_naming_the_cells_a_later_batch_changed(world, kpis):
    seed(world, kpis)
    batch = commit(world, FILE)
    commit(world, "kpi,period,value\r\nrevenue,2026-01-12,140\r\nvisits,2026-01-19,3\r\n")
    measurement_upsert(company=world.company, kpi=kpis["revenue"], period=date(2026, 1, 5),
                       value=Decimal("125"), user=world.user("manager"))
    after = state()
    with pytest.raises(UndoRefused) as refused:
        batch_undo(batch_id=batch.pk, user=world.user("member"))
    assert refused.value.cells == ["revenue 2026-01-05", "revenue 2026-01-12"]
    assert "revenue 2026-01-12" in refused.value.message
    assert state() == after
    assert not ImportBatch.objects.filter(undo_of=batch).exists()


def test_only_the_owner_or_an_admin_may_undo(world, kpis, client):
    batch = commit(world, FILE)
    before = state()
    with pytest.raises(UndoRefused):
        batch_undo(batch_id=batch.pk, user=world.user("manager"))
    client.force_login(world.user("manager"))
    url = reverse("import-undo", args=[world.company.slug, batch.pk])
    assert client.post(url).status_code == 302
    assert state() == before
    client.force_login(world.user("admin"))
    page = client.get(reverse("import-preview", args=[world.company.slug, batch.pk]))
    assert b'data-testid="undo"' in page.content
    response = client.post(url, follow=True)
    assert state() == []
    assert ImportBatch.objects.get(undo_of=batch).uploaded_by == world.user("admin")
    assert b'data-testid="diff"' in response.content

"""An XLSX is read from the sheet a person sees (the active one, if visible), and the preview
says which sheet that was."""
import io

import openpyxl
import pytest
from django.urls import reverse

from metrics.imports import import_analyze, import_batch_create, import_commit
from metrics.models import ImportStatus, Measurement
from spreadsheets import read_table
from teams.models import Role
from tests.metrics.factories import small_tree


def _workbook(*, hidden_first=True, active=1):
    workbook = openpyxl.Workbook()
    first = workbook.active
    first.title = "Old"
    first.append(["期間", "UU"])
    first.append(["2026-03-02", 999])
    second = workbook.create_sheet("This week")
    second.append(["期間", "UU"])
    second.append(["2026-03-02", 5])
    if hidden_first:
        first.sheet_state = "hidden"
    workbook.active = active
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_a_hidden_first_sheet_is_not_read():
    table = read_table(_workbook(), "w.xlsx")
    assert table.sheet == "This week"
    assert table.rows[0][1][1] == 5


def test_the_active_visible_sheet_is_read_even_if_not_first():
    table = read_table(_workbook(hidden_first=False, active=1), "w.xlsx")
    assert table.sheet == "This week"


@pytest.mark.django_db
def test_the_preview_names_the_sheet_and_the_visible_values_are_imported(client, world):
    small_tree(world.company, world.team)
    batch = import_batch_create(company=world.company, user=world.user(Role.ADMIN),
                                filename="w.xlsx", data=_workbook())
    batch = import_analyze(batch=batch)
    assert batch.status == ImportStatus.READY, batch.problems
    assert batch.sheet_name == "This week"
    client.force_login(world.user(Role.ADMIN))
    page = client.get(reverse("import-preview", args=["acme", batch.pk])).content.decode()
    assert 'data-testid="sheet">This week<' in page
    import_commit(batch_id=batch.pk)
    assert list(Measurement.objects.values_list("value", flat=True)) == [5]

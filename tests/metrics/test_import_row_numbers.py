"""The preview's rows are the spreadsheet's own row numbers: with a title above the table the
header is not row 1, so the page must not say it is."""
import pytest
from django.urls import reverse

from metrics.imports import import_analyze, import_batch_create
from metrics.models import ImportStatus
from teams.models import Role
from tests.metrics.factories import small_tree

pytestmark = pytest.mark.django_db


def test_a_file_with_a_title_line_is_not_told_row_1_is_the_header(client, world):
    small_tree(world.company, world.team)
    batch = import_batch_create(company=world.company, user=world.user(Role.ADMIN),
                                filename="r.csv",
                                data="週次レポート\n\n期間,UU\n2026-03-02,5\n2026-03,6\n".encode())
    batch = import_analyze(batch=batch)
    assert batch.status == ImportStatus.INVALID
    assert [p["row"] for p in batch.problems] == [5]
    client.force_login(world.user(Role.ADMIN))
    page = client.get(reverse("import-preview", args=["acme", batch.pk])).content.decode()
    assert "1行目は見出し行" not in page
    assert "行番号はスプレッドシートの行番号です" in page


def test_an_overlong_header_does_not_push_the_problem_off_the_page(client, world):
    small_tree(world.company, world.team)
    header = "x" * 3000
    batch = import_batch_create(company=world.company, user=world.user(Role.ADMIN),
                                filename="r.csv", data=f"期間,{header}\n2026-03-02,5\n".encode())
    import_analyze(batch=batch)
    client.force_login(world.user(Role.ADMIN))
    page = client.get(reverse("import-preview", args=["acme", batch.pk])).content.decode()
    assert "x" * 100 not in page.split('class="card problems"', 1)[1].split("</table>")[0]
    assert "この会社のKPIではありません" in page

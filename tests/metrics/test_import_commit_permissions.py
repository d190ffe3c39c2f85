"""An import commit runs with the permissions of the person who clicked, also on a worker."""
import pytest
from django.urls import reverse

from metrics.imports import import_analyze, import_batch_create
from metrics.models import ImportBatch, ImportStatus, Measurement
from metrics.tasks import import_commit_task
from teams.models import Role, Team
from tests.metrics.factories import KpiFactory, small_tree

pytestmark = pytest.mark.django_db

WIDE = "期間,UU,リード数\r\n2026-03-02,100,5\r\n2026-03-09,110,6\r\n".encode()


@pytest.fixture
def admins_batch(world):
    small_tree(world.company, world.team)
    marketing = Team.objects.get(company=world.company, slug="marketing")
    KpiFactory(company=world.company, code="leads", name_ja="リード数", name_en="Leads",
               unit="count", cadence="weekly", team=marketing)
    batch = import_batch_create(company=world.company, user=world.user(Role.ADMIN),
                                filename="w.csv", data=WIDE, language="en")
    assert import_analyze(batch=batch).status == ImportStatus.READY
    return batch


def test_a_sales_member_cannot_import_marketing_values_through_an_admins_batch_on_a_worker(
        client, world, admins_batch, monkeypatch):
    monkeypatch.setattr("metrics.views.imports.ASYNC_RECORDS", 0)  # the worker path
    monkeypatch.setattr("metrics.views.imports.import_commit_task.delay_on_commit",
                        lambda *args: None)
    client.force_login(world.user(Role.MEMBER))
    client.post(reverse("import-commit", args=["acme", admins_batch.pk]))
    admins_batch.refresh_from_db()
    assert admins_batch.status == ImportStatus.QUEUED
    assert admins_batch.commit_requested_by == world.user(Role.MEMBER)
    import_commit_task(admins_batch.pk)  # what the worker runs
    admins_batch.refresh_from_db()
    assert not Measurement.objects.exists()
    # Still the admin's to import: refused for the clicker, not spoiled.
    assert admins_batch.status == ImportStatus.READY
    assert admins_batch.commit_requested_by is None


def test_the_sync_commit_refuses_the_clicker_and_keeps_the_admins_batch_ready(
        client, world, admins_batch):
    client.force_login(world.user(Role.MEMBER))
    client.cookies["kgi_language"] = "en"
    response = client.post(reverse("import-commit", args=["acme", admins_batch.pk]),
                           follow=True)
    assert "leads belongs to the team Marketing" in response.content.decode()
    admins_batch.refresh_from_db()
    assert admins_batch.status == ImportStatus.READY
    assert not Measurement.objects.exists()


def test_the_admin_who_clicks_imports_on_the_worker(client, world, admins_batch, monkeypatch):
    monkeypatch.setattr("metrics.views.imports.ASYNC_RECORDS", 0)
    monkeypatch.setattr("metrics.views.imports.import_commit_task.delay_on_commit",
                        lambda *args: None)
    client.force_login(world.user(Role.ADMIN))
    client.post(reverse("import-commit", args=["acme", admins_batch.pk]))
    import_commit_task(admins_batch.pk)
    assert ImportBatch.objects.get(pk=admins_batch.pk).status == ImportStatus.DONE
    assert Measurement.objects.count() == 4

"""The export form's date range reads 開始日 – 終了日 in Japanese (not 発生週, the review's
"week a task came from")."""
import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_the_export_start_field_is_labelled_as_a_start_date(client, world):
    client.force_login(world.user("member"))
    client.cookies["kgi_language"] = "ja"
    html = client.get(reverse("numbers-home", args=[world.company.slug])).content.decode()
    export = html.split('name="from"')[0].rsplit("<form", 1)[1]
    assert "開始日" in export and "発生週" not in export

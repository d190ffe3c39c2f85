"""Display names (Japanese welcome): set at sign-up, on accepting an invitation or on the
account page, and shown instead of usernames in member lists, reviews and tasks."""
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from metrics.models import Kpi
from teams.models import Company, Invitation, Membership, Role, hash_secret
from teams.services import display_name_clean
from tests.reviews.factories import decision_with_task, review_for

pytestmark = pytest.mark.django_db
PASSWORD = "Xq9!long-pass"


def test_sign_up_keeps_the_display_name_and_the_member_list_shows_it(client):
    response = client.post("/start/", {
        "account-username": "yamada", "account-email": "yamada@example.jp",
        "account-password1": PASSWORD, "account-password2": PASSWORD,
        "account-display_name": "山田　花子",  # a full-width space, as typed in Japanese
        "company-name": "さくら商事", "company-slug": "sakura", "company-language": "ja",
        "company-timezone": "Asia/Tokyo"})
    assert response.status_code == 302
    user = get_user_model().objects.get(username="yamada")
    assert user.get_full_name() == "山田 花子"
    page = client.get(reverse("company-settings", args=["sakura"])).content.decode()
    assert "山田 花子" in page
    assert "山田 花子</summary>" in page  # the account menu


def test_accepting_an_invitation_sets_the_display_name(client, world):
    from datetime import timedelta

    from django.utils import timezone

    Invitation.objects.create(company=world.company, email="sato@example.jp",
                              role=Role.MEMBER, token_hash=hash_secret("raw-token-1"),
                              expires_at=timezone.now() + timedelta(days=1))
    response = client.post("/invite/raw-token-1/", {
        "username": "sato", "password1": PASSWORD, "password2": PASSWORD,
        "display_name": "佐藤 太郎"})
    assert response.status_code == 302
    assert get_user_model().objects.get(username="sato").get_full_name() == "佐藤 太郎"


def test_the_account_page_changes_it_and_tasks_show_it(client, world):
    manager = world.user(Role.MANAGER)
    client.force_login(manager)
    assert client.get(reverse("account-profile")).status_code == 200
    response = client.post(reverse("account-profile"), {"display_name": "  鈴木   一郎 "})
    assert response.status_code == 302
    manager.refresh_from_db()
    assert manager.get_full_name() == "鈴木 一郎"

    kpi = Kpi.objects.filter(company=world.company, team=world.team).first()
    review = review_for(world.team)
    decision_with_task(review, kpi, owner=manager, user=manager)
    page = client.get(reverse("review-detail", args=[world.company.slug, world.team.slug,
                                                     review.week_label])).content.decode()
    assert "First step — 鈴木 一郎" in page
    team_page = client.get(reverse("team-detail", args=[world.company.slug,
                                                        world.team.slug])).content.decode()
    assert "鈴木 一郎" in team_page


def test_a_blank_display_name_falls_back_to_the_username(client, world):
    admin = world.user(Role.ADMIN)
    admin.first_name = "旧名"
    admin.save()
    client.force_login(admin)
    client.post(reverse("account-profile"), {"display_name": "   "})
    admin.refresh_from_db()
    assert admin.get_full_name() == ""
    page = client.get(reverse("company-settings", args=[world.company.slug])).content.decode()
    assert f"{admin.username}</summary>" in page


def test_display_names_are_cleaned_and_bounded():
    assert display_name_clean(" 山田\u3000花子 ") == "山田 花子"
    assert len(display_name_clean("名" * 400)) == 150
    assert display_name_clean(None) == ""
    assert Company.objects.count() == 0 and Membership.objects.count() == 0

"""A URL name that is not allowed is refused with one sentence in the page's words ("URL名"),
never Django's own message naming the internal field “slug”."""
import pytest
from django.urls import reverse

from teams.models import Role

pytestmark = pytest.mark.django_db


def _errors(form):
    return [str(message) for message in form.errors["slug"]]


@pytest.mark.parametrize("slug", ["テスト", "Not A Slug", "a_b"])
def test_signup_slug_refusal_is_one_sentence_without_the_word_slug(client, slug):
    response = client.post(reverse("start"), {
        "company-name": "テスト商事", "company-slug": slug, "company-language": "ja",
        "company-timezone": "Asia/Tokyo", "account-username": "taro",
        "account-email": "taro@example.jp", "account-password1": "Xq9!long-pass",
        "account-password2": "Xq9!long-pass"})
    errors = _errors(response.context["company_form"])
    assert errors == ["半角英小文字・数字・ハイフンで入力してください（50文字以内）。"]
    assert "“slug”" not in response.content.decode()


def test_company_settings_slug_refusal_is_one_sentence(client, world):
    client.force_login(world.user(Role.ADMIN))
    response = client.post(reverse("company-update", args=["acme"]), {
        "company-name": "Acme", "company-slug": "アクメ", "company-language": "ja",
        "company-timezone": "Asia/Tokyo", "company-fiscal_year_start_month": "1",
        "company-currency": "JPY", "company-week_start": "0"})
    assert response.status_code == 400
    assert _errors(response.context["company_form"]) == [
        "半角英小文字・数字・ハイフンで入力してください（50文字以内）。"]

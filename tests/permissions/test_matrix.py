"""Every URL pattern × anonymous, another company's admin and each role.

Fails when a URL pattern has no row (add one to tests/permissions/rows_<feature>.py).
"""
import importlib
import pkgutil

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from teams.models import Membership, Role, Team, TeamMembership
from teams.services import api_token_create
from tests.permissions.matrix import ALLOWED, PRINCIPALS
from tests.world import make_user


def _walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace
            prefix = f"{namespace}{ns}:" if ns else namespace
            yield from _walk(entry.url_patterns, prefix)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}" if entry.name else f"{namespace}<unnamed {entry.pattern}>"


def url_names():
    return set(_walk(get_resolver().url_patterns))


def load_rows():
    package = importlib.import_module("tests.permissions")
    rows = {}
    for module in pkgutil.iter_modules(package.__path__):
        if module.name.startswith("rows_"):
            for name, row in importlib.import_module(f"tests.permissions.{module.name}").ROWS.items():
                assert name not in rows, f"two rows for {name}"
                rows[name] = row
    return rows


ROWS = load_rows()


def test_every_url_pattern_has_a_row():
    names = url_names()
    missing = sorted(names - ROWS.keys())
    stale = sorted(ROWS.keys() - names)
    assert not missing, f"URL patterns without a permission-matrix row: {missing}"
    assert not stale, f"rows for URL names that no longer exist: {stale}"


def test_matrix_fails_for_a_new_unlisted_pattern(settings):
    # The check above must notice a pattern nobody listed.
    from django.urls import path, set_urlconf

    import kgiapp.urls as root

    extra = type("Conf", (), {"urlpatterns": [*root.urlpatterns,
                                              path("x/", lambda r: None, name="unlisted")]})
    set_urlconf(extra)
    try:
        names = set(_walk(get_resolver(extra).url_patterns))
    finally:
        set_urlconf(None)
    assert "unlisted" in names - ROWS.keys()


def _client_for(world, principal, api):
    client = Client()
    headers = {}
    if principal == "anonymous":
        return client, headers
    if principal == "outsider":
        user = world.outsider
    elif principal == "other_manager":
        user = world.extra["other_manager"]
    else:
        user = world.user(principal)
    company = world.other if principal == "outsider" else world.company
    if api:
        _token, raw = api_token_create(company=company, user=user, name="matrix")
        headers["Authorization"] = f"Bearer {raw}"
    else:
        client.force_login(user)
    return client, headers


def _check(principal, expected, response, name):
    status = response.status_code
    where = f"{name} as {principal}: got {status}"
    if expected == ALLOWED:
        assert status < 500 and status not in (401, 403, 404, 405), where
        if status in (301, 302):
            assert "/accounts/login/" not in response["Location"], where
    else:
        assert status == expected, f"{where}, expected {expected}"
        if expected == 302 and principal == "anonymous" and name not in (
                "logout", "set_language", "oidc_authentication_callback", "favicon"):
            assert "/accounts/login/" in response["Location"], where


@pytest.fixture
def matrix_world(world):
    """The world plus a company manager who manages marketing, not the sales team in the URLs."""
    marketing = Team.objects.get(company=world.company, slug="marketing")
    user = make_user("acme-marketing-manager")
    Membership.objects.create(company=world.company, user=user, role=Role.MANAGER)
    TeamMembership.objects.create(team=marketing, user=user, role="manager")
    world.extra["other_manager"] = user
    return world


@pytest.mark.parametrize("name", sorted(ROWS))
def test_url_permissions(name, matrix_world):
    world = matrix_world
    row = ROWS[name]
    assert set(row.expect) == set(PRINCIPALS), f"{name}: row must cover {PRINCIPALS}"
    for principal in PRINCIPALS:
        # Each principal sees the same world: roll back whatever the request changed.
        with transaction.atomic():
            url = reverse(name, kwargs=row.kwargs(world))
            client, headers = _client_for(world, principal, row.api)
            call = getattr(client, row.method)
            if row.api and row.method != "get":
                response = call(url, data=row.data(world), content_type="application/json",
                                headers=headers)
            else:
                response = call(url, data=row.data(world), headers=headers)
            _check(principal, row.expect[principal], response, name)
            transaction.set_rollback(True)

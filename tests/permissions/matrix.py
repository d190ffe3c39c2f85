"""The URL × role permission matrix: expectation rows and the principals they are checked for.

Each feature declares its rows in tests/permissions/rows_<feature>.py as ``ROWS``:
{url name: Row}. A URL pattern without a row fails the matrix test.

"other_manager" is a company manager who manages the world's OTHER team (marketing), not the
team (sales) the URLs point at. Rows of a team-scoped capability ("contribute", "manage_team")
must state what that user gets literally (``other_manager=403``, ``ALLOWED``…); for a
company-wide capability the column equals the manager's.
"""
from collections.abc import Callable
from dataclasses import dataclass, field

from teams.permissions import CAPABILITIES

PRINCIPALS = ["anonymous", "outsider", "admin", "executive", "manager", "member", "viewer",
              "other_manager"]
ROLE_PRINCIPALS = ["admin", "executive", "manager", "member", "viewer"]
ALLOWED = "allowed"  # the view ran: not a login redirect, 403, 404 or 5xx


@dataclass
class Row:
    kwargs: Callable = lambda w: {}
    method: str = "get"
    expect: dict = field(default_factory=dict)
    data: Callable = lambda w: {}
    api: bool = False
    note: str = ""


def _other_manager(capability, cap, expect, other_manager):
    if cap.team_role is None:
        assert other_manager is None, f"{capability} is company-wide: other_manager = manager"
        return expect["manager"]
    assert other_manager is not None, (
        f"a {capability!r} row needs a literal other_manager expectation (manager of "
        "another team)")
    return other_manager


def company_row(capability="view", kwargs=None, method="get", data=None, team_scoped=False,
                other_manager=None):
    """Expectations for a page under /<company>/ guarded by ``capability``.

    With team_scoped, the kwargs point at the world's team where acme-manager is the
    manager and acme-member a member.
    """
    cap = CAPABILITIES[capability]
    expect = {"anonymous": 302, "outsider": 404}
    for role in ROLE_PRINCIPALS:
        expect[role] = ALLOWED if role in cap.roles else 403
    if team_scoped and cap.team_role == "manager":
        expect["member"] = 403
    expect["other_manager"] = _other_manager(capability, cap, expect, other_manager)
    return Row(kwargs=kwargs or (lambda w: {"company": w.company.slug}), method=method,
               expect=expect, data=data or (lambda w: {}))


def api_row(capability="view", kwargs=None, method="get", data=None, other_manager=None):
    """Expectations for an API endpoint: tokens per role; other company's token → 401."""
    cap = CAPABILITIES[capability]
    expect = {"anonymous": 401, "outsider": 401}
    for role in ROLE_PRINCIPALS:
        expect[role] = ALLOWED if role in cap.roles else 403
    expect["other_manager"] = _other_manager(capability, cap, expect, other_manager)
    return Row(kwargs=kwargs or (lambda w: {"company": w.company.slug}), method=method,
               expect=expect, data=data or (lambda w: {}), api=True)


def public_row(status=200, kwargs=None, method="get", everyone=None):
    expect = {p: status for p in PRINCIPALS}
    if everyone:
        expect.update(everyone)
    return Row(kwargs=kwargs or (lambda w: {}), method=method, expect=expect)

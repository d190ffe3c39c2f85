"""Matrix rows for the foundation's URLs."""
from tests.permissions.matrix import ALLOWED, PRINCIPALS, Row, api_row, company_row, public_row


def _company(w):
    return {"company": w.company.slug}


def _member(w):
    return {"company": w.company.slug, "membership_id": w.extra["viewer_membership"].pk}


def _token(w):
    return {"company": w.company.slug, "token_id": w.extra["token"].pk}


def _invitation(w):
    return {"company": w.company.slug, "invitation_id": w.extra["invitation"].pk}


def _team(w):
    return {"company": w.company.slug, "team": w.team.slug}


LOGGED_IN_REDIRECT = {"anonymous": 200, "outsider": 302, "admin": 302, "executive": 302,
                      "manager": 302, "member": 302, "viewer": 302, "other_manager": 302}

ROWS = {
    "healthz": public_row(200),
    "favicon": public_row(302),
    "login": public_row(200, everyone=LOGGED_IN_REDIRECT),
    "logout": public_row(302, method="post"),
    "account-profile": public_row(ALLOWED, everyone={"anonymous": 302}),
    # Offered to admins (of any company): the others read that it is for admins.
    "two-factor": public_row(ALLOWED, everyone={"anonymous": 302}),
    # Without a pending login there is nothing to verify: back to where they were going.
    "two-factor-verify": public_row(302),
    "password_change": public_row(ALLOWED, everyone={"anonymous": 302}),
    "password_change_done": public_row(ALLOWED, everyone={"anonymous": 302}),
    "password_reset": public_row(200),
    "password_reset_done": public_row(200),
    # A made-up link shows "invalid or already used" (and a way to ask again).
    "password_reset_confirm": public_row(200, kwargs=lambda w: {"uidb64": "MQ",
                                                                  "token": "bad-token"}),
    "password_reset_complete": public_row(200),
    # Single sign-on is not configured in the matrix's settings: its start page is 404; the
    # callback without an answer from a provider sends everyone to the "refused" page.
    "oidc_authentication_init": public_row(404),
    "oidc_authentication_callback": public_row(302),
    "sso-refused": public_row(403),
    "set_language": public_row(302, method="post"),
    "invite-accept": public_row(404, kwargs=lambda w: {"token": "not-a-real-token"}),
    # Companies exist in the world and SIGNUP_OPEN is off: sign-up says it is closed.
    "start": public_row(403),
    "home": public_row(ALLOWED, everyone={"anonymous": 302}),
    "dashboard": company_row("view"),
    "company-settings": company_row("admin"),
    # Valid data would rename the world's company for the rest of the request: post nothing
    # (the form answers 400 to an admin), the matrix only checks who gets that far.
    "company-update": company_row("admin", method="post"),
    "member-role": company_row("admin", kwargs=_member, method="post",
                               data=lambda w: {"role": "viewer"}),
    "member-remove": company_row("admin", kwargs=_member, method="post"),
    "invitation-create": company_row("admin", method="post"),
    "invitation-revoke": company_row("admin", kwargs=_invitation, method="post"),
    "team-create": company_row("admin", method="post"),
    "team-member-set": company_row("admin", kwargs=_team, method="post"),
    "api-token-create": company_row("admin", method="post"),
    "api-token-revoke": company_row("admin", kwargs=_token, method="post"),
    "team-detail": company_row("view", kwargs=_team),
    "api:api-company": api_row("view", kwargs=_company),
    "api:api-root": public_row(404),
    "api:openapi-json": Row(expect={p: 200 for p in PRINCIPALS}),
    # The docs need a signed-in person unless API_DOCS_PUBLIC (tests/kgiapp/test_api_schema.py).
    "api:openapi-view": Row(expect={**{p: 200 for p in PRINCIPALS}, "anonymous": 302}),
}

"""Create forms that are safe to double-submit: the idempotency key of a rendered form.

Every create form carries ``{% form_key %}`` (``kgiapp/templatetags/kgi.py``): a hidden
``form_key``, a fresh UUID each time the form is rendered (so a form shown again — with
errors, or after an htmx swap — is a new submission). A view decorated with
``once_per_form`` first stores the key (``FormSubmission``, primary key = the key) in its own
committed statement: of twenty identical posts exactly one inserts it — PostgreSQL makes the
others wait on the unique index, then refuse — and only that one runs the view. The others
answer "already sent": htmx posts get 204 (nothing to swap; the first answer did it), plain
posts a redirect to the page they came from with a message. When the view fails with an
exception the key is given back, so the same form may be sent again. A post without a key
(an old page, a script) runs as before.
"""
import uuid
from functools import wraps

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from teams.models import FormSubmission

FIELD = "form_key"


def _key(request):
    try:
        return uuid.UUID(request.POST.get(FIELD, ""))
    except ValueError:
        return None


def form_key_claim(request) -> bool:
    """True when this post is the first with its key (or carries none)."""
    key = _key(request)
    if key is None:
        return True
    try:
        with transaction.atomic():
            FormSubmission.objects.create(key=key, user=request.user, path=request.path[:300])
    except IntegrityError:
        return False
    return True


def form_key_release(request) -> None:
    key = _key(request)
    if key is not None:
        FormSubmission.objects.filter(key=key).delete()


def already_sent(request):
    if request.headers.get("HX-Request"):
        return HttpResponse(status=204)
    messages.info(request, _("This form was already sent; it was saved once."))
    back = request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        back = f"/{request.company.slug}/" if getattr(request, "company", None) else "/"
    return redirect(back)


def once_per_form(view):
    """Run a create view once per rendered form (put it under ``company_view``)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method != "POST":
            return view(request, *args, **kwargs)
        if not form_key_claim(request):
            return already_sent(request)
        try:
            return view(request, *args, **kwargs)
        except Exception:
            form_key_release(request)
            raise

    return wrapped

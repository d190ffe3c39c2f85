"""A login waiting for its two-factor code (teams.two_factor) reaches only the code page."""
from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from teams.two_factor import is_pending

# Pages a pending session may still open.
OPEN_WHILE_PENDING = frozenset({"two-factor-verify", "logout", "set_language", "healthz",
                                "favicon"})


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not is_pending(request):
            return None
        match = request.resolver_match
        if match is not None and match.url_name in OPEN_WHILE_PENDING:
            return None
        return redirect(reverse("two-factor-verify") + "?" +
                        urlencode({"next": request.get_full_path()}))

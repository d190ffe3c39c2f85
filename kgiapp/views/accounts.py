"""Password reset by email with Django's views: links built from SITE_URL, requests rate-limited."""
import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from teams.forms import DisplayNameForm
from teams.services import user_set_display_name
from teams.two_factor import may_enrol

# At most this many reset emails per address, and per client address, in the window.
RESET_LIMIT = 5
RESET_WINDOW_SECONDS = 3600


def _over_limit(kind: str, value: str) -> bool:
    """Count one request under (kind, value); True when the window's limit is passed."""
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    key = f"password-reset:{kind}:{digest}"
    cache.add(key, 0, RESET_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, RESET_WINDOW_SECONDS)
        count = 1
    return count > RESET_LIMIT


class PasswordResetView(auth_views.PasswordResetView):
    """Always answers "check your inbox" (no hint whether the address is known)."""

    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        client = self.request.META.get("REMOTE_ADDR", "")
        # Both counters move on every request, so neither can be used to probe the other.
        limited = _over_limit("email", email) | _over_limit("client", client)
        if limited:
            return super(auth_views.PasswordResetView, self).form_valid(form)
        # Links in the email point at the instance's public address, not the Host header.
        self.extra_email_context = {"site_url": settings.SITE_URL}
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("password_reset_complete")


class LoginView(auth_views.LoginView):
    """Django's login, plus the single sign-on button when it is configured."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sso_enabled"] = settings.OIDC_ENABLED
        context["sso_provider"] = settings.OIDC_PROVIDER_NAME
        return context


@login_required
def profile(request):
    """The person's own account: the display name colleagues see (two-factor for admins)."""
    form = DisplayNameForm(request.POST or None,
                           initial={"display_name": request.user.get_full_name()})
    if request.method == "POST" and form.is_valid():
        user_set_display_name(user=request.user, display_name=form.cleaned_data["display_name"])
        messages.success(request, _("Display name saved."))
        return redirect("account-profile")
    return render(request, "registration/profile.html",
                  {"form": form, "may_two_factor": may_enrol(request.user)},
                  status=400 if request.method == "POST" else 200)

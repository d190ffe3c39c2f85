"""Accepting a one-time invitation link."""
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from teams import services
from teams.forms import InvitationAcceptForm


def invite_accept(request, token):
    invitation = services.invitation_find(token)
    if invitation is None:
        revoked = services.invitation_revoked(token)
        if revoked is not None:
            return render(request, "kgiapp/invite_revoked.html", {"invitation": revoked},
                          status=410)
        return render(request, "kgiapp/invite_invalid.html", status=404)
    form = InvitationAcceptForm(request.POST or None)
    if request.method == "POST":
        try:
            if request.user.is_authenticated:
                membership = services.invitation_accept(raw_token=token, user=request.user)
            elif form.is_valid():
                membership = services.invitation_accept(
                    raw_token=token,
                    username=form.cleaned_data["username"],
                    password=form.cleaned_data["password1"],
                    display_name=form.cleaned_data["display_name"],
                )
                login(request, membership.user,
                      backend="django.contrib.auth.backends.ModelBackend")
            else:
                membership = None
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("home")
        if membership is not None:
            messages.success(request, _("Welcome to %(company)s.") % {
                "company": membership.company.name})
            return redirect("dashboard", company=membership.company.slug)
    return render(request, "kgiapp/invite_accept.html", {"invitation": invitation, "form": form})

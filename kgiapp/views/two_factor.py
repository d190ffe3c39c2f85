"""Two-factor sign-in pages: turn it on or off (admins), and the code step of a login."""
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from teams import two_factor


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Six-digit code"), max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "autofocus": True}))


@login_required
def two_factor_setup(request):
    """Enrol (QR code, secret, first code) or, when on, turn it off with a current code."""
    device = two_factor.active_device(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if device is not None:
                two_factor.disable(request, form.cleaned_data["code"])
                messages.success(request, _("Two-factor sign-in is off."))
            else:
                two_factor.enrolment_confirm(request, form.cleaned_data["code"])
                messages.success(request, _("Two-factor sign-in is on: each login now asks "
                                            "for a code from the app."))
            return redirect("two-factor")
        except ValidationError as exc:
            form.add_error("code", exc)
    context = {"form": form, "device": device, "allowed": two_factor.may_enrol(request.user)}
    if device is None and context["allowed"]:
        pending = two_factor.enrolment_start(request.user)
        context.update(qr=two_factor.qr_data_uri(pending),
                       secret=two_factor.secret_text(pending))
    return render(request, "registration/two_factor.html", context,
                  status=400 if form.errors else 200)


@login_required
def two_factor_verify(request):
    """The second step of a login for people with two-factor on."""
    target = request.GET.get("next") or request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = "/"
    if not two_factor.is_pending(request):
        return redirect(target)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            two_factor.login_verify(request, form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            return redirect(target)
    return render(request, "registration/two_factor_verify.html",
                  {"form": form, "next": target}, status=400 if form.errors else 200)

"""Optional two-factor sign-in (TOTP, django-otp) for admins.

An admin enrols from their account page: a fresh secret is shown as a QR code and as text,
and becomes active once a code from the authenticator app is confirmed. From then on, a
password (or single sign-on) login leaves the session *pending* (``PENDING_KEY``) until a
current code is entered; ``kgiapp.middleware.TwoFactorMiddleware`` sends a pending session
to the code page and nowhere else. django-otp checks the codes: ±1 time step, each code
once (``last_t``), and failures slow further tries down (its throttling).
"""
from __future__ import annotations

import base64
import io

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.qr import write_qrcode_image

from teams.models import Membership, Role

PENDING_KEY = "kgi_2fa_pending"
DEVICE_NAME = "authenticator"


def may_enrol(user) -> bool:
    """Two-factor is offered to instance admins and company admins."""
    return bool(user.is_authenticated and (
        user.is_superuser or Membership.objects.filter(user=user, role=Role.ADMIN).exists()))


def active_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def enrolment_start(user) -> TOTPDevice:
    """The unconfirmed device to show: its secret stays until confirmed or turned off."""
    if not may_enrol(user):
        raise ValidationError(_("Two-factor sign-in is for admins."))
    if active_device(user) is not None:
        raise ValidationError(_("Two-factor sign-in is already on."))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def enrolment_confirm(request, code: str) -> TOTPDevice:
    """Turn two-factor on with a first code from the app; the session counts as verified."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        raise ValidationError(_("Start the enrolment again: scan the new code."))
    if not device.verify_token(_digits(code)):
        raise ValidationError(_("That code is not right (or has been used). Enter the "
                                "current six digits from the app."))
    with transaction.atomic():
        TOTPDevice.objects.filter(user=request.user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    otp_login(request, device)
    return device


def disable(request, code: str) -> None:
    """Turn two-factor off; a current code is needed, so a borrowed session cannot."""
    device = active_device(request.user)
    if device is None:
        raise ValidationError(_("Two-factor sign-in is not on."))
    if not device.verify_token(_digits(code)):
        raise ValidationError(_("That code is not right (or has been used). Enter the "
                                "current six digits from the app."))
    TOTPDevice.objects.filter(user=request.user).delete()


def login_verify(request, code: str) -> None:
    """The second step of a login: a current code ends the pending state."""
    device = active_device(request.user)
    if device is not None and not device.verify_token(_digits(code)):
        raise ValidationError(_("That code is not right (or has been used). Enter the "
                                "current six digits from the app."))
    request.session.pop(PENDING_KEY, None)
    if device is not None:
        otp_login(request, device)


def on_login(sender, request, user, **kwargs):
    """user_logged_in: a user with two-factor on starts pending (connected in apps.py)."""
    if request is not None and hasattr(request, "session") and \
            TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        request.session[PENDING_KEY] = True


def is_pending(request) -> bool:
    session = getattr(request, "session", None)
    return bool(session is not None and session.get(PENDING_KEY))


def secret_text(device: TOTPDevice) -> str:
    """The secret as the apps' manual entry wants it: base32, in groups of four."""
    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// URL as an SVG QR code, for an <img> (CSP allows data: images)."""
    out = io.BytesIO()
    write_qrcode_image(device.config_url, out)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


def _digits(code: str) -> str:
    return "".join(ch for ch in str(code or "") if not ch.isspace())

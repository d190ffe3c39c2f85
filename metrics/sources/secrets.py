"""Credentials kept encrypted (Fernet) and webhook signatures (HMAC-SHA256).

The key is ``settings.SOURCES_SECRET_KEY`` (a Fernet key from the environment) or, when
unset, one derived from SECRET_KEY. What is encrypted is never displayed back: a
webhook's secret is shown once, when it is made.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

# A webhook's timestamp may be this old (or this far ahead): older posts are replays.
MAX_SKEW_SECONDS = 300


def _fernet() -> Fernet:
    key = getattr(settings, "SOURCES_SECRET_KEY", "")
    if not key:
        digest = hashlib.sha256(("kgiapp.sources:" + settings.SECRET_KEY).encode()).digest()
        key = base64.urlsafe_b64encode(digest)
    return Fernet(key)


def encrypt(text: str) -> bytes:
    return _fernet().encrypt(text.encode())


def decrypt(token: bytes) -> str:
    """The stored text; "" when nothing is stored or the key changed."""
    if not token:
        return ""
    try:
        return _fernet().decrypt(bytes(token)).decode()
    except InvalidToken:
        return ""


def new_webhook_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` of ``"<timestamp>." + body`` (what a sender puts in X-Kgi-Signature)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def check_signature(secret: str, timestamp: str, body: bytes, given: str,
                    now: float | None = None) -> str | None:
    """None when the post is signed with the secret and fresh; otherwise why it is refused."""
    try:
        sent = int(timestamp)
    except (TypeError, ValueError):
        return "bad_timestamp"
    if abs((now if now is not None else time.time()) - sent) > MAX_SKEW_SECONDS:
        return "replay"
    if not secret or not hmac.compare_digest(signature(secret, timestamp, body), given or ""):
        return "bad_signature"
    return None

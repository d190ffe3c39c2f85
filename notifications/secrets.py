"""Webhook URLs at rest: encrypted with Fernet, shown back only masked.

The key comes from NOTIFY_FERNET_KEY when set (a Fernet key), else it is derived from
SECRET_KEY, so rotating SECRET_KEY means entering the webhook URLs again.
"""
import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    key = getattr(settings, "NOTIFY_FERNET_KEY", "")
    if not key:
        digest = hashlib.sha256(f"kgiapp-webhooks:{settings.SECRET_KEY}".encode()).digest()
        key = base64.urlsafe_b64encode(digest).decode()
    return Fernet(key)


def encrypt(url: str) -> str:
    return _fernet().encrypt(url.encode()).decode() if url else ""


def decrypt(token: str) -> str:
    """The stored URL, or "" when there is none or the key changed."""
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return ""


def mask(url: str) -> str:
    """https://hooks.slack.com/services/T000/B000/XXXX → https://hooks.slack.com/…XXXX."""
    if not url:
        return ""
    scheme, _sep, rest = url.partition("://")
    host = rest.split("/", 1)[0]
    return f"{scheme}://{host}/…{url[-4:]}"

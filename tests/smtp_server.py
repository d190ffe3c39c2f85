"""A real SMTP server for tests (aiosmtpd), and settings that send Django's mail to it."""
import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller


class _Collect:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)
        return "250 Message accepted"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """Start an SMTP server on a free port and point Django's SMTP backend at it.

    Yields the handler; ``handler.messages`` are the parsed emails it received.
    """
    handler = _Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    try:
        yield handler
    finally:
        controller.stop()


def body_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()

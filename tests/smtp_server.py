"""A real SMTP server for tests (aiosmtpd), and settings that send Django's mail to it.

The one local SMTP server of the suite: ``smtp_server`` (a fixture; notifications' ``smtp``
is this one plus the site URL) yields a ``Mailbox`` of the parsed emails it accepted. It
can refuse the next messages (``refuse_next``) or hold one without answering
(``hold_next``), so tests see what a sender does with a failed or interrupted send.
"""
import asyncio
import email
import email.policy
import socket
import threading

import pytest
from aiosmtpd.controller import Controller


class Mailbox:
    def __init__(self):
        self.messages = []  # accepted (answered 250)
        self.refused = []  # answered with an error
        self.held = []  # received, never answered
        self._refuse = []
        self._hold = None

    def refuse_next(self, *replies):
        """Answer the next DATA commands with these replies, e.g. "451 4.3.0 Try later"."""
        self._refuse = list(replies)

    def hold_next(self) -> threading.Event:
        """Keep the next message unanswered until the returned event is set."""
        self._hold = threading.Event()
        return self._hold

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        if self._hold is not None:
            gate, self._hold = self._hold, None
            self.held.append(message)
            await asyncio.get_running_loop().run_in_executor(None, gate.wait, 30)
            return "421 4.3.0 Closing"
        if self._refuse:
            self.refused.append(message)
            return self._refuse.pop(0)
        self.messages.append(message)
        return "250 Message accepted"

    def to(self, address):
        return [m for m in self.messages if address in m["To"]]

    def clear(self):
        self.messages.clear()


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """Start an SMTP server on a free port and point Django's SMTP backend at it."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    try:
        yield mailbox
    finally:
        controller.stop()


def body_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()

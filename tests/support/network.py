"""Real network peers for tests: a free loopback port and an SMTP server that keeps what it gets."""

import email
import socket
import threading
from email import policy

from aiosmtpd.controller import Controller


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """What the SMTP server received: (envelope recipients, parsed message) per mail."""

    def __init__(self):
        self.mails: list[tuple[list[str], email.message.EmailMessage]] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.mails.append((list(envelope.rcpt_tos), parsed))
        return "250 2.0.0 Ok: queued as TEST123"

    def to(self, address: str) -> list:
        return [mail for rcpts, mail in self.mails if address in rcpts]

    @property
    def recipients(self) -> list[str]:
        return [address for rcpts, _mail in self.mails for address in rcpts]


def smtp_server_running(settings, inbox: Inbox):
    """Start an aiosmtpd server on loopback and point Django's SMTP mail at it; a generator."""
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield inbox
    finally:
        controller.stop()

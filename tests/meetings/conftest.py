"""A real SMTP server on loopback for invitations, and helpers to read the calendar parts."""

import email
import socket
import threading
from email import policy

import pytest
from aiosmtpd.controller import Controller
from icalendar import Calendar

import tminus.meetings.tasks  # noqa: F401  (registers the invitation job)
from tminus.worker.loop import run_once


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """Mail the SMTP server received, parsed."""

    def __init__(self):
        self.mails: list[tuple[list[str], email.message.EmailMessage]] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.mails.append((list(envelope.rcpt_tos), parsed))
        return "250 2.0.0 Ok: queued"

    def invites_to(self, address: str) -> list["Invite"]:
        return [Invite(mail) for rcpts, mail in self.mails
                if address in rcpts and _calendar_part(mail) is not None]


def _calendar_part(mail):
    for part in mail.walk():
        if part.get_content_type() == "text/calendar":
            return part
    return None


class Invite:
    """One invitation email: its calendar part's method and the parsed event."""

    def __init__(self, mail):
        self.mail = mail
        part = _calendar_part(mail)
        self.part_method = part.get_param("method")
        self.raw = part.get_content()
        self.calendar = Calendar.from_ical(self.raw)
        self.event = self.calendar.walk("VEVENT")[0]

    @property
    def method(self) -> str:
        return str(self.calendar["METHOD"])

    @property
    def uid(self) -> str:
        return str(self.event["UID"])

    @property
    def sequence(self) -> int:
        return int(self.event["SEQUENCE"])

    @property
    def attendees(self) -> list[str]:
        values = self.event.get("ATTENDEE", [])
        values = values if isinstance(values, list) else [values]
        return [str(value).removeprefix("mailto:") for value in values]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1; Django's mail goes to it over SMTP."""
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()


@pytest.fixture
def work():
    """Run the worker until nothing is due; returns how many tasks ran."""
    def run() -> int:
        total = 0
        while True:
            ran = run_once("test-worker")
            total += ran
            if not ran:
                return total
    return run

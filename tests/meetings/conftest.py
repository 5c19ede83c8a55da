"""A real SMTP server on loopback for invitations, and helpers to read the calendar parts."""

import pytest
from icalendar import Calendar

import tminus.meetings.tasks  # noqa: F401  (registers the invitation job)
from tests.support.network import Inbox, smtp_server_running
from tminus.worker.loop import run_once


class InviteInbox(Inbox):
    """Mail the SMTP server received, with the invitations picked out."""

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
    yield from smtp_server_running(settings, InviteInbox())


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

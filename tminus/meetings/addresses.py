"""Who an attendee is by address: a person's email, or the people a role names on the release.

A role ('Support Lead', 'QA', 'Project Manager') matches the release's stakeholders by their
stakeholder role or their job title.
"""

from tminus.meetings.models import Meeting, MeetingAttendee

# The roles seed 003 invites to its reviews, and the stakeholder role each one usually is.
ROLE_ALIASES = {
    "project manager": "project_management",
    "technical lead": "development",
    "tech lead": "development",
    "product owner": "product",
    "product manager": "product",
    "support lead": "customer_support",
    "support team": "customer_support",
    "qa lead": "qa",
    "devops lead": "operations",
    "project sponsor": "sponsor",
    "business sponsor": "sponsor",
}


class RoleDirectory:
    """The release's stakeholders, loaded once, looked up by role name."""

    def __init__(self, release):
        self.entries = []
        try:
            from tminus.people.models import Stakeholder
        except ImportError:  # the people area is not installed
            return
        for stakeholder in Stakeholder.objects.filter(release=release).select_related("person"):
            self.entries.append((stakeholder.role, stakeholder.get_role_display().lower(),
                                 (stakeholder.person.title or "").strip().lower(),
                                 stakeholder.person))

    def people(self, role: str) -> list:
        wanted = (role or "").strip().lower()
        value = ROLE_ALIASES.get(wanted, wanted.replace(" ", "_"))
        found = []
        for role_value, role_label, title, person in self.entries:
            matches = bool(wanted) and (wanted in (title, role_label) or role_value == value)
            if matches and person not in found:
                found.append(person)
        return found


def addresses(attendee: MeetingAttendee, directory: RoleDirectory) -> list[tuple[str, str]]:
    """(name, email) for everyone the attendee stands for who has an address."""
    if attendee.person_id:
        person = attendee.person
        return [(person.name, person.email)] if person.email else []
    return [(person.name, person.email) for person in directory.people(attendee.role)
            if person.email]


def attendee_addresses(meeting: Meeting) -> dict[int, list[tuple[str, str]]]:
    """Every attendee's addresses (attendee id -> list), in two queries."""
    directory = RoleDirectory(meeting.release)
    return {attendee.pk: addresses(attendee, directory)
            for attendee in meeting.attendees.select_related("person")}

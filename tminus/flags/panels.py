"""The release page's panel: flags linked to the release, with their state per environment."""

from django.utils import timezone

from tminus.flags import change_requests, selectors


def release_flags(request, release) -> dict:
    return {"rows": selectors.flags_for_release(release)}


def pending_change_notes(release) -> list[str]:
    """The go/no-go lists the release's flag changes still waiting for approval or their
    time, so nobody decides without knowing what is about to change."""
    notes = []
    for change in change_requests.change_requests(status="pending", release=release):
        if change.status == "open":
            state = f"waits for approval (asked by {change.requested_label})"
        else:
            state = ("scheduled for "
                     f"{timezone.localtime(change.scheduled_for):%Y-%m-%d %H:%M %Z}")
        notes.append(f"Flag change request #{change.pk}: {change.summary}, {state}.")
    return notes

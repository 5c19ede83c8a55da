"""The release page's panel: flags linked to the release, with their state per environment."""

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
            state = (f"scheduled for "
                     f"{change_requests.local_moment(change):%Y-%m-%d %H:%M %Z}")
        notes.append(f"Flag change request #{change.pk}: {change.summary}, {state}.")
    return notes


def scheduled_change_marks(release) -> list:
    """The release's scheduled flag changes on its timeline, on their day."""
    from tminus.releases.timeline import Mark

    return [Mark(change_requests.local_moment(change).date(),
                 f"{change.summary} at {change_requests.local_moment(change):%H:%M %Z}"
                 f" (#{change.pk})", "flag-change")
            for change in change_requests.change_requests(status="pending", release=release)
            if change.scheduled_for is not None]

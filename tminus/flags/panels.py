"""The release page's panel: flags linked to the release, with their state per environment."""

from tminus.flags import selectors


def release_flags(request, release) -> dict:
    return {"rows": selectors.flags_for_release(release)}

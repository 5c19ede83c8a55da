"""Helpers shared by the readiness tests."""

from tests.factories import make_release
from tminus.core.actors import Actor
from tminus.releases import services as release_services

PATH_TO_READY = ["development", "testing", "staging", "ready"]


def move_to_ready(release):
    """Walk a release along the workflow to ready, as a release manager would."""
    for status in PATH_TO_READY:
        release_services.release_transition(release=release, to_status=status, actor=Actor.cli())
    release.refresh_from_db()
    return release


def bare_release(**kwargs):
    """A release without its template's readiness criteria, so a test sets its own."""
    release = make_release(**kwargs)
    release.readiness_criteria.all().delete()
    return release

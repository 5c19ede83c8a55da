"""The one edit path: every kind refuses bad changes per field, checks revisions, audits."""

import pytest

from tests.factories import make_release
from tminus.audit.models import AuditEvent
from tminus.core.actors import Actor
from tminus.core.concurrency import REVISION_MISSING
from tminus.core.errors import Conflict, NotAllowed, PreconditionRequired, ValidationFailed
from tminus.readiness import services


@pytest.fixture
def risk(db, contributor):
    release = make_release(name="Checkout")
    return services.risk_add(release=release, description="Card provider slow",
                             probability="high", impact="high",
                             actor=Actor(user=contributor, interface="web"))


def _update(risk, user, revision, **changes):
    return services.risk_update(risk=risk, revision=revision, changes=changes,
                                actor=Actor(user=user, interface="web"))


def test_it_refuses_wrong_types_nulls_and_unknown_fields_each_with_its_own_message(
        risk, contributor):
    with pytest.raises(ValidationFailed) as refused:
        _update(risk, contributor, risk.revision, review_date="someday", mitigation=None,
                description=["a", "list"], release_id=4)
    assert set(refused.value.errors) == {"review_date", "mitigation", "description",
                                         "release_id"}


def test_it_refuses_an_edit_without_revision_from_a_person_with_the_current_state(
        risk, contributor):
    with pytest.raises(PreconditionRequired) as refused:
        _update(risk, contributor, REVISION_MISSING, mitigation="Second provider")
    assert refused.value.current["revision"] == risk.revision


def test_it_refuses_a_stale_edit_with_the_current_state(risk, contributor):
    stale = risk.revision
    _update(risk, contributor, stale, mitigation="Second provider")
    with pytest.raises(Conflict) as refused:
        _update(risk, contributor, stale, mitigation="Retry")
    assert refused.value.current["mitigation"] == "Second provider"


def test_it_refuses_an_edit_by_a_role_without_the_kinds_capability(risk, viewer):
    with pytest.raises(NotAllowed):
        _update(risk, viewer, risk.revision, mitigation="Nope")


def test_it_audits_an_edit_with_the_interface_it_came_through(risk, contributor):
    _update(risk, contributor, risk.revision, mitigation="Second provider")
    event = AuditEvent.objects.filter(action="risk.update").latest("pk")
    assert event.after["mitigation"] == "Second provider"
    assert event.interface == "web"

"""Deployment day against the real go/no-go gate of the readiness area."""

import pytest

from tests.runbooks.conftest import release_at
from tminus.core.actors import Actor
from tminus.core.errors import TransitionNotAllowed
from tminus.readiness.services import gate_override
from tminus.runbooks import services
from tminus.runbooks.models import RunbookRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(db, monkeypatch):
    # Reach "ready" without guards, then put the real ones back for the deployment itself.
    from tminus.releases import workflow

    guards = list(workflow._guards)
    monkeypatch.setattr(workflow, "_guards", [])
    release = release_at("ready")
    monkeypatch.setattr(workflow, "_guards", guards)
    return release


def test_deployment_start_without_a_go_is_refused_by_the_readiness_gate(ready):
    with pytest.raises(TransitionNotAllowed) as refused:
        services.deployment_start(release=ready, actor=Actor.cli())

    assert refused.value.message.startswith(f"Cannot start the deployment of {ready.key}: ")
    assert "only after a Go" in refused.value.message
    assert not RunbookRun.objects.exists()


def test_deployment_start_after_an_admin_override_goes_ahead(ready, admin_user):
    gate_override(release=ready, reason="Sponsor approved by phone",
                  actor=Actor(admin_user, "web"))

    run = services.deployment_start(release=ready, actor=Actor.cli())

    assert run.status == "running"

from datetime import date, timedelta

import pytest

from tests.factories import ProductFactory, make_release
from tminus.core.actors import Actor
from tminus.core.events import on
from tminus.releases import services as release_services
from tminus.releases import workflow

TO_READY = ["development", "testing", "staging", "ready"]


@pytest.fixture
def open_gate(monkeypatch):
    """No workflow guards: these tests are about deployment day, not about the go/no-go gate."""
    monkeypatch.setattr(workflow, "_guards", [])


def release_at(status: str = "ready", *, template: str = "minor", **kwargs):
    """A release moved along the workflow to status (ready by default)."""
    product = kwargs.pop("product", None) or ProductFactory(key="shop", name="Shop")
    release = make_release(product, template=template, version=kwargs.pop("version", "1.1"),
                           go_live=kwargs.pop("go_live", date.today() + timedelta(days=1)),
                           **kwargs)
    path = [*TO_READY, "deploying", "live"]
    steps = [] if status == "planning" else path[: path.index(status) + 1]
    for step in steps:
        release_services.release_transition(release=release, to_status=step, actor=Actor.cli())
    release.refresh_from_db()
    return release


@pytest.fixture
def ready_release(db, open_gate):
    return release_at("ready")


class EventLog(list):
    def named(self, name: str) -> list[dict]:
        return [entry for entry in self if entry["event"] == name]


@pytest.fixture
def events():
    """Every event emitted during the test, in order."""
    log = EventLog()

    @on("*")
    def record(*, event, release, payload, actor):
        log.append({"event": event, "release": release.key, "payload": payload,
                    "interface": actor.interface})

    yield log
    from tminus.core import events as core_events

    core_events._listeners["*"].remove(record)

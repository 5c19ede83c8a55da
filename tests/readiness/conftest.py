from datetime import date, timedelta

import pytest

from tests.factories import make_release
from tminus.people.models import Person


@pytest.fixture
def release(db):
    return make_release(template="minor", go_live=date.today() + timedelta(days=20))


@pytest.fixture
def approver(db, manager):
    """A person who signs in as the release manager."""
    return Person.objects.create(name="Quinn QA", email="quinn@example.com", user=manager)


@pytest.fixture
def other_person(db):
    return Person.objects.create(name="Oscar Ops", email="oscar@example.com")

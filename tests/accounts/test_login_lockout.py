"""Signing in through the real login form: repeated failures lock out, an admin unlocks."""

from datetime import timedelta
from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tests.conftest import signed_in
from tests.factories import PASSWORD as FACTORY_PASSWORD
from tests.factories import UserFactory
from tminus.audit.models import AuditEvent

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


@pytest.fixture
def person():
    user = UserFactory(username="lena")
    user.set_password(PASSWORD)
    user.save()
    return user


def _sign_in(username, password, address="203.0.113.7", client=None):
    client = client or Client(REMOTE_ADDR=address)
    response = client.post("/accounts/login/", {"username": username, "password": password},
                           REMOTE_ADDR=address)
    return response, client


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_right_password_after_the_failure_limit_is_refused_with_the_locked_page(person,
                                                                                 settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        failed, _client = _sign_in("lena", "wrong")
        assert failed.status_code == 200 and b"Please enter a correct" in failed.content
    assert _sign_in("lena", "wrong")[0].status_code == 429  # the failure that reaches the limit

    response, client = _sign_in("lena", PASSWORD)

    assert response.status_code == 429
    assert b"Sign-in locked" in response.content and b"API tokens keep working" in response.content
    assert not _signed_in(client)


def test_fewer_failures_than_the_limit_then_the_right_password_signs_in(person, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _sign_in("lena", "wrong")
    response, client = _sign_in("lena", PASSWORD)
    assert response.status_code == 302 and _signed_in(client)
    assert not AccessAttempt.objects.exists()  # success resets the count


def test_one_address_trying_many_usernames_is_locked_for_all_of_them(person, settings):
    for index in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(f"guess{index}", "wrong")

    response, client = _sign_in("lena", PASSWORD)

    assert response.status_code == 429 and not _signed_in(client)


def test_signing_in_to_an_own_account_does_not_reset_the_address_count(person, settings):
    UserFactory(username="mallory")  # the sprayer's own account

    for index in range(settings.AXES_FAILURE_LIMIT - 1):
        _sign_in(f"guess{index}", "wrong")
    signed, _client = _sign_in("mallory", FACTORY_PASSWORD)  # resets only mallory's failures
    assert signed.status_code == 302

    assert _sign_in("guess-last", "wrong")[0].status_code == 429
    assert _sign_in("lena", PASSWORD)[0].status_code == 429


def test_lockout_at_one_address_leaves_the_person_free_at_another(person, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in("lena", "wrong", address="203.0.113.7")

    response, client = _sign_in("lena", PASSWORD, address="198.51.100.20")

    assert response.status_code == 302 and _signed_in(client)


def test_api_token_keeps_working_while_its_owner_is_locked_out(person, settings, api_as):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in("lena", "wrong", address="127.0.0.1")
    api = api_as(person)

    response = api.client.get("/api/v1/me", REMOTE_ADDR="127.0.0.1")

    assert response.status_code == 200 and response.json()["username"] == "lena"


def test_lockout_ends_after_the_cool_off(person, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in("lena", "wrong")
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME
                                 - timedelta(seconds=1))

    response, client = _sign_in("lena", PASSWORD)

    assert response.status_code == 302 and _signed_in(client)


def test_admin_unlocks_from_the_page_and_the_unlock_is_audited(person, settings, admin_user):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in("lena", "wrong")
    admin = signed_in(admin_user)
    page = admin.get("/accounts/lockouts/")
    assert page.status_code == 200 and b"lena" in page.content and b"locked" in page.content

    unlocked = admin.post("/accounts/lockouts/unlock",
                          {"username": "lena", "ip_address": "203.0.113.7"}, follow=True)

    assert b"Unlocked lena and 203.0.113.7" in unlocked.content
    response, client = _sign_in("lena", PASSWORD)
    assert response.status_code == 302 and _signed_in(client)
    event = AuditEvent.objects.get(action="login.unlock")
    assert event.actor == admin_user and event.interface == "web"
    assert event.before["attempts"][0]["failures"] == settings.AXES_FAILURE_LIMIT


def test_lockout_page_and_unlock_are_for_admins_only(person, manager, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in("lena", "wrong")
    client = signed_in(manager)
    assert client.get("/accounts/lockouts/").status_code == 403
    assert client.post("/accounts/lockouts/unlock", {"username": "lena"}).status_code == 403
    assert AccessAttempt.objects.exists()


def test_cli_unlocks_a_username_and_records_it(person, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in("lena", "wrong")
    listed = StringIO()
    call_command("lockouts", "list", stdout=listed)
    assert "lena\t203.0.113.7\t5 failures\tlocked" in listed.getvalue()

    out = StringIO()
    call_command("lockouts", "unlock", "lena", stdout=out)

    assert "Unlocked lena" in out.getvalue()
    assert _sign_in("lena", PASSWORD)[0].status_code == 302
    assert AuditEvent.objects.get(action="login.unlock").interface == "cli"


def test_cli_unlock_of_someone_never_locked_says_so():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No failed sign-ins recorded for nobody"):
        call_command("lockouts", "unlock", "nobody")


def test_client_address_behind_trusted_proxies_is_read_from_the_right(settings):
    from django.test import RequestFactory

    from tminus.accounts.lockouts import client_ip

    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2",
                                   HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9, 10.0.0.1")
    settings.TRUSTED_PROXIES = 0
    assert client_ip(request) == "10.0.0.2"
    settings.TRUSTED_PROXIES = 2
    assert client_ip(request) == "203.0.113.9"

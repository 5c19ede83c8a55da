"""Security headers: a Content-Security-Policy on every page, HSTS once cookies are secure."""

import importlib

import pytest

from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def _directives(header: str) -> dict[str, list[str]]:
    parts = [part.strip().split() for part in header.split(";") if part.strip()]
    return {part[0]: part[1:] for part in parts}


@pytest.mark.parametrize("path", ["/accounts/login/", "/", "/comms/channels/", "/api/v1/me",
                                  "/api/v1/docs"])
def test_every_answer_carries_a_policy_without_inline_script(client, admin_user, path):
    response = signed_in(admin_user).get(path) if path != "/accounts/login/" else \
        client.get(path)

    policy = _directives(response["Content-Security-Policy"])

    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]


def test_printable_plan_may_use_exactly_its_own_stylesheet(admin_user):
    from tests.factories import make_release
    from tminus.core.csp import style_source
    from tminus.plans.printable import PRINTABLE_CSS

    release = make_release(template="patch")
    response = signed_in(admin_user).get(f"/releases/{release.key}/export.html")

    assert response.status_code == 200
    assert f"<style>{PRINTABLE_CSS}</style>" in response.content.decode()
    style = _directives(response["Content-Security-Policy"])["style-src"]
    assert style == ["'self'", style_source(PRINTABLE_CSS)]


def test_no_page_template_has_inline_script_handlers_or_style_attributes():
    from pathlib import Path

    import tminus

    offenders = []
    for template in Path(tminus.__file__).parent.glob("*/templates/**/*.html"):
        text = template.read_text()
        for needle in (" onclick=", " onsubmit=", " onchange=", " onload=", ' style="',
                       "<script>"):
            if needle in text:
                offenders.append(f"{template.name}: {needle.strip()}")
    assert not offenders


@pytest.mark.parametrize("secure, expected", [("true", 31536000), ("false", 0)])
def test_hsts_follows_secure_cookies(monkeypatch, secure, expected):
    monkeypatch.setenv("TMINUS_SECURE_COOKIES", secure)
    import tminus.settings as settings_module

    try:
        hsts_seconds = importlib.reload(settings_module).SECURE_HSTS_SECONDS
        assert hsts_seconds == expected
    finally:
        monkeypatch.undo()
        importlib.reload(settings_module)


def test_hsts_header_is_sent_over_https_when_cookies_are_secure(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000"

"""HTML built as UTF-8 bytes and spliced into a rendered page: the page is as if written inline."""

import pytest
from django.test import RequestFactory, override_settings

from tminus.core.fragments import EncodedHtml, render_page

TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "OPTIONS": {"loaders": [("django.template.loaders.locmem.Loader", {
        "once.html": "<p>Plan · {{ title }}</p>{{ rows }}<p>end ✓</p>",
        "twice.html": "{{ rows }}<hr>{{ rows|safe }}",
        "none.html": "<p>{{ title }}</p>",
    })]},
}]
ROWS = "<li>Café &amp; crème ✎</li><li>2 &lt; 3</li>"


@pytest.fixture
def request_():
    return RequestFactory().get("/")


@override_settings(TEMPLATES=TEMPLATES)
def test_render_page_puts_the_bytes_where_the_template_shows_them(request_):
    response = render_page(request_, "once.html",
                           {"title": "R&D", "rows": EncodedHtml(ROWS.encode())}, status=207)

    assert response.status_code == 207
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response.content.decode() == f"<p>Plan · R&amp;D</p>{ROWS}<p>end ✓</p>"


@override_settings(TEMPLATES=TEMPLATES)
def test_render_page_fills_every_place_a_fragment_is_shown(request_):
    response = render_page(request_, "twice.html", {"rows": EncodedHtml(ROWS.encode())})

    assert response.content.decode() == f"{ROWS}<hr>{ROWS}"


@override_settings(TEMPLATES=TEMPLATES)
def test_render_page_without_fragments_is_the_plain_rendering(request_):
    response = render_page(request_, "none.html",
                           {"title": "<b>", "rows": EncodedHtml(ROWS.encode())})

    assert response.content.decode() == "<p>&lt;b&gt;</p>"


def test_two_fragments_of_the_same_html_have_different_markers():
    first, second = EncodedHtml(b"<p>x</p>"), EncodedHtml(b"<p>x</p>")

    assert first != second and first.data == second.data

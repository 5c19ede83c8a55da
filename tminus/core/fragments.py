"""Long stretches of a page built directly as UTF-8 bytes and spliced into the response.

A release page with a thousand checklist items is about two megabytes of HTML. Carried through
the template engine as text it is copied at every level of the page and then encoded to UTF-8
character by character, which costs more than building it. `EncodedHtml` holds such a stretch
already encoded; in a template it shows as a marker, and `render_page` puts the bytes in the
marker's place while it encodes the rest of the page. The response is byte for byte what the
page would be with the HTML written into the template.

A view whose context holds an `EncodedHtml` renders with `render_page`, never `render`:
`render` would leave the marker (an HTML comment) where the HTML belongs.
"""

import secrets

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.safestring import SafeString


class EncodedHtml(SafeString):
    """HTML already encoded as UTF-8 (`data`); as text, the marker that stands in for it."""

    def __new__(cls, data: bytes):
        marker = super().__new__(cls, f"<!--encoded-html-{secrets.token_hex(16)}-->")
        marker.data = data
        return marker


def render_page(request, template_name: str, context: dict, *, status: int = 200) -> HttpResponse:
    """`django.shortcuts.render`, with each `EncodedHtml` of the context spliced in as bytes."""
    parts: list = [render_to_string(template_name, context, request)]
    for fragment in context.values():
        if isinstance(fragment, EncodedHtml):
            parts = [piece for part in parts for piece in _split(part, fragment)]
    return HttpResponse([part if isinstance(part, bytes) else part.encode() for part in parts],
                        status=status)


def _split(part, fragment: EncodedHtml) -> list:
    if isinstance(part, bytes) or fragment not in part:
        return [part]
    pieces = part.split(fragment)
    spliced = [pieces[0]]
    for piece in pieces[1:]:
        spliced += [fragment.data, piece]
    return spliced

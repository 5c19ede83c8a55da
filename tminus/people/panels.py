"""The stakeholders and hypercare support panel on the release page."""

from tminus.people import selectors
from tminus.releases.panels import Panel


def _context(request, release) -> dict:
    return {"stakeholders": list(selectors.stakeholders(release)),
            **selectors.support_model(release)}


PANEL = Panel("people", "Stakeholders and support", "people/panel.html", _context,
              order=40, tab="people")

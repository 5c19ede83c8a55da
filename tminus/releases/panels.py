"""Panels on the release page. Other areas (risks, readiness, flags, KPIs ...) add their own
here when their app loads, so the release page grows without each area editing its template.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    template: str
    context: Callable  # (request, release) -> dict for the panel's template
    order: int = 100


_panels: dict[str, Panel] = {}


def register_panel(panel: Panel) -> None:
    _panels[panel.key] = panel


def panels_for(request, release) -> list[dict]:
    """Each panel's title, template and context for this release, in order."""
    return [
        {"key": p.key, "title": p.title, "template": p.template,
         "context": p.context(request, release)}
        for p in sorted(_panels.values(), key=lambda p: (p.order, p.key))
    ]

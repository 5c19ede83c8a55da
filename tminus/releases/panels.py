"""Panels on the release page. Other areas (risks, readiness, flags, KPIs ...) add their own
here when their app loads, so the release page grows without each area editing its template.

The page groups panels into tabs, in the order a release is lived: the plan, proving it is
ready, deployment day, what came out of it, and the people and messages around it.
"""

from collections.abc import Callable
from dataclasses import dataclass

TABS = [
    ("plan", "Plan"),
    ("readiness", "Readiness"),
    ("deployment", "Deployment"),
    ("outcomes", "Outcomes"),
    ("people", "People and comms"),
]


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    template: str
    context: Callable  # (request, release) -> dict for the panel's template
    order: int = 100
    tab: str = "plan"  # one of TABS


_panels: dict[str, Panel] = {}


def register_panel(panel: Panel) -> None:
    _panels[panel.key] = panel


def panels_for(request, release) -> list[dict]:
    """Each panel's title, tab, template and context for this release, in order."""
    return [
        {"key": p.key, "title": p.title, "template": p.template, "tab": p.tab,
         "context": p.context(request, release)}
        for p in sorted(_panels.values(), key=lambda p: (p.order, p.key))
    ]


def tabs_for(panels: list[dict]) -> list[tuple[str, str]]:
    """The tabs that have something in them; the plan tab always does."""
    used = {panel["tab"] for panel in panels} | {"plan"}
    return [(key, label) for key, label in TABS if key in used]

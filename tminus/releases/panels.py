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


def panels_for(request, release, tab: str) -> list[dict]:
    """Title, template and context of each panel on one tab, in order.

    Only the tab shown is computed: a release page with every area's panels at once would
    spend most of its time on tabs nobody is looking at.
    """
    return [
        {"key": p.key, "title": p.title, "template": p.template,
         "context": p.context(request, release)}
        for p in sorted(_panels.values(), key=lambda p: (p.order, p.key))
        if p.tab == tab
    ]


def tabs() -> list[tuple[str, str]]:
    """The tabs that have something in them; the plan and history tabs always do."""
    used = {panel.tab for panel in _panels.values()} | {"plan", "history"}
    return [(key, label) for key, label in [*TABS, ("history", "History")] if key in used]


# Warnings shown at the top of every tab (a go-live inside a freeze window, say): an area adds a
# function fn(release) -> list[str] here.
_alert_sources: list[Callable] = []


def register_alert_source(source: Callable) -> None:
    if source not in _alert_sources:
        _alert_sources.append(source)


def alerts_for(release) -> list[str]:
    return [alert for source in _alert_sources for alert in source(release)]

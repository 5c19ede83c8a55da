"""The readiness panels on the release page: gate status, risk heat map, dependencies."""

from tminus.readiness import selectors
from tminus.readiness.choices import RiskStatus
from tminus.readiness.heatmap import heat_map_svg
from tminus.releases.panels import Panel


def _readiness_context(request, release) -> dict:
    gate = selectors.gate_status(release)
    return {"gate": gate, "met": sum(1 for c in gate["criteria"] if c["met"]),
            "total": len(gate["criteria"])}


def _risks_context(request, release) -> dict:
    risks = list(selectors.risks(release))
    return {"heat_map": heat_map_svg(risks),
            "open_risks": [r for r in risks if r.status == RiskStatus.OPEN][:5],
            "risk_total": len(risks)}


def _dependencies_context(request, release) -> dict:
    now = selectors.today()
    rows = [(d, selectors.dependency_state(d, now)) for d in selectors.dependencies(release)]
    return {"dependencies": rows, "contingencies": list(selectors.contingencies(release))}


PANELS = [
    Panel("readiness", "Readiness and go/no-go", "readiness/panel_readiness.html",
          _readiness_context, order=10, tab="readiness"),
    Panel("risks", "Risks", "readiness/panel_risks.html", _risks_context, order=20,
          tab="readiness"),
    Panel("dependencies", "Dependencies and contingency plans",
          "readiness/panel_dependencies.html", _dependencies_context, order=30, tab="readiness"),
]

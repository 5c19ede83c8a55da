"""The deployment-day panel on the release page: the current run as it stands."""

from tminus.runbooks import selectors
from tminus.runbooks.choices import PhaseStatus


def deployment_panel_context(request, release) -> dict:
    run = selectors.current_run(release)
    view = selectors.run_view(run) if run else None
    current_phase = None
    if view is not None:
        current_phase = next((p for p in view.phases if p.status in (PhaseStatus.RUNNING,
                                                                     PhaseStatus.FAILED)), None)
        current_phase = current_phase or next(
            (p for p in view.phases if p.status == PhaseStatus.PENDING), None)
    return {"run": run, "view": view, "current_phase": current_phase}

"""The outcomes panels on the release page (registered in apps.py)."""

from tminus.outcomes import selectors
from tminus.outcomes.models import Closeout


def kpi_panel(request, release) -> dict:
    return {"views": selectors.release_kpis(release)}


def closeout_panel(request, release) -> dict:
    signoffs = selectors.signoffs_of(release)
    questions = list(release.review_questions.values_list("answer", flat=True))
    closeout = Closeout.objects.filter(release=release).first()
    handoff = []
    if closeout and closeout.handoff_section_id:
        handoff = list(release.checklist_items.filter(section_id=closeout.handoff_section_id)
                       .values_list("status", flat=True))
    return {
        "questions": len(questions),
        "answered": sum(1 for answer in questions if answer),
        "lessons": release.lessons.count(),
        "signoffs": len(signoffs),
        "signed": sum(1 for s in signoffs if s.signed_at),
        "waiting": [s.role for s in signoffs if not s.signed_at],
        "handoff_total": len(handoff),
        "handoff_done": sum(1 for status in handoff if status in ("done", "skipped")),
    }

"""Plain dicts of release notes, reports and dashboards for the API."""

from tminus.outcomes.presenters import kpi_dict
from tminus.releases.presenters import release_summary


def notes_dict(notes) -> dict:
    return {"release": notes.release.key, "body": notes.body, "edited": notes.edited,
            "generated_at": notes.generated_at, "updated_at": notes.updated_at,
            "updated_by": notes.updated_by.username if notes.updated_by else None,
            "sent_at": notes.sent_at, "sent_to": notes.sent_to, "revision": notes.revision}


def _reasons(reasons) -> list[dict]:
    return [{"kind": reason.kind, "text": reason.text} for reason in reasons]


def status_report_dict(report: dict) -> dict:
    release = report["release"]
    return {
        "release": release.key, "name": release.name, "product": release.product.key,
        "status": release.status, "version": release.version, "go_live": release.go_live,
        "t_minus_days": report["t_minus"], "owner": release.owner.username if release.owner
        else None, "goal": release.goal, "health": report["health"],
        "reasons": _reasons(report["reasons"]),
        "items_total": report["items_total"], "items_done": report["items_done"],
        "items_overdue": report["overdue_count"],
        "overdue": [{"id": i.pk, "text": i.text, "due_date": i.due_date,
                     "owner": i.owner.username if i.owner else None} for i in report["overdue"]],
        "next_milestones": [{"name": m.name, "kind": m.kind, "date": m.date}
                            for m in report["next_milestones"]],
        "scope": report["scope_counts"],
        "kpis": [kpi_dict(view) for view in report["kpis"]],
        "signoffs_signed": report["signed"], "signoffs_total": len(report["signoffs"]),
        "generated_at": report["generated_at"],
    }


def weekly_dict(report: dict) -> dict:
    return {
        "week": report["iso_week"], "monday": report["monday"], "sunday": report["sunday"],
        "releases": [
            {**release_summary(row.release), "done_this_week": row.done_this_week,
             "health": row.health, "reasons": _reasons(row.reasons),
             "upcoming_milestones": [{"name": m.name, "kind": m.kind, "date": m.date}
                                     for m in row.milestones],
             "kpis": [kpi_dict(view) for view in row.kpis]}
            for row in report["rows"]
        ],
        "went_live": [release.key for release in report["went_live"]],
        "generated_at": report["generated_at"],
    }


def at_risk_dict(row) -> dict:
    return {**release_summary(row.release), "health": row.health,
            "reasons": _reasons(row.reasons)}


def my_items_dict(items: dict) -> dict:
    return {
        "checklist_items": [
            {"id": i.pk, "text": i.text, "release": i.release.key, "section": i.section.title,
             "status": i.status, "due_date": i.due_date, "overdue": i.is_overdue,
             "revision": i.revision} for i in items["items"]],
        "kpis": [kpi_dict(view) for view in items["kpis"]],
        "signoffs": [{"id": s.pk, "release": s.release.key, "role": s.role}
                     for s in items["signoffs"]],
    }

"""Plain dicts of release plans for the API and the exports."""

from tminus.releases import selectors
from tminus.releases.models import Release
from tminus.releases.workflow import allowed_targets


def _username(user) -> str | None:
    return user.username if user else None


def release_summary(release: Release) -> dict:
    """A portfolio row; expects a release passed through selectors.with_progress."""
    return {
        "key": release.key,
        "name": release.name,
        "product": release.product.key,
        "version": release.version,
        "release_type": release.release_type,
        "status": release.status,
        "go_live": release.go_live,
        "t_minus_days": selectors.t_minus_days(release),
        "owner": _username(release.owner),
        "items_total": getattr(release, "item_total", 0),
        "items_done": getattr(release, "item_done", 0),
        "items_overdue": getattr(release, "item_overdue", 0),
        "revision": release.revision,
    }


def release_detail(release: Release) -> dict:
    """The whole overview of a release with phases, milestones and scope."""
    return {
        **release_summary(release),
        "goal": release.goal,
        "planning_start": release.planning_start,
        "template": release.template_key,
        "allowed_transitions": list(allowed_targets(release.status)),
        "phases": list(release.phases.values(
            "id", "name", "start_date", "end_date", "start_offset", "end_offset")),
        "milestones": list(release.milestones.values("id", "name", "kind", "date",
                                                     "date_offset", "responsible")),
        "scope": list(release.scope_items.values(
            "id", "kind", "title", "description", "status", "link", "revision")),
    }


def item_dict(item, overdue: bool | None = None) -> dict:
    return {
        "id": item.pk,
        "section_id": item.section_id,
        "parent_id": item.parent_id,
        "text": item.text,
        "status": item.status,
        "owner": _username(item.owner),
        "responsible": item.responsible,
        "due_date": item.due_date,
        "due_offset": item.due_offset,
        "done_by": _username(item.done_by),
        "done_at": item.done_at,
        "overdue": selectors.is_overdue(item) if overdue is None else overdue,
        "revision": item.revision,
    }


def section_dict(view: selectors.SectionView) -> dict:
    section = view.section
    return {
        "id": section.pk,
        "title": section.title,
        "group": section.group,
        "due_date": section.due_date,
        "owner": _username(section.owner),
        "total": view.total,
        "done": view.done,
        "overdue": view.overdue,
        "percent": view.percent,
        "items": [item_dict(item, item.is_overdue) for item, _depth in view.items],
    }


def audit_dict(event) -> dict:
    return {
        "created_at": event.created_at,
        "actor": event.actor_label,
        "interface": event.interface,
        "action": event.action,
        "object_type": event.object_type,
        "object_label": event.object_label,
        "before": event.before,
        "after": event.after,
        "reason": event.reason,
    }

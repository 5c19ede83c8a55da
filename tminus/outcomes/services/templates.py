"""Save as template: a finished release becomes a template, so its lessons are used next time."""

from django.db import transaction

from tminus.accounts.permissions import require
from tminus.accounts.roles import MANAGE
from tminus.audit.services import audit_record
from tminus.core.actors import Actor
from tminus.core.errors import ValidationFailed
from tminus.core.keys import make_key
from tminus.core.offsets import format_offset
from tminus.outcomes.models import Closeout, Lesson
from tminus.outcomes.template_parts import template_parts
from tminus.releases.builtin_templates import BUILTIN_TEMPLATES
from tminus.releases.models import ReleaseTemplate
from tminus.releases.templating import template_validate

FINISHED_STATUSES = ("live", "closed")


def _offset(day, stored_offset, go_live) -> str | None:
    if day is not None:
        return format_offset((day - go_live).days)
    return format_offset(stored_offset) if stored_offset is not None else None


def _phases(release) -> list[dict]:
    phases = []
    for phase in release.phases.all():
        start = _offset(phase.start_date, phase.start_offset, release.go_live)
        end = _offset(phase.end_date, phase.end_offset, release.go_live)
        if start and end:
            phases.append({"name": phase.name, "description": phase.description,
                           "start": start, "end": end})
    return phases


def _milestones(release) -> list[dict]:
    milestones = []
    for milestone in release.milestones.all():
        at = _offset(milestone.date, milestone.date_offset, release.go_live)
        if at:
            milestones.append({"name": milestone.name, "kind": milestone.kind, "at": at})
    return milestones


def _items(items: list, parent_id, section_due: str | None, go_live) -> list:
    specs = []
    for item in items:
        if item.parent_id != parent_id:
            continue
        spec: dict = {"text": item.text}
        due = _offset(item.due_date, item.due_offset, go_live)
        if due and due != section_due:
            spec["due"] = due
        children = _items(items, item.pk, due or section_due, go_live)
        if children:
            spec["children"] = children
        specs.append(spec if len(spec) > 1 else item.text)
    return specs


def _sections(release, skip_section_id) -> list[dict]:
    items = list(release.checklist_items.order_by("order", "id"))
    sections = []
    for section in release.checklist_sections.order_by("order", "id"):
        if section.pk == skip_section_id:
            continue
        due = _offset(section.due_date, section.due_offset, release.go_live)
        own = [item for item in items if item.section_id == section.pk]
        spec = {"title": section.title, "group": section.group,
                "items": _items(own, None, due, release.go_live)}
        if due:
            spec["due"] = due
        sections.append(spec)
    return sections


def _recommendations(release, phases: list[dict]) -> list[dict]:
    texts = list(release.lessons.filter(kind=Lesson.RECOMMENDATION).values_list("text", flat=True))
    if not texts:
        return []
    # Lessons are read when planning starts, so they fall due on the template's first day.
    first = phases[0]["start"] if phases else "T-0"
    return [{"title": f"Recommendations from {release.name}", "group": "Lessons learned",
             "due": first, "items": texts}]


def _outcomes_part(release, closeout) -> dict:
    handoff_section = closeout.handoff_section if closeout else None
    handoff = []
    handoff_due = None
    if handoff_section is not None:
        handoff = list(handoff_section.items.order_by("order", "id").values_list("text", flat=True))
        handoff_due = _offset(handoff_section.due_date, handoff_section.due_offset,
                              release.go_live)
    kpis = [{"key": k.key, "name": k.name, "target": k.target_text, "source": k.source,
             "query": k.query, "source_url": k.source_url, "schedule": k.schedule}
            for k in release.kpis.all()]
    return {
        "questions": list(release.review_questions.values_list("question", flat=True)),
        "signoff_roles": list(release.signoffs.values_list("role", flat=True)),
        "handoff": handoff,
        "handoff_due": handoff_due,
        "kpis": kpis,
    }


def template_definition_from_release(release) -> dict:
    """The release's plan as a template definition, every date an offset from its go-live."""
    closeout = Closeout.objects.filter(release=release).select_related("handoff_section").first()
    phases = _phases(release)
    sections = _sections(release, closeout.handoff_section_id if closeout else None)
    return {
        "release_type": release.release_type,
        "phases": phases,
        "milestones": _milestones(release),
        "sections": sections + _recommendations(release, phases),
        "outcomes": _outcomes_part(release, closeout),
        "saved_from": release.key,
        **template_parts(release),
    }


def _template_errors(release, key: str, name: str) -> dict:
    errors = {}
    if release.status not in FINISHED_STATUSES:
        errors["release"] = (f"Only a finished release (live or closed) can become a template; "
                             f"{release.key} is {release.get_status_display().lower()}.")
    elif release.go_live is None:
        errors["release"] = "The release has no go-live date to count the template's days from."
    if not name.strip():
        errors["name"] = "A template needs a name."
    if not key:
        errors["key"] = "A template needs a key of letters, digits or dashes."
    elif key in BUILTIN_TEMPLATES or ReleaseTemplate.objects.filter(key=key).exists():
        errors["key"] = f"A template with key {key!r} already exists."
    return errors


@transaction.atomic
def release_save_as_template(*, release, key: str = "", name: str = "", description: str = "",
                             actor: Actor) -> ReleaseTemplate:
    """Save a finished release's plan, close-out and KPIs as a new release template."""
    require(actor, MANAGE)
    name = (name or "").strip() or f"{release.name} template"
    key = make_key(key or name).replace(".", "-")[:60].strip("-")
    errors = _template_errors(release, key, name)
    if errors:
        raise ValidationFailed(errors)
    definition = template_definition_from_release(release)
    template_validate(definition)
    template = ReleaseTemplate.objects.create(
        key=key, name=name[:200], release_type=release.release_type,
        description=description.strip() or f"Saved from {release.name} ({release.key}).",
        definition=definition,
    )
    Closeout.objects.update_or_create(release=release, defaults={"saved_template_key": key})
    audit_record(actor=actor, action="release.save_as_template", obj=template,
                 release_id=release.pk, after={"key": key, "name": template.name,
                                               "sections": len(definition["sections"]),
                                               "kpis": len(definition["outcomes"]["kpis"])})
    return template

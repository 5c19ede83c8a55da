"""Reading templates (built-in or saved) and laying one out on a release."""

from tminus.core.errors import ValidationFailed
from tminus.core.offsets import date_at, parse_offset
from tminus.releases.builtin_templates import BUILTIN_TEMPLATES
from tminus.releases.models import (
    ChecklistItem,
    ChecklistSection,
    Milestone,
    Phase,
    Release,
    ReleaseTemplate,
)


def template_definition(key: str) -> dict:
    """The definition of a built-in or saved template, by key."""
    if key in BUILTIN_TEMPLATES:
        return BUILTIN_TEMPLATES[key]
    for provider in _providers:
        if (provided := provider.definition(key)) is not None:
            return provided
    saved = ReleaseTemplate.objects.filter(key=key).first()
    if saved is None:
        saved_keys = ReleaseTemplate.objects.values_list("key", flat=True)
        known = ", ".join([*BUILTIN_TEMPLATES, *saved_keys])
        raise ValidationFailed({"template": f"No template {key!r}; choose one of: {known}."})
    return {**saved.definition, "key": saved.key, "name": saved.name,
            "release_type": saved.release_type}


# Other areas may offer templates of their own (plan documents: templates written in Markdown).
# A provider has definition(key) -> dict | None and catalog() -> list of {key, name, ...}.
_providers: list = []


def register_template_provider(provider) -> None:
    """Add a source of templates that template_definition and the catalog also read."""
    if provider not in _providers:
        _providers.append(provider)


def template_providers() -> list:
    return list(_providers)


def earliest_offset(definition: dict) -> int | None:
    """The first day the template plans for, relative to go-live."""
    offsets = [parse_offset(p["start"]) for p in definition.get("phases", [])]
    offsets += [parse_offset(m["at"]) for m in definition.get("milestones", [])]
    return min(offsets) if offsets else None


# Other areas lay out their part of a template (readiness criteria, runbook, communication plan)
# with an applier: fn(release, definition). A saved template carries their parts under their own
# keys of its definition; a built-in one gets each area's defaults for its release type.
_appliers: list = []


def register_template_applier(applier) -> None:
    """Add an area's part to every release created from a template."""
    if applier not in _appliers:
        _appliers.append(applier)


def template_apply(release: Release, definition: dict) -> None:
    """Create the template's phases, milestones and checklists on a new release."""
    go_live = release.go_live
    Phase.objects.bulk_create(
        Phase(release=release, order=index, name=p["name"], description=p.get("description", ""),
              start_offset=parse_offset(p["start"]), end_offset=parse_offset(p["end"]),
              start_date=date_at(go_live, parse_offset(p["start"])),
              end_date=date_at(go_live, parse_offset(p["end"])))
        for index, p in enumerate(definition.get("phases", []))
    )
    Milestone.objects.bulk_create(
        Milestone(release=release, order=index, name=m["name"], kind=m.get("kind", "other"),
                  date_offset=parse_offset(m["at"]), date=date_at(go_live, parse_offset(m["at"])))
        for index, m in enumerate(definition.get("milestones", []))
    )
    for index, section in enumerate(definition.get("sections", [])):
        _section_apply(release, index, section)
    for applier in _appliers:
        applier(release, definition)


def _section_apply(release: Release, order: int, spec: dict) -> None:
    offset = parse_offset(spec["due"]) if spec.get("due") else None
    section = ChecklistSection.objects.create(
        release=release, order=order, title=spec["title"], group=spec.get("group", ""),
        due_offset=offset, due_date=date_at(release.go_live, offset),
    )
    _items_apply(section, spec.get("items", []), parent=None, offset=offset)


def _items_apply(section, items: list, *, parent, offset) -> None:
    for order, spec in enumerate(items):
        spec = {"text": spec} if isinstance(spec, str) else spec
        item_offset = parse_offset(spec["due"]) if spec.get("due") else offset
        item = ChecklistItem.objects.create(
            release=section.release, section=section, parent=parent, order=order,
            text=spec["text"], due_offset=item_offset,
            due_date=date_at(section.release.go_live, item_offset),
        )
        _items_apply(section, spec.get("children", []), parent=item, offset=item_offset)


def template_validate(definition: dict) -> None:
    """Refuse a template whose offsets do not parse, naming the bad one."""
    errors = []
    for phase in definition.get("phases", []):
        errors += _offset_errors(phase, ("start", "end"))
    for milestone in definition.get("milestones", []):
        errors += _offset_errors(milestone, ("at",))
    for section in definition.get("sections", []):
        errors += _offset_errors(section, ("due",))
    if errors:
        raise ValidationFailed({"definition": errors})


def _offset_errors(spec: dict, keys: tuple[str, ...]) -> list[str]:
    errors = []
    for key in keys:
        if spec.get(key) is None:
            continue
        try:
            parse_offset(spec[key])
        except ValueError as error:
            errors.append(str(error))
    return errors

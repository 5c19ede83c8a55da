"""The audit log as a person reads it: names instead of ids, labels instead of codes, links.

Each event's changed fields are shown together as one change, with the label of the field and
of each value as the model defines them (a user id becomes that person's name, a choice value
its label).
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db.models import ForeignObjectRel

# Verbs of the actions services record, where the last part of the action is not plain English.
VERBS = {
    "create": "created", "update": "changed", "delete": "deleted", "remove": "removed",
    "add": "added", "schedule_shift": "go-live moved", "transition": "status changed",
    "dates_set": "dates set", "date_set": "date set", "import": "imported",
}


@dataclass
class Change:
    label: str
    before: str
    after: str


@dataclass
class HistoryEntry:
    event: object
    kind: str  # the object's kind, as a person names it ("Checklist item")
    summary: str  # "Checklist item changed"
    changes: list[Change] = field(default_factory=list)
    link: str = ""
    who: str = ""


def history_entries(events, link_for=None) -> list[HistoryEntry]:
    """Readable entries for audit events; link_for(event) -> URL of the changed object or ''."""
    events = list(events)
    names = _people_named(events)
    entries = []
    for event in events:
        model = _model(event.object_type)
        kind = kind_label(event.object_type)
        entries.append(HistoryEntry(
            event=event, kind=kind, summary=f"{kind} {_verb(event.action)}",
            changes=_changes(model, event, names),
            link=link_for(event) if link_for else "",
            who=_person_name(event.actor) if event.actor else event.actor_label,
        ))
    return entries


def _changes(model, event, names: dict) -> list[Change]:
    changes = []
    for name, old, new in event.changed_fields():
        before, after = _value(model, name, old, names), _value(model, name, new, names)
        if before != after:  # None and "" both read as "—": no change a person could see
            changes.append(Change(_field_label(model, name), before, after))
    return changes


def kind_label(object_type: str) -> str:
    model = _model(object_type)
    if model is None:
        return object_type.rpartition(".")[2].replace("_", " ").capitalize()
    return str(model._meta.verbose_name).capitalize()


def _verb(action: str) -> str:
    last = action.rpartition(".")[2]
    return VERBS.get(last, last.replace("_", " "))


def _model(object_type: str):
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _field(model, name: str):
    """The model's own field called `name`; None for a name that is not one, such as a
    snapshot's list of child rows named like the reverse relation (a section's `items`)."""
    if model is None:
        return None
    try:
        found = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return None if isinstance(found, ForeignObjectRel) else found


def _field_label(model, name: str) -> str:
    found = _field(model, name)
    if found is not None and getattr(found, "verbose_name", None):
        return str(found.verbose_name).capitalize()
    return name.replace("_", " ").capitalize()


def _value(model, name: str, value, names: dict) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    found = _field(model, name)
    if found is not None and found.is_relation and found.related_model is get_user_model():
        return names.get(value, f"person #{value}")
    if found is not None and found.choices:
        return str(dict(found.flatchoices).get(value, value))
    if isinstance(value, list):
        return ", ".join(map(_entry, value))
    return str(value)


def _entry(value) -> str:
    """One entry of a listed value: a row (a dict) by its text or name, not as a dump."""
    if isinstance(value, dict):
        for key in ("text", "name", "title", "key"):
            if value.get(key):
                return str(value[key])
    return str(value)


def _people_named(events) -> dict:
    """Every person an event's values point at, loaded in one query."""
    ids = set()
    for event in events:
        model = _model(event.object_type)
        for name, old, new in event.changed_fields():
            found = _field(model, name)
            if found is not None and found.is_relation and found.related_model is get_user_model():
                ids.update(v for v in (old, new) if isinstance(v, int))
    users = get_user_model().objects.in_bulk(ids)
    return {pk: _person_name(user) for pk, user in users.items()}


def _person_name(user) -> str:
    return user.get_full_name() or user.get_username()

"""Reading a plan kept as code (YAML or JSON) safely: no aliases, bounded nesting and size,
and every part in the shape the importer reads, with a message for each field that is not.

A plan file is untrusted input: YAML aliases could expand a few hundred bytes into millions of
entries, a deeply nested list would exhaust the parser's stack, and a field of the wrong type
would fail deep inside an area's service. Each is refused here, before anything is written.
"""

import json
from datetime import date

import yaml

from tminus.core.errors import ValidationFailed

MAX_DEPTH = 32  # mappings and lists inside each other
MAX_VALUES = 50_000  # every value in the file, counted once
TEXT_FIELDS = {"name", "title", "text", "label", "description", "date", "start", "end", "due",
               "due_date", "status", "kind", "owner", "responsible", "target", "version",
               "go_live", "theme", "group", "command", "question", "answer", "role", "email",
               "phone", "subject", "body", "trigger", "key", "product", "release_type", "goal",
               "planning_start", "flag", "notes", "responsible_for"}
NESTED_LISTS = {"items", "children", "milestones", "features", "stages", "agenda", "team",
                "steps"}


class PlanLoader(yaml.SafeLoader):
    """SafeLoader without aliases: a plan never needs one, and they can expand without end."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.events.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "YAML aliases (*name) are not allowed in a plan file",
                event.start_mark)
        return super().compose_node(parent, index)


def load_plan_file(text: str, *, as_json: bool) -> dict:
    """The plan as data; ValidationFailed with a message per field for what cannot be read."""
    kind = "JSON" if as_json else "YAML"
    try:
        spec = json.loads(text) if as_json else yaml.load(text, Loader=PlanLoader)
    except RecursionError:
        raise ValidationFailed({"file": f"The {kind} is nested too deeply; a plan file may nest "
                                        f"at most {MAX_DEPTH} levels."}) from None
    except yaml.composer.ComposerError as error:
        raise ValidationFailed({"file": f"The file is not a plan: {error.problem} "
                                        f"({error.problem_mark})."}) from None
    except (ValueError, yaml.YAMLError) as error:
        raise ValidationFailed({"file": f"The file is not valid {kind}: {error}"}) from None
    _check_size(spec, kind)
    if not isinstance(spec, dict) or not isinstance(spec.get("release"), dict):
        raise ValidationFailed({"file": "A plan file needs a 'release' mapping (see "
                                        "`tminus export KEY --format yaml` for the shape)."})
    spec = _stringify_dates(spec)
    errors = shape_errors(spec)
    if errors:
        raise ValidationFailed(errors)
    return spec


def _check_size(value, kind: str) -> None:
    """Nesting depth and number of values, counted without recursion."""
    stack, count = [(value, 1)], 0
    while stack:
        node, depth = stack.pop()
        count += 1
        if depth > MAX_DEPTH:
            raise ValidationFailed({"file": f"The {kind} is nested too deeply; a plan file may "
                                            f"nest at most {MAX_DEPTH} levels."})
        if count > MAX_VALUES:
            raise ValidationFailed({"file": f"The {kind} holds more than {MAX_VALUES:,} values; "
                                            "split the plan."})
        children = node.values() if isinstance(node, dict) else node if isinstance(
            node, list) else ()
        stack.extend((child, depth + 1) for child in children)


def _stringify_dates(value):
    # YAML reads 2026-03-28 as a date; the spec keeps dates as ISO text like JSON does. The
    # size check above bounds the recursion.
    if isinstance(value, dict):
        return {key: _stringify_dates(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_stringify_dates(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def _type_name(value) -> str:
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false",
            int: "a number", float: "a number", type(None): "empty"}.get(type(value),
                                                                         type(value).__name__)


def shape_errors(spec: dict) -> dict[str, str]:
    """{field path: message} for each part of a plan that is not in the shape the importer
    reads: every part a list of mappings, their text fields text, their nested lists lists."""
    errors: dict[str, str] = {}
    for key, value in spec.items():
        if key in ("format", "release"):
            continue
        if not isinstance(value, list):
            errors[key] = f"Must be a list of mappings, not {_type_name(value)}."
            continue
        for index, entry in enumerate(value):
            _entry_errors(entry, f"{key}.{index}", errors)
    for field, value in spec["release"].items():
        if isinstance(value, dict | list):
            errors[f"release.{field}"] = f"Must be text, not {_type_name(value)}."
    return errors


def _entry_errors(entry, path: str, errors: dict) -> None:
    if not isinstance(entry, dict):
        errors[path] = f"Must be a mapping, not {_type_name(entry)}."
        return
    for field, value in entry.items():
        where = f"{path}.{field}"
        if field in TEXT_FIELDS and isinstance(value, dict | list):
            errors[where] = f"Must be text, not {_type_name(value)}."
        elif field in NESTED_LISTS and value is not None:
            if field == "steps" and isinstance(value, str):
                continue  # a test case's steps are written as text
            if not isinstance(value, list):
                errors[where] = f"Must be a list, not {_type_name(value)}."
                continue
            for index, child in enumerate(value):
                if field == "steps" and isinstance(child, str):
                    continue  # a contingency plan's steps are lines of text
                _entry_errors(child, f"{where}.{index}", errors)

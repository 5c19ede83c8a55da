"""Escalation paths and on-call rotas into the people area.

"1. User → Support Team" lines under an "Escalation" heading become escalation steps; a table
with Week | Primary | Secondary under an "On-Call" heading becomes the on-call rota (names are
matched to people, or added as people).
"""

import re

from tminus.plans import markdown
from tminus.plans.mapping import Claim, Mapper, area_ready, register_mapper
from tminus.plans.mapping.common import header_index, row_line, same, section_titles, take

STEP = re.compile(r"^(?P<from>.+?)\s*(?:→|->|⟶)\s*(?P<to>.+?)(?:\s*\((?P<when>[^()]*)\))?$")
WEEK = re.compile(r"^week\s*(\d{1,2})$", re.I)


def _person(context, name: str):
    from tminus.people.models import Person
    from tminus.people.services import person_create

    name = markdown.strip_markup(name).strip()
    if markdown.is_placeholder(name):
        return None
    found = Person.objects.filter(name__iexact=name).first()
    return found or person_create(name=name[:200], actor=context.actor)


class PeopleMapper(Mapper):
    key = "people"
    label = "Escalation path and on-call rota (people)"
    order = 300
    block_kinds = ("escalation_step", "on_call_table")

    def ready(self) -> bool:
        return area_ready("tminus.people.services", "escalation_step_add",
                          "escalation_step_remove", "on_call_shift_add", "on_call_shift_update",
                          "on_call_shift_remove", "person_create")

    def claim(self, reader, section, index: int) -> Claim | None:
        element = section.elements[index]
        titles = " ".join(section_titles(section))
        if element.kind == "item" and "escalation" in titles:
            return self._step(reader, element)
        if element.kind == "table" and re.search(r"on-?call|rota", titles):
            return self._rota(reader, element)
        return None

    def _step(self, reader, element) -> Claim | None:
        match = STEP.match(markdown.strip_markup(element.text))
        if not match:
            return None
        entry = reader.add_entry(self.key, {
            "uid": reader.new_uid("e"), "kind": "escalation", "from": match["from"][:200],
            "to": match["to"][:200], "condition": (match["when"] or "")[:300]})
        reader.became(element, f"escalation step {entry['from']} → {entry['to']}",
                      kind="people")
        return Claim(1, [{"kind": "escalation_step", "uid": entry["uid"],
                          "line": element.lines[0], "value": _step_value(entry)}])

    def _rota(self, reader, element) -> Claim | None:
        header = element.rows[0] if element.rows else []
        week, primary = header_index(header, "week"), header_index(header, "primary")
        if week is None or primary is None:
            return None
        secondary = header_index(header, "secondary", "backup")
        rows, numbered = [], [line for line in element.lines if not _delimiter(line)][1:]
        head = element.lines[:len(element.lines) - len(numbered)]
        for line, cells in zip(numbered, element.rows[1:], strict=False):
            found = WEEK.match(cells[week].strip())
            if not found:
                rows.append({"line": line})
                continue
            entry = reader.add_entry(self.key, {
                "uid": reader.new_uid("o"), "kind": "on_call", "week": int(found[1]),
                "primary": cells[primary].strip() or None,
                "secondary": (cells[secondary].strip() or None) if secondary is not None
                else None})
            rows.append({"uid": entry["uid"], "line": line, "cells": cells,
                         "value": _shift_value(entry)})
        reader.became(element, f"on-call rota of {sum('uid' in r for r in rows)} week(s)",
                      kind="people")
        return Claim(1, [{"kind": "on_call_table", "head": head, "rows": rows,
                          "columns": {"week": week, "primary": primary,
                                      "secondary": secondary}}])

    def apply(self, context, entries) -> None:
        from tminus.people import services

        steps = list(context.release.escalation_steps.all())
        shifts = list(context.release.on_call_shifts.all())
        for entry in entries:
            if entry.get("kind") == "on_call":
                record = self._shift_apply(context, services, shifts, entry)
            else:
                record = self._step_apply(context, services, steps, entry)
            context.records[entry.get("uid") or f"people:{record.pk}"] = record
        if context.prune:
            for step in steps:
                services.escalation_step_remove(step=step, actor=context.actor)
                context.change(f"removed escalation step '{step}'")
            for shift in shifts:
                services.on_call_shift_remove(shift=shift, actor=context.actor)
                context.change(f"removed on-call week {shift.week}")

    def _step_apply(self, context, services, steps, entry):
        step = take(steps, lambda s, e=entry: same(s.from_party, e["from"])
                    and same(s.to_party, e["to"]))
        if step is None:
            step = services.escalation_step_add(
                release=context.release, from_party=entry["from"], to_party=entry["to"],
                condition=entry.get("condition", ""), actor=context.actor)
            context.change(f"added escalation step '{step}'")
        return step

    def _shift_apply(self, context, services, shifts, entry):
        shift = take(shifts, lambda s, week=entry["week"]: s.week == week)
        primary, secondary = _person(context, entry.get("primary") or ""), _person(
            context, entry.get("secondary") or "")
        if shift is None:
            shift = services.on_call_shift_add(release=context.release, week=entry["week"],
                                               primary=primary, secondary=secondary,
                                               actor=context.actor)
            context.change(f"added on-call week {shift.week}")
        elif (shift.primary_id, shift.secondary_id) != (getattr(primary, "pk", None),
                                                        getattr(secondary, "pk", None)):
            shift = services.on_call_shift_update(
                shift=shift, revision=None, changes={"primary": primary, "secondary": secondary},
                actor=context.actor)
            context.change(f"updated on-call week {shift.week}")
        return shift

    def load(self, release) -> dict:
        return {"escalation": {s.pk: s for s in release.escalation_steps.all()},
                "on_call": {s.pk: s for s in release.on_call_shifts
                            .select_related("primary", "secondary")}}

    def render(self, block: dict, live: dict) -> list[str]:
        if block["kind"] == "escalation_step":
            step = live.get("escalation", {}).get(block.get("id"))
            if step is None:
                return []
            if _live_step(step) == block["value"]:
                return [block["line"]]
            prefix = block["line"][:len(block["line"]) - len(block["line"].lstrip())]
            marker = block["line"].lstrip().split(" ", 1)[0]
            when = f" ({step.condition})" if step.condition else ""
            return [f"{prefix}{marker} {step.from_party} → {step.to_party}{when}"]
        return self._render_rota(block, live.get("on_call", {}))

    def _render_rota(self, block, shifts) -> list[str]:
        lines, columns = list(block["head"]), block["columns"]
        for row in block["rows"]:
            shift = shifts.get(row.get("id")) if "uid" in row else None
            if "uid" not in row or (shift is not None and _live_shift(shift) == row["value"]):
                lines.append(row["line"])
            elif shift is not None:
                cells = list(row["cells"])
                cells[columns["primary"]] = shift.primary.name if shift.primary else ""
                if columns["secondary"] is not None:
                    cells[columns["secondary"]] = shift.secondary.name if shift.secondary else ""
                lines.append(row_line(cells))
        return lines

    def export(self, release, live: dict) -> list[dict]:
        steps = [{"kind": "escalation", "from": s.from_party, "to": s.to_party,
                  "condition": s.condition} for s in live.get("escalation", {}).values()]
        shifts = [{"kind": "on_call", **_live_shift(s)} for s in live.get("on_call", {}).values()]
        return steps + shifts


def _delimiter(line: str) -> bool:
    return "-" in line and bool(markdown.TABLE_DELIMITER.match(line))


def _step_value(entry: dict) -> dict:
    return {"from": entry["from"], "to": entry["to"], "condition": entry["condition"]}


def _live_step(step) -> dict:
    return {"from": step.from_party, "to": step.to_party, "condition": step.condition}


def _shift_value(entry: dict) -> dict:
    return {"week": entry["week"], "primary": entry["primary"], "secondary": entry["secondary"]}


def _live_shift(shift) -> dict:
    return {"week": shift.week, "primary": shift.primary.name if shift.primary else None,
            "secondary": shift.secondary.name if shift.secondary else None}


register_mapper(PeopleMapper())

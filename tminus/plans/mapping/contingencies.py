"""Contingency plans ("**Plan A: Delayed Go-Live**", what triggers it, the steps) into the
readiness area's contingency plans."""

import re

from tminus.plans import markdown
from tminus.plans.mapping import Claim, area_ready, register_mapper
from tminus.plans.mapping.common import (
    RecordMapper,
    differences,
    item_text,
    items_after,
    marker_of,
    same,
    sync,
)

PLAN_HEAD = re.compile(r"^\*{0,2}(?i:plan|option|scenario)[ \t]+(?P<label>[A-Z0-9]{1,3})"
                       r"[ \t]*[:\u2013\u2014-][ \t]*(?P<name>[^*]+?)[ \t]*\*{0,2}[ \t]*:?$")
TRIGGER = re.compile(r"^(if|when|should|in case|whenever|trigger)\b", re.I)


class ContingencyMapper(RecordMapper):
    key = "contingencies"
    label = "Contingency plans (readiness)"
    order = 110
    block_kinds = ("contingency",)
    live_key = "contingencies"

    def ready(self) -> bool:
        return area_ready("tminus.readiness.services", "contingency_add", "contingency_update",
                          "contingency_remove")

    def claim(self, reader, section, index: int) -> Claim | None:
        element = section.elements[index]
        head = PLAN_HEAD.match(element.text) if element.kind == "text" else None
        if head is None:
            return None
        run = items_after(section, index)
        texts = [item_text(e) for e in run if e.kind == "item"]
        if not texts:
            return None
        trigger, steps = (texts[0], texts[1:]) if TRIGGER.match(texts[0]) else ("", texts)
        entry = reader.add_entry(self.key, {
            "uid": reader.new_uid("g"), "label": head["label"],
            "name": markdown.strip_markup(head["name"])[:200],
            "trigger": trigger or f"Plan {head['label']} is called", "steps": steps})
        reader.became(element, f"contingency plan {entry['label']}: {entry['name']}",
                      kind="readiness")
        return Claim(1 + len(run), [{"kind": "contingency", "uid": entry["uid"],
                                     "lines": [element.lines[0], *(line for e in run
                                                                   for line in e.lines)],
                                     "has_trigger": bool(trigger)}])

    def apply(self, context, entries) -> None:
        from tminus.readiness import services

        def values(entry):
            return {"label": str(entry.get("label") or "")[:20],
                    "name": str(entry.get("name") or ""), "trigger": str(entry.get("trigger")
                                                                         or ""),
                    "steps": [str(step) for step in entry.get("steps") or []]}

        sync(context, entries, context.release.contingencies.all(), noun="contingency plan",
             match=lambda plan, e: same(plan.label, e.get("label")) if e.get("label")
             else same(plan.name, e.get("name")),
             add=lambda e: services.contingency_add(release=context.release,
                                                    actor=context.actor, **values(e)),
             changes=lambda plan, e: differences(plan, values(e)),
             update=lambda plan, changes: services.contingency_update(
                 plan=plan, revision=None, changes=changes, actor=context.actor),
             remove=lambda plan: services.contingency_remove(plan=plan, actor=context.actor))

    def load(self, release) -> dict:
        return {self.live_key: {plan.pk: plan for plan in release.contingencies.all()}}

    def current(self, plan) -> dict:
        return {"label": plan.label, "name": plan.name, "trigger": plan.trigger,
                "steps": list(plan.steps)}

    def rewrite(self, block: dict, plan, live: dict) -> list[str]:
        head, items = block["lines"][0], block["lines"][1:]
        marker = marker_of(items[0]) if items else "- "
        bold = "**" if head.lstrip().startswith("**") else ""
        colon = ":" if head.rstrip().endswith(":") else ""
        texts = ([plan.trigger] if block.get("has_trigger") else []) + list(plan.steps)
        return [f"{bold}Plan {plan.label}: {plan.name}{bold}{colon}",
                *[f"{marker}{text}" for text in texts]]

    def export(self, release, live: dict) -> list[dict]:
        return [{"label": p.label, "name": p.name, "trigger": p.trigger, "steps": list(p.steps)}
                for p in live.get(self.live_key, {}).values()]

    def appendix(self, live: dict, placed: dict, *, standalone: bool) -> list[str]:
        plans = [p for pk, p in live.get(self.live_key, {}).items()
                 if pk not in placed.get("contingency", set())]
        if not plans:
            return []
        lines = ["", f"{'##' if standalone else '###'} Contingency Plans"]
        for number, plan in enumerate(plans):
            label = plan.label or chr(ord("A") + number % 26)
            lines += ["", f"**Plan {label}: {plan.name}**", f"- If {_if(plan.trigger)}",
                      *[f"- {step}" for step in plan.steps]]
        return lines


def _if(trigger: str) -> str:
    trigger = re.sub(r"^(if|when)\s+", "", trigger, flags=re.I)
    return trigger[:1].lower() + trigger[1:]


register_mapper(ContingencyMapper())

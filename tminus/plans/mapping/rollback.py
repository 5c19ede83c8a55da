"""The rollback plan into the runbooks area's rollback plan.

Under a heading that speaks of rollback: "**Immediate Rollback**:" and "**Consider Rollback**:"
lists are the decision criteria, "**Estimated Rollback Time**: 30 minutes" the estimate,
"**Rollback Team**:" with "- Lead: name" lines the team, "**Communication During Rollback**:"
the communication steps, and plain lines (or a "Steps"/"Procedure" list) the rollback steps.
"""

import re

from tminus.plans import durations, markdown, semantics
from tminus.plans.mapping import Claim, Mapper, area_ready, procedures, register_mapper
from tminus.plans.mapping.common import item_text, label_of, lines_of, marker_of, run_of
from tminus.plans.mapping.rollback_parts import apply_rollback, load_rollback, render_rollback

SECTION = re.compile(r"roll-?back", re.I)
LISTS = [(re.compile(r"^immediate", re.I), "immediate_criteria"),
         (re.compile(r"^consider", re.I), "consider_criteria"),
         (re.compile(r"communicat", re.I), "communication"),
         (re.compile(r"team$", re.I), "team"),
         (re.compile(r"steps|procedure", re.I), "steps")]
ESTIMATE = re.compile(r"estimated|rollback time|duration", re.I)
UID = "rollback"


class RollbackMapper(Mapper):
    key = "rollback"
    label = "Rollback plan (runbooks)"
    order = 150  # before contacts: "- Lead: ____" under Rollback Team is the rollback team
    block_kinds = ("rollback_list", "rollback_estimate", "rollback_step")

    def ready(self) -> bool:
        return area_ready("tminus.runbooks.services", "rollback_plan_ensure",
                          "rollback_plan_update", "rollback_step_add", "rollback_step_update",
                          "rollback_step_remove", "rollback_team_member_add")

    def _plan(self, reader) -> dict:
        if not reader.spec.get(self.key):
            reader.add_entry(self.key, {"uid": UID})
        return reader.spec[self.key][0]

    def claim(self, reader, section, index: int) -> Claim | None:
        if not any(SECTION.search(title) for title in section.path()):
            return None
        element = section.elements[index]
        if element.kind not in ("text", "item") or element.is_checkbox:
            return None
        label = label_of(element)
        if label is not None:
            field = next((name for pattern, name in LISTS if pattern.search(label)), None)
            return self._list(reader, section, index, field) if field else None
        found = markdown.fields_in(element.lines[0])
        if len(found) == 1 and ESTIMATE.search(found[0].key):
            return self._estimate(reader, element, found[0].value)
        title = markdown.strip_markup(section.title) if section.level else ""
        if not found and SECTION.search(title) and element.kind == "text" \
                and not re.match(r"^see\b", element.text, re.I) and procedures.sentence_lines(
                    run_of(section, index, lambda e: e.kind == "text")):
            return Claim(1, [self._step(reader, element)])
        if element.kind == "item" and procedures.starts_list(section, index):
            return self._procedure(reader, section, index)
        return None

    def _procedure(self, reader, section, index: int) -> Claim | None:
        """A list under a rollback heading: its criteria ('### Conditions', 'Rollback
        criteria') or its steps ('### Plan' under 'Rollback 1', 'Rollback plan:' then 1. 2.)."""
        run = procedures.list_run(section, index)
        element = section.elements[index]
        items = [e for e in run if e.kind == "item" and e.indent == element.indent]
        label = _label_before(section, index)
        title = markdown.strip_markup(section.title) if section.level else ""
        if semantics.CRITERIA.search(title) or semantics.CRITERIA.search(label):
            plan = self._plan(reader)
            texts = [item_text(e) for e in items if item_text(e)]
            plan["immediate_criteria"] = [*plan.get("immediate_criteria", []), *texts]
            for item in items:
                reader.became(item, "rollback plan: rollback criterion", kind="rollback")
            return Claim(len(run), [{"kind": "rollback_list", "uid": UID,
                                     "field": "immediate_criteria", "head": [],
                                     "items": [{"line": line, "text": ""}
                                               for line in lines_of(run)]}])
        says = bool(re.search(r"plan|procedure|steps|process|how", f"{title} {label}", re.I))
        if not procedures.is_procedure(items, heading_says=says):
            return None
        blocks, current = [], None
        for member in run:
            if member.kind == "item" and member.indent == element.indent:
                current = self._step(reader, member)
                blocks.append(current)
            elif current is not None and member.kind != "blank":
                current["lines"] += list(member.lines)
            else:
                blocks.append({"kind": "text", "lines": list(member.lines)})
        return Claim(len(run), blocks)

    def _list(self, reader, section, index: int, field: str) -> Claim | None:
        run = run_of(section, index + 1, lambda e: e.kind == "item" and not e.is_checkbox)
        if not run:
            return None
        head = list(section.elements[index].lines)
        if field == "steps":
            blocks = [{"kind": "text", "lines": head}]
            blocks += [self._step(reader, e) if e.kind == "item"
                       else {"kind": "text", "lines": list(e.lines)} for e in run]
            return Claim(1 + len(run), blocks)
        plan = self._plan(reader)
        items = [{"line": e.lines[0], "text": item_text(e)} for e in run]
        if field == "team":
            plan.setdefault("team", [])
            for item in items:
                found = markdown.fields_in(item["line"])
                if len(found) == 1:
                    item["role"] = markdown.strip_markup(found[0].key)
                    name = markdown.strip_markup(found[0].value)
                    if not markdown.is_placeholder(name):
                        plan["team"].append({"role": item["role"], "name": name})
        else:
            plan[field] = [item["text"] for item in items if item["text"]]
        for element in run:
            if element.kind == "item":
                reader.became(element, f"rollback plan: {field.replace('_', ' ')}",
                              kind="rollback")
        return Claim(1 + len(run), [{"kind": "rollback_list", "uid": UID, "field": field,
                                     "head": head, "items": items}])

    def _estimate(self, reader, element, value: str) -> Claim | None:
        minutes = durations.minutes_in(value)
        if minutes is None:
            return None
        self._plan(reader)["estimated_minutes"] = minutes
        reader.became(element, f"estimated rollback time {minutes} minutes", kind="rollback")
        return Claim(1, [{"kind": "rollback_estimate", "uid": UID,
                          "lines": list(element.lines)}])

    def _step(self, reader, element) -> dict:
        from tminus.plans.mapping.stakeholders import person_entry

        plan = self._plan(reader)
        text = element.text if element.kind == "item" else element.lines[0].strip()
        owner = semantics.owner_in(text)
        step = {"uid": reader.new_uid("y"), "title": semantics.as_written(text)[:300],
                "owner": owner.name[:200] if owner else ""}
        if owner and semantics.is_person_name(owner.name):
            person_entry(reader, owner.name, responsible_for=step["title"])
        plan.setdefault("steps", []).append(step)
        reader.became(element, "rollback step", kind="rollback")
        return {"kind": "rollback_step", "uid": step["uid"], "lines": list(element.lines),
                "marker": marker_of(element.lines[0])}

    def template_parts(self, parts: dict, release_type: str) -> None:
        parts["rollback_plan"] = {"steps": []}

    def apply(self, context, entries) -> None:
        apply_rollback(context, entries[0] if entries else {})

    def load(self, release) -> dict:
        return load_rollback(release)

    def resolve(self, block: dict, records: dict) -> None:
        from tminus.plans.mapping.rollback_parts import block_value

        record = records.get(block.get("uid"))
        if record is not None:
            block["value"] = block_value(block, record)

    def render(self, block: dict, live: dict) -> list[str]:
        return render_rollback(block, live)

    def export(self, release, live: dict) -> list[dict]:
        plan = live.get("rollback_plan")
        if plan is None:
            return []
        return [{"immediate_criteria": plan.immediate_criteria,
                 "consider_criteria": plan.consider_criteria,
                 "communication": plan.communication,
                 "estimated_minutes": plan.estimated_minutes,
                 "steps": [{"title": s.title, "command": s.command,
                            **({"owner": s.owner_label} if s.owner_label else {})}
                           for s in plan.steps.all()],
                 "team": [{"role": m.role, "name": m.person.name} for m in plan.team.all()]}]

    def appendix(self, live: dict, placed: dict, *, standalone: bool) -> list[str]:
        from tminus.plans.mapping.rollback_parts import appendix

        return appendix(live, placed, standalone=standalone)


def _label_before(section, index: int) -> str:
    for element in reversed(section.elements[:index]):
        if element.kind != "blank":
            return markdown.strip_markup(element.lines[0]) if element.kind == "text" else ""
    return ""


register_mapper(RollbackMapper())

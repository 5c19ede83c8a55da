"""Applying and rendering for the rollback plan mapper."""

from tminus.plans import durations, markdown
from tminus.plans.mapping.common import marker_of, same, sync

LIST_FIELDS = ("immediate_criteria", "consider_criteria", "communication")
TITLES = {"immediate_criteria": "Immediate Rollback", "consider_criteria": "Consider Rollback",
          "communication": "Communication During Rollback"}


# ---- applying ----------------------------------------------------------------------------------

def apply_rollback(context, entry: dict) -> None:
    """The rollback plan's criteria, estimate, steps and team as the plan has them."""
    from tminus.runbooks import services

    if not entry and not context.prune:
        return
    plan = services.rollback_plan_ensure(release=context.release, actor=context.actor)
    wanted = {name: entry[name] for name in (*LIST_FIELDS, "estimated_minutes") if name in entry}
    changes = {name: value for name, value in wanted.items() if getattr(plan, name) != value}
    if changes:
        plan = services.rollback_plan_update(plan=plan, revision=None, changes=changes,
                                             actor=context.actor)
        context.change(f"updated the rollback plan: {', '.join(sorted(changes))}")
    context.records[entry.get("uid") or "rollback"] = plan
    sync(context, entry.get("steps") or [], plan.steps.all(), noun="rollback step",
         match=lambda step, e: same(step.title, e.get("title")),
         add=lambda e: services.rollback_step_add(plan=plan, title=e.get("title", ""),
                                                  command=e.get("command") or "",
                                                  owner_name=e.get("owner") or "",
                                                  actor=context.actor),
         changes=lambda step, e: {} if step.owner_name == (e.get("owner") or "")[:200]
         else {"owner_name": (e.get("owner") or "")[:200]},
         update=lambda step, wanted: services.rollback_step_update(
             step=step, revision=None, changes=wanted, actor=context.actor),
         remove=lambda step: services.rollback_step_remove(step=step, actor=context.actor))
    _team(context, services, plan, entry.get("team") or [])


def _team(context, services, plan, members: list[dict]) -> None:
    from tminus.plans.mapping.meeting_parts import _person

    present = {member.person_id for member in plan.team.all()}
    for member in members:
        person = _person(context, member.get("name"))
        if person is not None and person.pk not in present:
            services.rollback_team_member_add(plan=plan, person=person,
                                              role=member.get("role", ""), actor=context.actor)
            present.add(person.pk)
            context.change(f"added {person.name} to the rollback team")


# ---- live data ---------------------------------------------------------------------------------

def load_rollback(release) -> dict:
    from tminus.runbooks.selectors import rollback_plan_for

    plan = rollback_plan_for(release)
    steps = {s.pk: s for s in plan.steps.all()} if plan else {}
    return {"rollback_plan": plan, "rollback_steps": steps}


def block_value(block: dict, record) -> object:
    """What a rollback block compares: its list, the estimate, a step's title, the team."""
    kind = block["kind"]
    if kind == "rollback_step":
        return record.title
    if kind == "rollback_estimate":
        return record.estimated_minutes
    if block["field"] == "team":
        return [[m.role, m.person.name] for m in record.team.all()]
    return list(getattr(record, block["field"]))


def render_rollback(block: dict, live: dict) -> list[str]:
    kind = block["kind"]
    if kind == "rollback_step":
        step = live.get("rollback_steps", {}).get(block.get("id"))
        if block.get("id") is None or (step is not None and step.title == block.get("value")):
            return list(block["lines"])
        return [f"{block['marker']}{step.title}"] if step is not None else []
    plan = live.get("rollback_plan")
    original = list(block.get("lines") or [*block["head"], *(i["line"] for i in block["items"])])
    if plan is None or block.get("id") is None or block_value(block, plan) == block.get("value"):
        return original
    if kind == "rollback_estimate":
        found = markdown.fields_in(block["lines"][0])
        text = durations.minutes_text(plan.estimated_minutes) or "—"
        return [markdown.replace_values(block["lines"][0], {0: text}, found)]
    if block["field"] == "team":
        return _team_lines(block, plan)
    return [*block["head"], *_list_lines(block["items"], getattr(plan, block["field"]))]


def _list_lines(items: list[dict], texts: list[str]) -> list[str]:
    marker = marker_of(items[0]["line"]) if items else "- "
    numbered = marker.strip()[:1].isdigit()
    indent = marker[:len(marker) - len(marker.lstrip())]
    return [f"{indent}{n}. {text}" if numbered else f"{marker}{text}"
            for n, text in enumerate(texts, start=1)]


def _team_lines(block: dict, plan) -> list[str]:
    members = list(plan.team.all())
    lines = list(block["head"])
    for item in block["items"]:
        member = next((m for m in members if same(m.role, item.get("role"))), None)
        found = markdown.fields_in(item["line"])
        if member is None or not found:
            lines.append(item["line"])
            continue
        members.remove(member)
        lines.append(markdown.replace_values(item["line"], {0: member.person.name}, found))
    marker = marker_of(block["items"][-1]["line"]) if block["items"] else "- "
    lines += [f"{marker}{m.role or 'Member'}: {m.person.name}" for m in members]
    return lines


def appendix(live: dict, placed: dict, *, standalone: bool) -> list[str]:
    plan = live.get("rollback_plan")
    if plan is None or "rollback_list" in placed or "rollback_step" in placed:
        return []
    level = "##" if standalone else "###"
    lines = []
    for field in LIST_FIELDS:
        if getattr(plan, field):
            lines += ["", f"**{TITLES[field]}**:", *[f"- {t}" for t in getattr(plan, field)]]
    if plan.estimated_minutes:
        lines += ["", f"**Estimated Rollback Time**: "
                      f"{durations.minutes_text(plan.estimated_minutes)}"]
    steps = list(plan.steps.all())
    if steps:
        lines += ["", "**Rollback Steps**:", *[f"- {s.title}" for s in steps]]
    team = list(plan.team.all())
    if team:
        lines += ["", "**Rollback Team**:", *[f"- {m.role or 'Member'}: {m.person.name}"
                                              for m in team]]
    return ["", f"{level} Rollback Plan", *lines] if lines else []

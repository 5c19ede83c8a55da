"""Rollout stages ("### Stage A: Canary" with "Percentage of Users: 10%" and "Length of time:
March 12" under its Planning) into a staged rollout plan of the flag the document's toggle table
names, in production.

A document whose toggle is not an existing flag yet ("TBD") keeps its stages as text, with a
warning. The export writes each stage's live percentage and start date into its lines; the
rollouts area appends each plan's results itself.
"""

import re
from datetime import date

from django.utils import timezone

from tminus.core.errors import NotFound, TransitionNotAllowed, ValidationFailed
from tminus.plans import dates, markdown, semantics
from tminus.plans.mapping import Claim, Mapper, area_ready, register_mapper, rollout_criteria
from tminus.plans.mapping.common import same
from tminus.plans.mapping.release_parts import norm_key

STAGE_HEADING = re.compile(r"^stage[ \t]+(?P<label>[A-Z0-9]{1,3})[ \t]*[:\u2013\u2014-][ \t]*"
                           r"(?P<name>.+)$", re.I)
PERCENT = re.compile(r"(\d{1,3})[ \t]*%")
# "Percentage of Users (and roughly how many users do you expect this to be): 50%": a key too
# long to be a field of its own.
PERCENT_LINE = re.compile(r"^(?P<key>[ \t]*(?:[-*+][ \t]+)?\**percentage of users[^:\n]*:\**"
                          r"[ \t]*)(?P<value>.*)$", re.I)
ENVIRONMENT = "production"
RESULTS = {"number of unique users": "unique_users", "number of users": "unique_users",
           "exposures": "exposures"}
UID = "rollout"


class RolloutStageMapper(Mapper):
    key = "rollout_stages"
    label = "Rollout stages (rollouts)"
    order = 250
    block_kinds = ("stage_field", "stage_result")

    def ready(self) -> bool:
        return area_ready("tminus.rollouts.services", "rollout_plan_create",
                          "rollout_plan_update", "plan_definition")

    # ---- reading -----------------------------------------------------------------------------
    def prepare(self, reader) -> None:
        reader.notes["rollout_stages"] = []

    def claim_heading(self, reader, section):
        match = STAGE_HEADING.match(markdown.strip_markup(section.title)) if section.level \
            else None
        if match is None:
            return None
        stage = {"uid": reader.new_uid("sr"), "name": markdown.strip_markup(match["name"])[:200],
                 "percentage": None, "not_before": None, "line": section.heading.start}
        reader.notes["rollout_stages"].append(stage)
        section.rollout_stage = stage
        reader.became(section.heading, f"rollout stage '{stage['name']}'", kind="rollout")
        return [{"kind": "text", "lines": list(section.heading.lines)}]

    def claim(self, reader, section, index: int) -> Claim | None:
        stage = _stage_of(section)
        element = section.elements[index]
        if stage is None or element.kind not in ("text", "item"):
            return None
        if re.search(r"result", section.title, re.I):
            return self._result(reader, element, stage)
        if not re.search(r"plan", section.title, re.I):
            return None
        found = markdown.fields_in(element.lines[0])
        line = PERCENT_LINE.match(element.lines[0])
        if len(found) != 1 and line is None:
            return None
        key, value = (norm_key(found[0].key), found[0].value) if found else ("", "")
        if line is not None and (percent := PERCENT.search(line["value"])):
            stage["percentage"] = int(percent.group(1))
            field = "percentage"
        elif key in ("length of time", "date", "start date", "dates") and (
                when := reader.span(value, element)) and when.start.day:
            stage["not_before"] = when.start.day.isoformat()
            field = "not_before"
        else:
            return None
        reader.became(element, f"{field.replace('_', ' ')} of rollout stage '{stage['name']}'",
                      kind="rollout")
        return Claim(1, [{"kind": "stage_field", "uid": stage["uid"], "field": field,
                          "stage": stage["name"], "line": element.lines[0],
                          "value": stage[field]}])

    @staticmethod
    def _result(reader, element, stage: dict) -> Claim | None:
        found = markdown.fields_in(element.lines[0])
        if len(found) != 1 or norm_key(found[0].key) not in RESULTS:
            return None
        reader.became(element, f"result of rollout stage '{stage['name']}'", kind="rollout")
        return Claim(1, [{"kind": "stage_result", "uid": stage["uid"], "stage": stage["name"],
                          "result": RESULTS[norm_key(found[0].key)], "line": element.lines[0]}])

    def finish(self, reader) -> None:
        stages = _merged([s for s in reader.notes.get("rollout_stages", []) if s["percentage"]],
                         _written_stages(reader))
        if not stages:
            return
        flag = _flag_before(reader, min(s["line"] for s in stages))
        if not flag:
            reader.warnings.append({"line": None, "message": (
                "The rollout stages name no feature flag: a flag named after the release is "
                "created, switched off, for them.")})
        _attach_criteria(stages, rollout_criteria.written_criteria(reader, _stage_of))
        reader.add_entry(self.key, {"uid": UID, "flag": flag, "name": reader.notes.get(
            "title", ""), "stages": [{k: v for k, v in s.items() if k != "line"}
                                     for s in stages]})

    # ---- applying ----------------------------------------------------------------------------
    def apply(self, context, entries) -> None:
        for entry in entries:
            try:
                plan = _plan_apply(context, entry)
            except (ValidationFailed, NotFound, TransitionNotAllowed) as refused:
                context.warn(f"The rollout of '{entry.get('flag') or 'the release'}' was not "
                             "planned: "
                             f"{refused.message} Its stages stay as text.")
                continue
            # A plan's stages are replaced whenever it is redefined: blocks point at the plan
            # and find their stage by name.
            context.records[entry.get("uid") or f"rollout:{plan.pk}"] = plan
            for spec in entry["stages"]:
                if spec.get("uid"):
                    context.records[spec["uid"]] = plan

    # ---- live data and rendering -------------------------------------------------------------
    def load(self, release) -> dict:
        from tminus.rollouts.models import Stage, StageRun

        stages: dict[int, list] = {}
        for stage in Stage.objects.filter(plan__release=release).order_by("plan_id", "order"):
            stages.setdefault(stage.plan_id, []).append(stage)
        results = {}
        for run in StageRun.objects.filter(plan__release=release).order_by("started_at", "id"):
            if run.results:
                results[run.stage_id] = run.results  # the stage's latest measured run
        return {"rollout_stages": stages, "rollout_results": results}

    def render(self, block: dict, live: dict) -> list[str]:
        stages = live.get("rollout_stages", {}).get(block.get("id"), [])
        named = [s for s in stages if same(s.name, block["stage"])]
        # Two stages may share a name ("Stage A: 50% of Users", "Stage B: 50% of users").
        stage = next((s for s in named if block.get("field") == "percentage"
                      and s.percentage == block.get("value")), named[0] if named else None)
        line = block["line"]
        if stage is None:
            return [line]
        if block["kind"] == "stage_result":
            return [_result_line(line, live.get("rollout_results", {}).get(stage.pk),
                                 block["result"])]
        if block["field"] == "percentage":
            written = PERCENT_LINE.match(line)
            if stage.percentage == block["value"] or stage.percentage is None or not written:
                return [line]
            return [written["key"] + PERCENT.sub(f"{stage.percentage}%", written["value"],
                                                 count=1)]
        found = markdown.fields_in(line)
        day = _day(stage.not_before)
        if day == block["value"] or day is None or not found:
            return [line]
        text = dates.format_like(date.fromisoformat(day), found[0].value)
        return [markdown.replace_values(line, {0: text}, found)]

    def export(self, release, live: dict) -> list[dict]:
        from tminus.rollouts.models import RolloutPlan

        stages = live.get("rollout_stages", {})
        found = RolloutPlan.objects.filter(pk__in=stages).select_related("flag")
        return [{"flag": plan.flag.key, "name": plan.name, "stages": [
            {"name": stage.name, "percentage": stage.percentage,
             "not_before": _day(stage.not_before),
             **({"criteria": criteria} if (criteria := _criteria_of(stage)) else {})}
            for stage in stages[plan.pk]]} for plan in found]


def _criteria_of(stage) -> list[dict]:
    return [{"metric": c.metric, "comparator": c.comparator, "threshold": c.threshold}
            for c in stage.criteria.all()]


def _attach_criteria(stages: list[dict], criteria: list[tuple[dict | None, dict]]) -> None:
    """Criteria written in a stage's own section go to that stage; the others, written for the
    rollout as a whole, to every stage."""
    for stage in stages:
        mine = [c for owner, c in criteria if owner is None or owner is stage]
        unique = [c for n, c in enumerate(mine) if c not in mine[:n]]
        if unique:
            stage["criteria"] = unique


def _result_line(line: str, results: dict | None, name: str) -> str:
    value = (results or {}).get(name)
    found = markdown.fields_in(line)
    if not isinstance(value, int | float) or not found:
        return line
    return markdown.replace_values(line, {0: f"{value:,}"}, found)


def _day(moment) -> str | None:
    return timezone.localtime(moment).date().isoformat() if moment else None


STAGE_WORDS = re.compile(r"\b(?:stage|phase|canary|pilot|ring|wave|step|ramp)\b", re.I)
ROLLOUT_CONTEXT = re.compile(r"roll-?out|\bstag(?:e|ed|ing)\b|\bphase|canary|ramp|pilot|launch",
                             re.I)
USERS_SHARE = re.compile(
    r"\d[ \t]*%[ \t]*(?:of[ \t]+)?(?:all[ \t]+|live[ \t]+|the[ \t]+)?(?:users|traffic|actors|icns|"
    r"veterans|customers|population|facilit|submissions|requests|visitors|members)|"
    r"(?:increase|ramp|roll(?:ed)?[ -]?out|go|expand|scale|move|turn(?:ed)? on)[a-z]*[ \t]+"
    r"(?:up[ \t]+)?to[ \t]+\d+[ \t]*%", re.I)
AUDIENCE_KEYS = re.compile(r"audience|percentage|traffic|users|exposure|rollout", re.I)
RESULT_SECTIONS = re.compile(r"results?|actual|outcome|log", re.I)


def _written_stages(reader) -> list[dict]:
    """Stages written without a 'Stage A:' heading: a heading with its share ('Phase I: Canary
    (1%)'), a bold '**Stage 1**' with its '**Audience**: 1% of live traffic', list items and
    boxes in a rollout ('25% of users (3-5 days)', 'BMT2 to increase to 25%'), and table rows
    ('Phase 2: 50% of users | … | Aug 7, 2025'). The lines stay with whatever else they are."""
    from tminus.plans.mapping.tables import Table

    found = []
    for section in reader.root.walk():
        title = markdown.strip_markup(section.title) if section.level else ""
        if title and RESULT_SECTIONS.search(title):
            continue
        if title and not STAGE_HEADING.match(title) and STAGE_WORDS.search(title) and (
                share := semantics.percent_in(title)):
            found.append(_candidate(title, share, section.heading.start, "heading"))
        in_rollout = any(ROLLOUT_CONTEXT.search(t) for t in section.path())
        elements = section.elements
        for position, element in enumerate(elements):
            text = element.text if element.kind == "item" else element.lines[0].strip()
            if element.kind == "text" and re.fullmatch(r"\*\*[^*]+\*\*:?", text) and \
                    STAGE_WORDS.search(text):
                share = _audience(elements[position + 1:])
                if share:
                    found.append(_candidate(markdown.strip_markup(text), share, element.start,
                                            "heading"))
            elif element.kind == "item" and in_rollout and USERS_SHARE.search(text) and (
                    share := semantics.percent_in(text)):
                days = [f for f in reader.find_dates(text, element) if f.span.start.day]
                name = semantics.as_written(text[days[0].end:] if days and days[0].start <= 4
                                            else text).lstrip("-\u2013\u2014 ")
                found.append(_candidate(name, share, element.start, "item",
                                        days[0].span.start.day if days else None))
            elif element.kind == "table" and len(element.rows) > 1:
                found += _table_stages(reader, Table(element))
    return found


def _table_stages(reader, table) -> list[dict]:
    what = table.column("stage", "what")
    if what is None:
        return []
    found = []
    for offset, (_line, cells) in enumerate(table.body):
        name = semantics.cell_text(cells[what]) if what < len(cells) else ""
        share = next((p for cell in cells if USERS_SHARE.search(cell) or "%" in cell
                      if (p := semantics.percent_in(cell))), None)
        if name and share:
            days = [f for cell in cells for f in reader.find_dates(cell, table.element)
                    if f.span.start.day]
            found.append(_candidate(name, share, table.element.start + 2 + offset, "table",
                                    days[0].span.start.day if days else None))
    return found


def _audience(elements) -> int | None:
    for element in elements:
        if element.kind == "blank":
            continue
        if element.kind != "item":
            return None
        found = markdown.fields_in(element.lines[0])
        if found and AUDIENCE_KEYS.search(found[0].key) and (
                share := semantics.percent_in(found[0].value)):
            return share
    return None


def _candidate(name: str, share: int, line: int, source: str, day=None) -> dict:
    return {"uid": None, "name": name[:200], "percentage": share,
            "not_before": day.isoformat() if day else None, "line": line, "source": source}


def _merged(headed: list[dict], written: list[dict]) -> list[dict]:
    """The stages under their own headings, then the others for shares those do not cover;
    in the order of their shares, and a start date only where it follows the one before."""
    stages = [*headed, *[s for s in written if s["source"] == "heading"]]
    covered = {s["percentage"] for s in stages}
    for stage in written:
        if stage["source"] != "heading" and stage["percentage"] not in covered:
            stages.append(stage)
            covered.add(stage["percentage"])
    stages.sort(key=lambda s: (s["percentage"], s["line"]))
    latest = None
    for stage in stages:
        stage.pop("source", None)
        if stage["not_before"] and latest and stage["not_before"] <= latest:
            stage["not_before"] = None
        latest = stage["not_before"] or latest
    return stages


def _flag_before(reader, line: int) -> str | None:
    """The flag named closest before the stages (else the first one the plan names)."""
    names = reader.notes.get("flag_lines") or []
    before = [name for at, name in names if at <= line]
    return before[-1] if before else (names[0][1] if names else None)


def _stage_of(section) -> dict | None:
    node = section
    while node is not None:
        if getattr(node, "rollout_stage", None) is not None:
            return node.rollout_stage
        node = node.parent
    return None


def _definition(entry: dict) -> dict:
    return {"name": entry.get("name") or f"Rollout of {entry['flag']}",
            "stages": [{"name": s["name"], "percentage": s["percentage"],
                        **({"not_before": s["not_before"]} if s.get("not_before") else {}),
                        **({"criteria": rollout_criteria.definition_criteria(s)}
                           if s.get("criteria") else {})}
                       for s in entry["stages"] if s.get("percentage") is not None]}


def _plan_apply(context, entry: dict):
    from tminus.flags.models import Flag
    from tminus.rollouts import services
    from tminus.rollouts.models import RolloutPlan

    flag = Flag.objects.filter(key=entry.get("flag") or context.release.key).first()
    if flag is None:
        flag = _new_flag(context, entry.get("flag") or context.release.key)
    rollout_criteria.declare_metrics(context, entry)
    definition = _definition(entry)
    plan = RolloutPlan.objects.filter(release=context.release, flag=flag).first()
    if plan is None:
        plan = services.rollout_plan_create(release=context.release, flag=flag,
                                            environment=ENVIRONMENT,
                                            definition_data=definition, actor=context.actor)
        context.change(f"planned the rollout of {flag.key} in {len(definition['stages'])} "
                       "stages")
        return plan
    current = [{k: s.get(k) for k in ("name", "percentage", "not_before", "criteria")}
               for s in services.plan_definition(plan)["stages"]]
    wanted = [{"not_before": None, **s} for s in definition["stages"]]
    if [_comparable(s) for s in current] != [_comparable(s) for s in wanted] \
            and plan.status == "draft":
        plan = services.rollout_plan_update(plan=plan, definition_data=definition,
                                            actor=context.actor)
        context.change(f"updated the rollout plan of {flag.key}")
    return plan


def _new_flag(context, key: str):
    """The flag a stage plan names (or, naming none, one named after the release), created
    switched off so the stages are a rollout plan rather than text."""
    from tminus.flags.services import flag_create
    from tminus.plans.mapping.flags import product_project

    flag = flag_create(project=product_project(context), key=key, release=context.release,
                       actor=context.actor)
    context.change(f"created flag {flag.key} (off in every environment) for the rollout")
    context.warn(f"The rollout stages use the flag '{flag.key}', which did not exist: it was "
                 "created switched off.")
    return flag


def _comparable(stage: dict) -> tuple:
    moment = stage.get("not_before")
    return (stage["name"], stage.get("percentage"), str(moment)[:10] if moment else None,
            rollout_criteria.comparable(stage.get("criteria")))


register_mapper(RolloutStageMapper())

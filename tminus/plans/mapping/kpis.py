"""Success metrics and KPI lists ("95% uptime", "Error rate: < 1%") into outcome KPIs.

A line under a metrics heading (Success Metrics, Technical Metrics, Metrics & KPIs, KPIs ...)
whose text is a target with a number becomes a KPI; the export shows the latest reading and
whether it meets the target once there is one.
"""

import re

from tminus.core.errors import ValidationFailed
from tminus.plans import markdown
from tminus.plans.mapping import Claim, Mapper, area_ready, kpi_tables, register_mapper
from tminus.plans.mapping.common import same, section_titles, take

METRIC_HEADINGS = re.compile(r"\bmetrics?\b|\bkpis?\b|success criteria|adoption goals", re.I)
METRIC_LABELS = re.compile(r"\bmetrics?\b|\bkpis?\b|success\W{0,3}criteria|\btargets?\b|"
                           r"\bgoals?\b|by the numbers|measure", re.I)
RESULT_SECTIONS = re.compile(r"\bresults?\b|\bactuals?\b|\bat this stage\b", re.I)
COMPARE = {">=": float.__ge__, ">": float.__gt__, "<=": float.__le__, "<": float.__lt__,
           "=": float.__eq__}
# How plans say "at most" and "more than" that the target parser does not know.
PHRASES = [(re.compile(r"\b(?:does|do|should|must|will)?[ \t]*not[ \t]+(?:exceed|go above|"
                       r"rise above)\b", re.I), "at most"),
           (re.compile(r"\bexceeds?\b", re.I), "more than"),
           (re.compile(r"\b(at least|at most|more than|less than|up to)\s+an?\b", re.I), r"\1"),
           (re.compile(r"\b(?:remains?|stays?|is|are|kept)[ \t]+(below|under|above|over)\b",
                       re.I), r"\1")]
NOISE = re.compile(r"\[[^\]]*\]\([^)]*\)|`[^`]*`|#\d+|\b[A-Za-z]+\d+\b|\b\d+(?:-[a-z]+)+\b|"
                   r"\b(?:kpi|stage|phase|step|week|month|day|tier|p)[ \t]*\d+\b|\bv?\d+\.\d+\.\d+",
                   re.I)
BLANK = re.compile(r"_{2,}|\bfill[_ ]?in\b|\bpick[_ ]?one\b|\bx{2,}\b|\btbd\b|\?\?", re.I)
TARGET_IN = re.compile(r"\(\s*(?:target|goal)\s*:\s*(?P<target>[^)]*)\)", re.I)
COMPARING = re.compile(r"[<>≤≥=]|\d\s*\+|\d\s*(?:%|percent)|\b(?:at least|at most|less than|"
                       r"more than|fewer than|greater than|below|above|under|over|within|up to|"
                       r"no more than|minimum|maximum)\b", re.I)
ZERO = re.compile(r"^(?:no|zero)\b|\bwith (?:no|zero)\b|\bzero\b", re.I)


def _target(text: str):
    from tminus.outcomes.targets import parse_target

    if not re.search(r"\d|\bzero\b|\bno\b", text, re.I):
        return None
    try:
        return parse_target(text)
    except ValueError:
        return None


def kpi_of(text: str) -> tuple[str, str] | None:
    """(name, target) of a metric with a target ('Error rate: < 1%', 'Manual routing does not
    exceed 35 percent', 'User satisfaction: ___ (target: > 4/5)', 'No P0s found'); None for a
    metric to watch without a target, a number inside a link, an id or a placeholder."""
    from tminus.plans import semantics

    plain = semantics.as_written(text)
    name, target, bare = "", plain, False
    found = markdown.fields_in(plain)
    inside_target = (inside := TARGET_IN.search(plain)) is not None
    if inside is not None:
        name = markdown.strip_markup(found[0].key) if found else plain[:inside.start()].strip()
        target, bare = inside["target"], True
    elif found and found[0].value and len(found[0].key.split()) <= 8:
        name, target, bare = markdown.strip_markup(found[0].key), found[0].value, True
    if re.match(r"^(?:kpi|target|goal|success criteri\w*)$", name, re.I):
        name = ""  # "**KPI**: See 10,000 updates …": the value names the metric
    elif re.match(r"^(?:day|week|month|quarter|year)\s*\d+$", name, re.I):
        name, target, bare = "", plain, False  # "Week 1: 10% of …": the window, not the name
    if BLANK.search(target) or markdown.is_placeholder(target):
        return None
    for pattern, words in PHRASES:
        target = pattern.sub(words, target)
    meaningful = NOISE.sub(" ", target)
    numbered = bool(re.search(r"\d", meaningful))
    said = bool(re.match(r"^(?:kpi|target|goal)\b", markdown.strip_markup(
        found[0].key), re.I)) if found else False
    if not ((numbered and (COMPARING.search(meaningful) or said or (
            bare and re.fullmatch(r"[\s\d,.]+", meaningful)))) or ZERO.search(meaningful)):
        return None
    zero = bare and re.fullmatch(r"\s*0+\s*", meaningful)
    if zero:
        target = "= 0"
    written = (f"{name} {target}".strip() if name else target).rstrip(".;").strip()
    if not inside_target and name and not zero:
        whole = plain
        for pattern, words in PHRASES:
            whole = pattern.sub(words, whole)
        whole = whole.rstrip(".;").strip()
        written = whole if _target(whole) is not None else written  # as the plan wrote it
    if _target(written) is None:
        return None
    return name[:200], written[:300]


class KpiMapper(Mapper):
    key = "kpis"
    label = "KPIs and success metrics (outcomes)"
    order = 200
    block_kinds = ("kpi", "kpi_row")

    def ready(self) -> bool:
        return (area_ready("tminus.outcomes.services", "kpi_create", "kpi_update", "kpi_delete")
                and area_ready("tminus.outcomes.targets", "parse_target"))

    @staticmethod
    def _is_metrics(section) -> bool:
        return any(METRIC_HEADINGS.search(title) for title in section_titles(section))

    def claim_heading(self, reader, section):
        # A metrics heading stays a heading: its lines are KPIs, not a checklist.
        if section.level and self._is_metrics(section) and any(
                e.kind == "item" and kpi_of(e.text) for e in section.elements):
            return [{"kind": "text", "lines": list(section.heading.lines)}]
        return None

    def claim(self, reader, section, index: int) -> Claim | None:
        element = section.elements[index]
        if element.kind == "table" and len(element.rows) > 1:
            return kpi_tables.claim_table(reader, element, self.key)
        labelled = bool(markdown.fields_in(element.lines[0])) and re.match(
            r"^(?:kpi|target|goal)$", markdown.strip_markup(
                markdown.fields_in(element.lines[0])[0].key), re.I)
        if (element.kind != "item" and not (element.kind == "text" and labelled)) or \
                not section.level or any(RESULT_SECTIONS.search(t)
                                         for t in section_titles(section)):
            return None
        if not (self._is_metrics(section) or _labelled_as_metrics(section, index)):
            return None
        found = kpi_of(element.text if element.kind == "item" else element.lines[0])
        if found is None:
            return None
        name, target = found
        if any(same(e.get("name"), name) and name for e in reader.spec.get(self.key, [])):
            return None  # the same metric again (a results list repeating the plan)
        entry = reader.add_entry(self.key, {"uid": reader.new_uid("k"), "target": target,
                                            **({"name": name} if name else {})})
        parsed = _target(target)
        reader.became(element, f"KPI '{name or parsed.subject}' target {parsed.comparator} "
                      f"{parsed.value:g} {parsed.unit}", kind="kpi")
        return Claim(1, [{"kind": "kpi", "uid": entry["uid"], "line": element.lines[0],
                          "value": entry["target"]}])

    def apply(self, context, entries) -> None:
        from tminus.outcomes.services import kpi_create, kpi_delete, kpi_update

        existing = list(context.release.kpis.all())
        for entry in entries:
            kpi = take(existing, lambda k, t=entry["target"]: same(k.target_text, t))
            if kpi is None and entry.get("name"):
                kpi = take(existing, lambda k, n=entry["name"]: same(k.name, n))
                if kpi is not None:
                    kpi = kpi_update(kpi=kpi, revision=None,
                                     changes={"target": entry["target"]}, actor=context.actor)
                    context.change(f"updated KPI '{kpi.name}'")
            if kpi is None:
                try:
                    kpi = kpi_create(release=context.release, target=entry["target"],
                                     name=entry.get("name", ""), actor=context.actor)
                except ValidationFailed as refused:
                    context.warn(f"The KPI '{entry['target']}' was not taken: {refused.message} "
                                 "It stays as text in the document.")
                    continue
                context.change(f"added KPI '{kpi.name}'")
            kpi_tables.apply_measures(context, kpi, entry)
            context.records[entry.get("uid") or f"kpi:{kpi.pk}"] = kpi
        if context.prune:
            for kpi in existing:
                kpi_delete(kpi=kpi, actor=context.actor)
                context.change(f"removed KPI '{kpi.name}'")

    def load(self, release) -> dict:
        from tminus.outcomes.models import KpiCheckin

        kpis = {kpi.pk: kpi for kpi in release.kpis.all()}
        latest: dict[int, object] = {}
        readings = (KpiCheckin.objects.filter(kpi__in=kpis.values(), status="recorded")
                    .order_by("kpi_id", "-taken_at"))
        for reading in readings:
            latest.setdefault(reading.kpi_id, reading)
        return {"kpis": kpis, "kpi_latest": latest}

    def render(self, block: dict, live: dict) -> list[str]:
        kpi = live.get("kpis", {}).get(block.get("id"))
        if kpi is None:
            return []
        line = block["line"]
        if block["kind"] == "kpi_row":
            return [line]  # a row of the document's metric table, as written
        if kpi.target_text != block["value"]:
            line = line.replace(block["value"], kpi.target_text) if block["value"] in line \
                else f"- {kpi.target_text}"
        reading = live.get("kpi_latest", {}).get(kpi.pk)
        return [line + _measured(kpi, reading)]

    def export(self, release, live: dict) -> list[dict]:
        from tminus.plans.document import checkbox

        latest = live.get("kpi_latest", {})
        return [{"name": kpi.name, "target": kpi.target_text, **kpi_tables.exported(kpi),
                 **checkbox(live, ("kpi",), kpi.pk, _met(kpi, latest.get(kpi.pk)))}
                for kpi in live.get("kpis", {}).values()]

    def appendix(self, live: dict, placed: dict, *, standalone: bool) -> list[str]:
        shown = placed.get("kpi", set()) | placed.get("kpi_row", set())
        kpis = [k for pk, k in live.get("kpis", {}).items() if pk not in shown]
        if not kpis:
            return []
        level = "##" if standalone else "###"
        latest = live.get("kpi_latest", {})
        return ["", f"{level} Metrics & KPIs", *[f"- {k.target_text}"
                                                 + _measured(k, latest.get(k.pk)) for k in kpis]]


def _labelled_as_metrics(section, index: int) -> bool:
    """The list is announced as metrics or success criteria: by the item it is nested under,
    the line before it, or (first in its section) the last line of the section above."""
    element = section.elements[index]
    texts = []
    for before in reversed(section.elements[:index]):
        if before.kind == "blank" or (before.kind == "text" and before.text.startswith(">")):
            continue
        if before.kind == "item" and before.indent >= element.indent:
            continue
        texts.append(before.text if before.kind == "item" else before.lines[0])
        break
    if not texts and section.parent is not None:
        parent = [e for e in section.parent.elements if e.kind not in ("blank",)]
        if parent and section.parent.children and section.parent.children[0] is section:
            texts.append(parent[-1].lines[0])
    found = markdown.fields_in(element.lines[0])
    if found and re.match(r"^(?:kpi|target|goal|success criteri\w*)$",
                          markdown.strip_markup(found[0].key), re.I):
        return True
    return any(METRIC_LABELS.search(text) for text in texts)


def _met(kpi, reading) -> bool | None:
    if reading is None or reading.value is None:
        return None
    return COMPARE.get(kpi.comparator, float.__ge__)(float(reading.value), kpi.target_value)


def _measured(kpi, reading) -> str:
    if reading is None or reading.value is None:
        return ""
    met = COMPARE.get(kpi.comparator, float.__ge__)(float(reading.value), kpi.target_value)
    unit = "" if kpi.unit == "count" else kpi.unit
    return f" — measured {reading.value:g}{unit} on {reading.taken_at:%Y-%m-%d}: " \
           f"{'met' if met else 'not met'}"


register_mapper(KpiMapper())

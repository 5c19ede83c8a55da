"""Success metrics and KPI lists ("95% uptime", "Error rate: < 1%") into outcome KPIs.

A line under a metrics heading (Success Metrics, Technical Metrics, Metrics & KPIs, KPIs ...)
whose text is a target with a number becomes a KPI; the export shows the latest reading and
whether it meets the target once there is one.
"""

import re

from tminus.plans import markdown
from tminus.plans.mapping import Claim, Mapper, area_ready, register_mapper
from tminus.plans.mapping.common import same, section_titles, take

METRIC_HEADINGS = re.compile(r"\bmetrics?\b|\bkpis?\b|success criteria|adoption goals", re.I)
COMPARE = {">=": float.__ge__, ">": float.__gt__, "<=": float.__le__, "<": float.__lt__,
           "=": float.__eq__}


def _target(text: str):
    from tminus.outcomes.targets import parse_target

    if not re.search(r"\d|\bzero\b", text, re.I):
        return None
    try:
        return parse_target(text)
    except ValueError:
        return None


class KpiMapper(Mapper):
    key = "kpis"
    label = "KPIs and success metrics (outcomes)"
    order = 200
    block_kinds = ("kpi",)

    def ready(self) -> bool:
        return (area_ready("tminus.outcomes.services", "kpi_create", "kpi_update", "kpi_delete")
                and area_ready("tminus.outcomes.targets", "parse_target"))

    @staticmethod
    def _is_metrics(section) -> bool:
        return any(METRIC_HEADINGS.search(title) for title in section_titles(section))

    def claim_heading(self, reader, section):
        # A metrics heading stays a heading: its lines are KPIs, not a checklist.
        if section.level and self._is_metrics(section) and any(
                e.kind == "item" and _target(e.text) for e in section.elements):
            return [{"kind": "text", "lines": list(section.heading.lines)}]
        return None

    def claim(self, reader, section, index: int) -> Claim | None:
        element = section.elements[index]
        if element.kind != "item" or not section.level or not self._is_metrics(section):
            return None
        text = markdown.strip_markup(element.text)
        target = _target(text)
        if target is None:
            return None
        entry = reader.add_entry(self.key, {"uid": reader.new_uid("k"), "target": text[:300]})
        reader.became(element, f"KPI '{target.subject}' target {target.comparator} "
                      f"{target.value:g} {target.unit}", kind="kpi")
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
                kpi = kpi_create(release=context.release, target=entry["target"],
                                 name=entry.get("name", ""), actor=context.actor)
                context.change(f"added KPI '{kpi.name}'")
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
        if kpi.target_text != block["value"]:
            line = line.replace(block["value"], kpi.target_text) if block["value"] in line \
                else f"- {kpi.target_text}"
        reading = live.get("kpi_latest", {}).get(kpi.pk)
        return [line + _measured(kpi, reading)]

    def export(self, release, live: dict) -> list[dict]:
        from tminus.plans.document import checkbox

        latest = live.get("kpi_latest", {})
        return [{"name": kpi.name, "target": kpi.target_text,
                 **checkbox(live, ("kpi",), kpi.pk, _met(kpi, latest.get(kpi.pk)))}
                for kpi in live.get("kpis", {}).values()]

    def appendix(self, live: dict, placed: dict, *, standalone: bool) -> list[str]:
        kpis = [k for pk, k in live.get("kpis", {}).items() if pk not in placed.get("kpi", set())]
        if not kpis:
            return []
        level = "##" if standalone else "###"
        latest = live.get("kpi_latest", {})
        return ["", f"{level} Metrics & KPIs", *[f"- {k.target_text}"
                                                 + _measured(k, latest.get(k.pk)) for k in kpis]]


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

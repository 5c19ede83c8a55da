"""Dependencies written as prose (a "Dependencies" heading or label with one per line) into the
readiness area's dependencies."""

import re

from tminus.plans import markdown
from tminus.plans.mapping import Claim, area_ready, register_mapper
from tminus.plans.mapping.common import (
    RecordMapper,
    differences,
    item_text,
    label_of,
    marker_of,
    nested_items,
    same,
    sync,
)

HEADING = re.compile(r"^(?:external |key |internal )?dependenc(?:y|ies)$", re.I)
THIRD_PARTY = re.compile(r"third[- ]party|vendor|external|supplier|provider|partner", re.I)
STATUS_SUFFIX = re.compile(r"[ \t]+\u2014[ \t]+(not met yet|open|in progress|at risk|met)$", re.I)
STATUS_WORDS = {"not met yet": "open", "open": "open", "in progress": "in_progress",
                "at risk": "at_risk", "met": "met"}


class DependencyMapper(RecordMapper):
    key = "dependencies"
    label = "Dependencies (readiness)"
    order = 120
    block_kinds = ("dependency",)
    live_key = "dependencies"

    def ready(self) -> bool:
        return area_ready("tminus.readiness.services", "dependency_add", "dependency_update",
                          "dependency_remove")

    def claim(self, reader, section, index: int) -> Claim | None:
        element = section.elements[index]
        label = label_of(element)
        if label and element.kind == "item" and HEADING.match(label):
            run = nested_items(section, index)
            blocks = [{"kind": "text", "lines": list(element.lines)}]
            blocks += [self._line(reader, e) for e in run]
            return Claim(1 + len(run), blocks)
        title = markdown.strip_markup(section.title) if section.level else ""
        if HEADING.match(title) and element.kind in ("text", "item") \
                and not element.is_checkbox and not label:
            return Claim(1, [self._line(reader, element)])
        return None

    def _line(self, reader, element) -> dict:
        if element.kind == "blank":
            return {"kind": "text", "lines": list(element.lines)}
        text = item_text(element)
        status = "open"
        if found := STATUS_SUFFIX.search(text):
            status, text = STATUS_WORDS[found.group(1).lower()], text[:found.start()]
        entry = reader.add_entry(self.key, {
            "uid": reader.new_uid("d"), "name": text[:300], "status": status,
            "kind": "third_party" if THIRD_PARTY.search(text) else "internal"})
        reader.became(element, f"dependency '{entry['name'][:60]}' "
                      f"({entry['kind'].replace('_', ' ')})", kind="readiness")
        return {"kind": "dependency", "uid": entry["uid"], "lines": list(element.lines)}

    def apply(self, context, entries) -> None:
        from tminus.readiness import services

        def values(entry):
            return {"name": str(entry.get("name") or ""),
                    "kind": entry.get("kind") or "internal",
                    "status": entry.get("status") or "open"}

        sync(context, entries, context.release.dependencies.all(), noun="dependency",
             match=lambda dep, e: same(dep.name, e.get("name")),
             add=lambda e: services.dependency_add(release=context.release,
                                                   actor=context.actor, **values(e)),
             changes=lambda dep, e: differences(dep, values(e)),
             update=lambda dep, changes: services.dependency_update(
                 dependency=dep, revision=None, changes=changes, actor=context.actor),
             remove=lambda dep: services.dependency_remove(dependency=dep,
                                                           actor=context.actor))

    def load(self, release) -> dict:
        return {self.live_key: {d.pk: d for d in release.dependencies.all()}}

    def current(self, dependency) -> dict:
        return {"name": dependency.name, "status": dependency.status}

    def rewrite(self, block: dict, dependency, live: dict) -> list[str]:
        return [f"{marker_of(block['lines'][0])}{dependency.name}{_suffix(dependency)}"]

    def export(self, release, live: dict) -> list[dict]:
        return [{"name": d.name, "kind": d.kind, "status": d.status}
                for d in live.get(self.live_key, {}).values() if d.kind != "release"]

    def appendix(self, live: dict, placed: dict, *, standalone: bool) -> list[str]:
        rest = [d for pk, d in live.get(self.live_key, {}).items()
                if pk not in placed.get("dependency", set()) and d.kind != "release"]
        if not rest:
            return []
        return ["", f"{'##' if standalone else '###'} Dependencies",
                *[f"- {d.name}{_suffix(d)}" for d in rest]]


def _suffix(dependency) -> str:
    if dependency.status == "open":
        return ""
    return f" \u2014 {dependency.get_status_display()}"


register_mapper(DependencyMapper())

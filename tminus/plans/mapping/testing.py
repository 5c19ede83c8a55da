"""Test cases ("### Test Cases", "**Testing Steps**:") and test data into the testing area; the
export shows each case's latest result."""

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
    run_of,
    same,
    sync,
)

CASES = re.compile(r"^(?:uat |manual )?(?:test cases?|test scenarios?|testing steps|test steps|"
                   r"test plan cases)$", re.I)
DATA = re.compile(r"^test data$", re.I)
KINDS = [(re.compile(r"end[- ]to[- ]end|e2e", re.I), "end_to_end"),
         (re.compile(r"regression", re.I), "regression"), (re.compile(r"\bload|performance|"
                                                                      r"stress", re.I), "load"),
         (re.compile(r"security|penetration|vulnerab", re.I), "security"),
         (re.compile(r"integration", re.I), "integration"), (re.compile(r"\bunit\b", re.I),
                                                            "unit"),
         (re.compile(r"smoke", re.I), "smoke")]


def _kind(text: str) -> str:
    return next((kind for pattern, kind in KINDS if pattern.search(text)), "uat")


class TestCaseMapper(RecordMapper):
    key = "tests"
    label = "Test cases and test data (testing)"
    order = 400
    block_kinds = ("test_case", "test_data")
    live_key = "test_cases"

    def ready(self) -> bool:
        return area_ready("tminus.testing.services", "test_case_add", "test_case_update",
                          "test_plan_update")

    # ---- reading -----------------------------------------------------------------------------
    def claim(self, reader, section, index: int) -> Claim | None:
        element = section.elements[index]
        label = label_of(element)
        if label and element.kind == "item" and CASES.match(label):
            run = nested_items(section, index)
            return Claim(1 + len(run), [{"kind": "text", "lines": list(element.lines)},
                                        *[self._case(reader, e) for e in run]])
        if element.kind not in ("text", "item") or element.is_checkbox or label:
            return None
        title = markdown.strip_markup(section.title) if section.level else ""
        if CASES.match(title):
            return Claim(1, [self._case(reader, element)])
        if DATA.match(title):
            return self._data(reader, section, index)
        return None

    def _case(self, reader, element) -> dict:
        if element.kind == "blank":
            return {"kind": "text", "lines": list(element.lines)}
        text = item_text(element)
        title, steps = text, ""
        found = markdown.fields_in(element.lines[0])
        if len(found) == 1 and found[0].value and len(found[0].key) <= 80:
            title, steps = markdown.strip_markup(found[0].key), found[0].value
        entry = reader.add_entry(self.key, {"uid": reader.new_uid("q"), "title": title[:500],
                                            "steps": steps, "kind": _kind(title)})
        reader.became(element, f"test case '{entry['title'][:60]}' ({entry['kind']})",
                      kind="testing")
        return {"kind": "test_case", "uid": entry["uid"], "lines": list(element.lines),
                "style": "field" if steps else "line"}

    def _data(self, reader, section, index: int) -> Claim:
        run = run_of(section, index, lambda e: e.kind in ("text", "item") and not e.is_checkbox)
        text = "\n".join(item_text(e) for e in run if e.kind != "blank")
        reader.add_entry(self.key, {"uid": "test-data", "test_data": text})
        for element in run:
            if element.kind != "blank":
                reader.became(element, "test data of the test plan", kind="testing")
        return Claim(len(run), [{"kind": "test_data", "uid": "test-data",
                                 "lines": [line for e in run for line in e.lines]}])

    def template_parts(self, parts: dict, release_type: str) -> None:
        parts["testing"] = {"cases": []}

    # ---- applying ----------------------------------------------------------------------------
    def apply(self, context, entries) -> None:
        from tminus.testing import services

        data = [e for e in entries if "test_data" in e]
        cases = [e for e in entries if "test_data" not in e]
        sync(context, cases, context.release.test_cases.filter(automated_key=""),
             noun="test case", match=lambda case, e: same(case.title, e.get("title")),
             add=lambda e: services.test_case_add(release=context.release, actor=context.actor,
                                                  **_values(e)),
             changes=lambda case, e: differences(case, {"steps": e.get("steps") or ""}),
             update=lambda case, changes: services.test_case_update(
                 case=case, revision=None, changes=changes, actor=context.actor))
        for entry in data[-1:]:
            context.records["test-data"] = self._test_data(context, services, entry)

    @staticmethod
    def _test_data(context, services, entry):
        from tminus.testing.models import TestPlan

        plan = TestPlan.objects.filter(release=context.release).first()
        if plan is not None and plan.test_data == entry["test_data"]:
            return plan
        context.change("updated the test data of the test plan")
        return services.test_plan_update(release=context.release, revision=None,
                                         changes={"test_data": entry["test_data"]},
                                         actor=context.actor)

    # ---- live data ---------------------------------------------------------------------------
    def load(self, release) -> dict:
        from tminus.testing.models import TestPlan, TestResult

        cases = {c.pk: c for c in release.test_cases.all()}
        latest = {}
        for result in TestResult.objects.filter(case__release=release).order_by("recorded_at"):
            latest[result.case_id] = result
        plan = TestPlan.objects.filter(release=release).first()
        return {self.live_key: cases, "test_results": latest, "test_plan": plan}

    def current(self, record) -> dict:
        if hasattr(record, "test_data"):
            return {"test_data": record.test_data}
        return {"title": record.title, "steps": record.steps}

    def render(self, block: dict, live: dict) -> list[str]:
        if block["kind"] == "test_data":
            plan = live.get("test_plan")
            if plan is None or block.get("id") is None or self.current(plan) == block.get(
                    "value"):
                return list(block["lines"])
            return plan.test_data.splitlines()
        lines = super().render(block, live)
        result = live.get("test_results", {}).get(block.get("id"))
        if lines and result is not None:
            lines[-1] += f" \u2014 {result.get_result_display().lower()} on " \
                         f"{result.recorded_at:%Y-%m-%d}"
        return lines

    def rewrite(self, block: dict, case, live: dict) -> list[str]:
        marker = marker_of(block["lines"][0])
        if block.get("style") == "field" or case.steps:
            return [f"{marker}**{case.title}**: {case.steps}"]
        return [f"{marker}{case.title}"]

    def export(self, release, live: dict) -> list[dict]:
        entries = [{"title": c.title, "steps": c.steps, "kind": c.kind}
                   for c in live.get(self.live_key, {}).values() if not c.automated_key]
        plan = live.get("test_plan")
        if plan is not None and plan.test_data:
            entries.append({"test_data": plan.test_data})
        return entries

    def appendix(self, live: dict, placed: dict, *, standalone: bool) -> list[str]:
        cases = [c for pk, c in live.get(self.live_key, {}).items()
                 if pk not in placed.get("test_case", set()) and not c.automated_key]
        if not cases:
            return []
        return ["", f"{'##' if standalone else '###'} Test Cases",
                *[f"- **{c.title}**: {c.steps}" if c.steps else f"- {c.title}" for c in cases]]


def _values(entry: dict) -> dict:
    return {"title": str(entry.get("title") or ""), "steps": str(entry.get("steps") or ""),
            "kind": entry.get("kind") or "uat"}


register_mapper(TestCaseMapper())

"""Release templates written as Markdown plan documents, shaped after the teams' own plans.

A release created from one of these gets the template's phases, milestones, checklists and scope
(dates written as T-offsets, so they follow go-live) and the template's document shape, so its
export reads like the plan the team would have written by hand.
"""

from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

BLANK_KEY = "plan-document"


@dataclass(frozen=True)
class MarkdownTemplate:
    key: str
    name: str
    release_type: str
    description: str
    filename: str

    def text(self) -> str:
        return resources.files("tminus.plans.plan_templates").joinpath(self.filename) \
            .read_text(encoding="utf-8")

    def definition(self) -> dict:
        return {"key": self.key, "name": self.name, "release_type": self.release_type,
                "description": self.description, "phases": [], "milestones": [],
                "sections": [], "plans": {"markdown": self.filename}, **self.area_parts()}

    def area_parts(self) -> dict:
        """Empty parts for the areas whose records the document lays out itself, so their
        appliers do not add their defaults as well (other areas keep their defaults)."""
        from tminus.plans.mapping import active_mappers

        keys = _keys_with_entries(self.filename)
        parts: dict = {}
        for mapper in active_mappers():
            if mapper.key in keys:
                mapper.template_parts(parts, self.release_type)
        return parts


@cache
def _keys_with_entries(filename: str) -> frozenset[str]:
    """The spec keys a template document has entries under (the files never change)."""
    from tminus.plans import reading

    text = resources.files("tminus.plans.plan_templates").joinpath(filename) \
        .read_text(encoding="utf-8")
    spec = reading.read_plan(text, today=date.today()).spec
    return frozenset(key for key, value in spec.items() if isinstance(value, list) and value)


TEMPLATES = [
    MarkdownTemplate("feature-release-plan", "Feature release plan", "major",
                     "Overview, scope, dated phases, dependencies and risks, testing, "
                     "communication, deployment and rollback, post-release KPIs.",
                     "feature-release-plan.md"),
    MarkdownTemplate("release-train", "Release train", "minor",
                     "Monthly releases on a cadence: per-feature status, success metrics, "
                     "continuous improvement and risk mitigation policies.",
                     "release-train.md"),
    MarkdownTemplate("release-by-type-major", "Release by type: major", "major",
                     "Goals and scope, calendar (phase start, feature freeze, testing complete), "
                     "stakeholder sign-off, go/no-go, deployment preparation.",
                     "release-by-type-major.md"),
    MarkdownTemplate("release-by-type-minor", "Release by type: minor", "minor",
                     "A shorter calendar for smaller features and performance work.",
                     "release-by-type-minor.md"),
    MarkdownTemplate("release-by-type-patch", "Release by type: patch", "patch",
                     "Bug fixes and security updates: verify, approve, deploy off-peak.",
                     "release-by-type-patch.md"),
    MarkdownTemplate("go-live-plan", "Go-live plan with T-minus checklists", "major",
                     "Checklists 4, 3, 2 and 1 weeks before go-live with owners and due dates, "
                     "go-live day runbook, post-go-live monitoring, support, sign-off.",
                     "go-live-plan.md"),
    MarkdownTemplate("staged-rollout", "Staged feature-toggle rollout", "minor",
                     "Toggles, validation, rollback by flag, UAT, canary 10% then 50% then 100% "
                     "with success criteria and results, post-launch metrics.",
                     "staged-rollout.md"),
]
BY_KEY = {template.key: template for template in TEMPLATES}

# Every area lays out its defaults on a new release unless the template carries its own part
# for it. An imported document brings everything the release has, so each area gets an empty
# part (a truthy one where an area falls back to its defaults on a falsy part).
EMPTY_AREA_PARTS = {
    "readiness": {}, "support": {}, "comms": [], "meetings": [], "testing": {"cases": []},
    "documents": {}, "runbook": {"phases": []}, "rollback_plan": {"steps": []},
    "outcomes": {"questions": []},
}

# No release type of its own: the release keeps the one its plan gives.
BLANK = {"key": BLANK_KEY, "name": "Imported plan document",
         "description": "No parts of its own: an imported document provides them.",
         "phases": [], "milestones": [], "sections": [], **EMPTY_AREA_PARTS}


class MarkdownTemplates:
    """The provider registered with tminus.releases.templating."""

    def definition(self, key: str) -> dict | None:
        if key == BLANK_KEY:
            return dict(BLANK)
        template = BY_KEY.get(key)
        if template is None or not _exists(template):
            return None
        return template.definition()

    def catalog(self) -> list[dict]:
        return [{"key": t.key, "name": t.name, "release_type": t.release_type,
                 "description": t.description} for t in TEMPLATES if _exists(t)]


def _exists(template: MarkdownTemplate) -> bool:
    return resources.files("tminus.plans.plan_templates").joinpath(template.filename).is_file()


def template_text(key: str) -> str:
    return BY_KEY[key].text()

"""The release's exported plan (`tminus export`, the plan documents area) shows its rollouts:
each plan's stages with their results, in seed 004's shape, appended by this mapper.
"""

from tminus.plans.mapping import Mapper
from tminus.rollouts.report import plan_markdown
from tminus.rollouts.selectors import plan_view, plans_for_release


class RolloutMapper(Mapper):
    """Claims nothing when a document is imported; adds the rollout results when exporting."""

    key = "rollouts"
    label = "Staged rollouts"
    order = 200

    def load(self, release) -> dict:
        return {"rollout_plans": [plan_view(plan) for plan in plans_for_release(release)]}

    def appendix(self, live: dict, placed: dict, *, standalone: bool) -> list[str]:
        views = live.get("rollout_plans") or []
        if not views:
            return []
        lines = ["", "## Staged rollouts"] if standalone else []
        for view in views:
            lines += ["", *plan_markdown(view, "###")]
        return lines

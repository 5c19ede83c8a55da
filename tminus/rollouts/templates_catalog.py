"""Built-in shapes of a rollout plan, as definitions (see definition.py) to start from.

- `uat-10-50-100`: named users first (UAT, a person approves), then 10%, 50% and 100%;
- `1-5-25-50-100`: five percentage steps;
- `ring-by-segment`: one stage per segment (staff, beta customers ...), then 100%.

The success criteria and triggers given apply to every stage after the named users; the
named-user stage waits for a person, who checks that those users see the feature.
"""

from dataclasses import dataclass

UAT_10_50_100 = "uat-10-50-100"
FIVE_STEPS = "1-5-25-50-100"
RING = "ring-by-segment"


@dataclass(frozen=True)
class Template:
    key: str
    name: str
    description: str


TEMPLATES = {
    UAT_10_50_100: Template(UAT_10_50_100, "UAT, then 10%, 50%, 100%",
                            "Named users first (user acceptance testing), then a 10% canary, "
                            "half of the users, and everyone."),
    FIVE_STEPS: Template(FIVE_STEPS, "1%, 5%, 25%, 50%, 100%",
                         "Five percentage steps, each a little bolder than the last."),
    RING: Template(RING, "Ring by segment, then 100%",
                   "One stage per segment, in the order given (staff, beta customers ...), "
                   "then everyone."),
}


def template_list() -> list[Template]:
    return list(TEMPLATES.values())


def template_definition(key: str, *, users=(), segments=(), criteria=(), triggers=(),
                        stage_duration: str | int = "1d", approval: bool = False,
                        name: str = "", owner: str | None = None) -> dict:
    """A definition in the template's shape; ValueError for an unknown template."""
    if key not in TEMPLATES:
        raise ValueError(f"Unknown rollout template {key!r}; use one of {', '.join(TEMPLATES)}.")

    def step(stage_name: str, **audience) -> dict:
        return {"name": stage_name, **audience, "min_duration": stage_duration,
                "approval": approval, "criteria": [dict(c) for c in criteria]}

    if key == UAT_10_50_100:
        stages = [{"name": "UAT", "users": list(users), "min_duration": 0, "approval": True,
                   "criteria": []},
                  step("Canary 10%", percentage=10), step("50% of users", percentage=50),
                  step("100% of users", percentage=100)]
    elif key == FIVE_STEPS:
        stages = [step(f"{p}% of users", percentage=p) for p in (1, 5, 25, 50, 100)]
    else:
        stages = [step(f"Ring: {segment}", segments=[segment]) for segment in segments]
        stages.append(step("100% of users", percentage=100))
    return {"name": name, "owner": owner, "stages": stages,
            "triggers": [dict(t) for t in triggers]}

"""A rollout plan as data: reading and checking a definition, and writing one back from a plan.

The same shape is what the API takes, what `tminus rollout create --file` reads, what the web
editor shows, and what templates produce:

    {"name": "...", "owner": "maria",
     "stages": [{"name": "UAT", "users": ["mike.king"], "approval": true},
                {"name": "Canary", "percentage": 10, "min_duration": "1d", "not_before": "...",
                 "criteria": [{"metric": "download_error", "aggregation": "ratio",
                               "of": "download_click", "comparator": "<", "threshold": 2,
                               "min_sample": 200}]}],
     "triggers": [{"metric": "download_error", "aggregation": "ratio", "of": "download_click",
                   "comparator": ">", "threshold": 2, "window_minutes": 5,
                   "min_sample": 200, "sample_metric": "exposures", "action": "rollback"}]}

Every problem is collected with the path of the field it is in (`stages.1.percentage`), so a
refused definition says everything that is wrong with it at once.
"""

import math
import re
from dataclasses import dataclass, field
from datetime import datetime, time
from itertools import pairwise

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from tminus.metrics.measures import EVENTS, Measure, measure_problems
from tminus.rollouts.choices import Comparator, TriggerAction

MAX_STAGES = 20
MAX_CHECKS = 20
_DURATION = re.compile(r"^\s*(\d+)\s*([mhdw]?)\s*$")
_MINUTES = {"": 1, "m": 1, "h": 60, "d": 60 * 24, "w": 60 * 24 * 7}


@dataclass
class CheckSpec:
    measure: Measure
    comparator: str
    threshold: float
    min_sample: int = 0
    all_flags: bool = False
    window_minutes: int = 5  # triggers only
    action: str = TriggerAction.ROLLBACK  # triggers only
    compare: bool = False  # criteria only: treatment against control; threshold is the margin
    confidence: float = 0.95
    on_regression: str = TriggerAction.ROLLBACK


@dataclass
class StageSpec:
    name: str
    users: list[str] = field(default_factory=list)
    segments: list[int] = field(default_factory=list)
    percentage: int | None = None
    min_duration_minutes: int = 0
    not_before: datetime | None = None
    approval: bool = False
    criteria: list[CheckSpec] = field(default_factory=list)


@dataclass
class PlanSpec:
    name: str
    owner: str | None
    stages: list[StageSpec]
    triggers: list[CheckSpec]


class _Problems(dict):
    def add(self, path: str, message: str) -> None:
        self.setdefault(path, []).append(message)


def parse_definition(data, *, segments_by_name: dict[str, int]) -> tuple[PlanSpec | None, dict]:
    """The definition as specs, or None and every problem by field path."""
    problems = _Problems()
    if not isinstance(data, dict):
        problems.add("definition", "A plan definition is a JSON object with stages.")
        return None, problems
    stages = _list(data.get("stages"), "stages", problems, required=True, limit=MAX_STAGES)
    triggers = _list(data.get("triggers"), "triggers", problems, limit=MAX_CHECKS)
    spec = PlanSpec(
        name=_text(data.get("name"), "name", problems, limit=200),
        owner=_text(data.get("owner"), "owner", problems, limit=150) or None,
        stages=[_stage(raw, f"stages.{i}", problems, segments_by_name)
                for i, raw in enumerate(stages)],
        triggers=[_check(raw, f"triggers.{i}", problems, trigger=True)
                  for i, raw in enumerate(triggers)],
    )
    _check_order(spec.stages, problems)
    return (None, problems) if problems else (spec, {})


def _list(value, path: str, problems: _Problems, *, required=False, limit: int) -> list:
    if value is None:
        if required:
            problems.add(path, "A plan needs at least one stage.")
        return []
    if not isinstance(value, list):
        problems.add(path, "Must be a list.")
        return []
    if required and not value:
        problems.add(path, "A plan needs at least one stage.")
    if len(value) > limit:
        problems.add(path, f"At most {limit}.")
        return []
    return value


def _text(value, path: str, problems: _Problems, *, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        problems.add(path, "Must be text.")
        return ""
    if len(value.strip()) > limit:
        problems.add(path, f"At most {limit} characters.")
    return value.strip()[:limit]


def _stage(raw, path: str, problems: _Problems, segments_by_name: dict) -> StageSpec:
    if not isinstance(raw, dict):
        problems.add(path, "A stage is an object with a name and an audience.")
        return StageSpec(name="")
    stage = StageSpec(
        name=_text(raw.get("name"), f"{path}.name", problems, limit=200),
        users=_users(raw.get("users"), f"{path}.users", problems),
        segments=_segments(raw.get("segments"), f"{path}.segments", problems, segments_by_name),
        percentage=_percentage(raw.get("percentage"), f"{path}.percentage", problems),
        min_duration_minutes=_duration(raw.get("min_duration", 0), f"{path}.min_duration",
                                       problems),
        not_before=_moment(raw.get("not_before"), f"{path}.not_before", problems),
        approval=_flag(raw.get("approval", False), f"{path}.approval", problems),
        criteria=[_check(c, f"{path}.criteria.{i}", problems) for i, c in enumerate(
            _list(raw.get("criteria"), f"{path}.criteria", problems, limit=MAX_CHECKS))],
    )
    audiences = [bool(stage.users), bool(stage.segments), stage.percentage is not None]
    if sum(audiences) != 1 and not any(p.startswith(path + ".") for p in problems):
        problems.add(path, "Give a stage one audience: users (named user IDs), segments, "
                           "or a percentage.")
    if not stage.name:
        stage.name = _default_name(stage)
    return stage


def _default_name(stage: StageSpec) -> str:
    if stage.percentage is not None:
        return f"{stage.percentage}% of users"
    if stage.users:
        return f"{len(stage.users)} named user{'s' if len(stage.users) != 1 else ''}"
    return "Segments"


def _users(value, path: str, problems: _Problems) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [part for part in re.split(r"[,\s]+", value) if part]
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        problems.add(path, "Users are a list of user IDs.")
        return []
    users = list(dict.fromkeys(str(v).strip() for v in value if str(v).strip()))
    if any("," in user for user in users):
        problems.add(path, "A user ID cannot contain a comma.")
    return users


def _segments(value, path: str, problems: _Problems, by_name: dict[str, int]) -> list[int]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.add(path, "Segments are a list of segment names.")
        return []
    missing = [name for name in value if name not in by_name]
    if missing:
        problems.add(path, f"No segment named {', '.join(map(repr, missing))}.")
        return []
    return list(dict.fromkeys(by_name[name] for name in value))


def _percentage(value, path: str, problems: _Problems) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        problems.add(path, f"{value!r} is not a whole number of percent.")
        return None
    if not 0 <= value <= 100:
        problems.add(path, f"{value:g}% is outside 0-100.")
        return None
    return int(value)


def _duration(value, path: str, problems: _Problems) -> int:
    """Minutes, from a whole number of minutes or text such as 30m, 12h, 1d, 2w."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    match = _DURATION.match(value) if isinstance(value, str) else None
    if match is None:
        problems.add(path, f"{value!r} is not a duration: use minutes, or 30m, 12h, 1d, 2w.")
        return 0
    return int(match.group(1)) * _MINUTES[match.group(2)]


def _moment(value, path: str, problems: _Problems) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        moment = parse_datetime(value)
        if moment is None and parse_date(value) is not None:
            moment = datetime.combine(parse_date(value), time(0))
    else:
        moment = None
    if moment is None:
        problems.add(path, f"{value!r} is not a date or a date and time (ISO 8601).")
        return None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _flag(value, path: str, problems: _Problems) -> bool:
    if not isinstance(value, bool):
        problems.add(path, "Must be true or false.")
        return False
    return value


def _check(raw, path: str, problems: _Problems, *, trigger=False) -> CheckSpec:
    if not isinstance(raw, dict):
        problems.add(path, "A criterion is an object: metric, comparator, threshold.")
        return CheckSpec(Measure(), Comparator.LT, 0.0)
    measure = Measure(
        metric=_text(raw.get("metric"), f"{path}.metric", problems, limit=100),
        aggregation=_text(raw.get("aggregation", "count"), f"{path}.aggregation", problems,
                          limit=10),
        denominator=_text(raw.get("of"), f"{path}.of", problems, limit=100),
        sample_metric=_text(raw.get("sample_metric"), f"{path}.sample_metric", problems,
                            limit=100),
        source=_text(raw.get("source", EVENTS), f"{path}.source", problems, limit=20),
        query=_text(raw.get("query"), f"{path}.query", problems, limit=2000),
        url=_text(raw.get("url"), f"{path}.url", problems, limit=500),
        of_query=_text(raw.get("of_query"), f"{path}.of_query", problems, limit=2000),
        squares_query=_text(raw.get("squares_query"), f"{path}.squares_query", problems,
                            limit=2000),
        per_user=_per(raw.get("per"), f"{path}.per", problems),
    )
    for name, message in measure_problems(measure).items():
        problems.add(f"{path}.{name}", message)
    compare = not trigger and raw.get("compare") is not None
    check = CheckSpec(
        measure=measure,
        comparator=_comparator(raw.get("comparator"), f"{path}.comparator", problems),
        threshold=(_margin(raw.get("margin"), f"{path}.margin", problems) if compare
                   else _threshold(raw.get("threshold"), f"{path}.threshold", problems)),
        min_sample=_count(raw.get("min_sample", 0), f"{path}.min_sample", problems),
        all_flags=_flag(raw.get("all_flags", False), f"{path}.all_flags", problems),
    )
    if compare:
        _comparison(raw, check, path, problems)
    elif trigger and raw.get("compare") is not None:
        problems.add(f"{path}.compare", "Triggers compare with a threshold; put a comparison "
                                        "with control among a stage's criteria.")
    if measure.per_user and not compare:
        problems.add(f"{path}.per", 'Counting users ("per": "user") is for a comparison with '
                                    'control.')
    if trigger:
        check.window_minutes = _count(raw.get("window_minutes", 5), f"{path}.window_minutes",
                                      problems, minimum=1)
        check.action = _action(raw.get("action", TriggerAction.ROLLBACK), f"{path}.action",
                               problems)
    return check


COMPARABLE = ("ratio", "avg")


def _comparison(raw: dict, check: CheckSpec, path: str, problems: _Problems) -> None:
    """The fields of a criterion that compares the treatment arm with the control arm."""
    check.compare = True
    if raw.get("compare") != "control":
        problems.add(f"{path}.compare", 'The only comparison is with the control arm: '
                                        '"compare": "control".')
    if check.measure.source != EVENTS:
        _prometheus_comparison(check.measure, path, problems)
    elif check.measure.per_user and check.measure.aggregation != "ratio":
        problems.add(f"{path}.per", 'A comparison per user is a ratio: users with the metric '
                                    'of users with "of" (exposures: the exposed users).')
    elif check.measure.aggregation not in COMPARABLE:
        problems.add(f"{path}.aggregation", "A comparison needs a ratio (errors per click) or "
                                            "an average (latency): counts differ by the "
                                            "size of each arm.")
    if "threshold" in raw:
        problems.add(f"{path}.threshold", "A comparison has a margin, not a threshold.")
    check.confidence = _confidence(raw.get("confidence", 95), f"{path}.confidence", problems)
    check.on_regression = _action(raw.get("on_regression", TriggerAction.ROLLBACK),
                                  f"{path}.on_regression", problems)


def _prometheus_comparison(measure: Measure, path: str, problems: _Problems) -> None:
    """A Prometheus comparison reads each arm with queries naming $arm: a ratio of two counts
    (query of of_query), or a mean from its sum (query), count (of_query) and sum of squares
    (squares_query)."""
    if measure.per_user:
        problems.add(f"{path}.per", "Prometheus does not know users: count them from events.")
    if measure.aggregation not in COMPARABLE:
        problems.add(f"{path}.aggregation", "A Prometheus comparison is a ratio (query: the "
                                            "events, of_query: the trials) or an average "
                                            "(query: the sum, of_query: the count, "
                                            "squares_query: the sum of squares).")
    names = ("query", "of_query") + (("squares_query",) if measure.aggregation == "avg" else ())
    for name in names:
        if "$arm" not in getattr(measure, name):
            problems.add(f"{path}.{name}", 'Name the arm with $arm (on or off), e.g. '
                                            'sum(increase(errors_total{variant="$arm"}'
                                            '[$window])).')


def _per(value, path: str, problems: _Problems) -> bool:
    """Whether a ratio counts users ("per": "user") rather than events ("event", the default)."""
    if value in (None, "event"):
        return False
    if value != "user":
        problems.add(path, f'{value!r} is not what a ratio counts: "event" (each event or '
                           f'exposure, the default) or "user" (each user once).')
        return False
    return True


def _margin(value, path: str, problems: _Problems) -> float:
    if value is None:
        problems.add(path, "A comparison needs a margin: how much worse than control is still "
                           "acceptable (in the metric's unit; points for a ratio).")
        return 0.0
    margin = _threshold(value, path, problems)
    if margin <= 0 and path not in problems:
        problems.add(path, "The margin must be above 0; it also sets the test's sensitivity.")
    return margin


def _confidence(value, path: str, problems: _Problems) -> float:
    """A confidence level, in % (95) or as a fraction (0.95)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.add(path, f"{value!r} is not a confidence level such as 95.")
        return 0.95
    level = value / 100 if value > 1 else value
    if not 0.5 <= level < 1:
        problems.add(path, "A confidence level is from 50 to below 100 (%).")
        return 0.95
    return float(level)


def _comparator(value, path: str, problems: _Problems) -> str:
    if value not in Comparator.values:
        problems.add(path, f"{value!r} is not a comparator; use one of "
                           f"{', '.join(Comparator.values)}.")
        return Comparator.LT
    return value


def _threshold(value, path: str, problems: _Problems) -> float:
    if value is None:
        problems.add(path, "A threshold is required.")
        return 0.0
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        problems.add(path, f"{value!r} is not a number.")
        return 0.0
    return float(value)


def _count(value, path: str, problems: _Problems, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        problems.add(path, f"{value!r} is not a whole number from {minimum}.")
        return minimum
    return value


def _action(value, path: str, problems: _Problems) -> str:
    if value not in TriggerAction.values:
        problems.add(path, f"{value!r} is not an action; use rollback (turn the flag off) or "
                           "hold (hold the stage and alert).")
        return TriggerAction.ROLLBACK
    return value


def _check_order(stages: list[StageSpec], problems: _Problems) -> None:
    """Percentages never go down, and named audiences (UAT, rings) come before percentages."""
    highest, seen_percentage = None, False
    for index, stage in enumerate(stages):
        path = f"stages.{index}"
        if stage.percentage is None:
            if seen_percentage and (stage.users or stage.segments):
                problems.add(path, "Named users and segments come before percentage stages.")
            continue
        if highest is not None and stage.percentage < highest:
            problems.add(f"{path}.percentage", f"Stages are out of order: {stage.percentage}% "
                                               f"comes after {highest}%; percentages must not "
                                               f"decrease.")
        highest = max(highest or 0, stage.percentage)
        seen_percentage = True
    dated = [(i, s.not_before) for i, s in enumerate(stages) if s.not_before]
    for (_, before), (index, after) in pairwise(dated):
        if after < before:
            problems.add(f"stages.{index}.not_before",
                         "Planned dates must not go back in time from one stage to the next.")


# -- from a plan back to data ----------------------------------------------------------------


def duration_text(minutes: int) -> str | int:
    """12h rather than 720 where it is exact; plain minutes otherwise."""
    for suffix in ("w", "d", "h"):
        size = _MINUTES[suffix]
        if minutes and minutes % size == 0:
            return f"{minutes // size}{suffix}"
    return minutes


def check_data(check, *, trigger=False) -> dict:
    """A criterion or trigger row as definition data (defaults left out)."""
    data = {"metric": check.metric, "aggregation": check.aggregation}
    extra = {"of": check.denominator, "sample_metric": check.sample_metric,
             "query": check.query, "of_query": check.of_query,
             "squares_query": check.squares_query, "url": check.url}
    if check.source != EVENTS:
        data["source"] = check.source
    data.update({key: value for key, value in extra.items() if value})
    if getattr(check, "compare", False):
        if check.per_user:
            data["per"] = "user"
        data.update({"compare": "control", "comparator": check.comparator,
                     "margin": check.threshold, "confidence": round(check.confidence * 100, 4),
                     "min_sample": check.min_sample, "on_regression": check.on_regression})
        return data
    data.update({"comparator": check.comparator, "threshold": check.threshold,
                 "min_sample": check.min_sample})
    if check.all_flags:
        data["all_flags"] = True
    if trigger:
        data.update({"window_minutes": check.window_minutes, "action": check.action})
    return data


def plan_data(plan, stages, triggers, segment_names: dict[int, str]) -> dict:
    """The plan's definition as data, in the shape parse_definition reads."""
    return {
        "name": plan.name,
        "owner": plan.owner.username if plan.owner else None,
        "stages": [_stage_data(stage, segment_names) for stage in stages],
        "triggers": [check_data(trigger, trigger=True) for trigger in triggers],
    }


def _stage_data(stage, segment_names: dict[int, str]) -> dict:
    data: dict = {"name": stage.name}
    if stage.user_ids:
        data["users"] = list(stage.user_ids)
    if stage.segment_ids:
        data["segments"] = [segment_names.get(i, f"#{i}") for i in stage.segment_ids]
    if stage.percentage is not None:
        data["percentage"] = stage.percentage
    data["min_duration"] = duration_text(stage.min_duration_minutes)
    if stage.not_before:
        data["not_before"] = stage.not_before.isoformat()
    data["approval"] = stage.approval_required
    data["criteria"] = [check_data(c) for c in stage.criteria.all()]
    return data

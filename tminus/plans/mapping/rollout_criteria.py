"""Success criteria written next to rollout stages, as criteria of those stages.

"What metrics-based criteria will you look at before advancing rollout to the next stage?" with
"- Percentage of download errors < 1%" under it, a "Success criteria" heading or label in a
stage's section: each line with a threshold becomes a criterion of the stage (the stage it is
written in, else every stage of the rollout), measured as the average of a metric named after
what it measures (declared when missing, so events can report it). A line without a threshold
("Number of download clicks:", "Click through rate above xx%") stays a metric to watch: the
plan does not say when it is good enough, so no threshold is invented.
"""

import re

from tminus.plans import markdown, semantics

CRITERIA_LABEL = re.compile(r"criteri|before advancing|to advance|guardrails?\b", re.I)
# Lines that report how a stage went, not what it must reach.
RESULTS = re.compile(r"\bresults?\b|at this stage|\bactuals?\b|measured|observed|\blogged\b",
                     re.I)
LINKS = re.compile(r"\blinks?\b|dashboards?\b", re.I)  # where to look, not what to reach
ROLLOUT_CONTEXT = re.compile(r"roll-?out|\bstag(?:e|ed)\b|canary|ramp|\bphase", re.I)
BOX = re.compile(r"^\[[ xX]\][ \t]*")
# A criterion compares with a fixed value; "exactly" has no stage comparator, except for zero.
COMPARATORS = {"<": "<", "<=": "<=", ">": ">", ">=": ">="}


def written_criteria(reader, stage_of) -> list[tuple[dict | None, dict]]:
    """(the stage it is written under or None for every stage, the criterion) for each line
    with a threshold; lines without one are noted in the report as metrics to watch."""
    found = []
    for section in reader.root.walk():
        titles = [markdown.strip_markup(t) for t in section.path()]
        stage = stage_of(section)
        if any(RESULTS.search(t) for t in titles) or not (
                stage or any(ROLLOUT_CONTEXT.search(t) for t in titles)):
            continue
        headed = bool(section.level and CRITERIA_LABEL.search(titles[-1]))
        for element in _listed_criteria(section.elements, headed):
            text = semantics.as_written(BOX.sub("", element.text))
            criterion = criterion_of(text)
            if criterion is None:
                reader.became(element, f"metric to watch '{text[:60]}' (no threshold)",
                              kind="rollout")
                continue
            reader.became(element, f"criterion of rollout "
                          f"{'stage ' + repr(stage['name']) if stage else 'stages'}: "
                          f"{criterion['metric']} {criterion['comparator']} "
                          f"{criterion['threshold']:g}", kind="rollout")
            found.append((stage, criterion))
    return found


def _listed_criteria(elements, headed: bool) -> list:
    """The items of a list announced as criteria: under a criteria heading, nested under an
    item that says so, or right after a line that says so."""
    listed, label_indent = [], None
    for element in elements:
        if element.kind == "blank":
            continue
        if element.kind not in ("item", "text"):
            label_indent = None
            continue
        text = element.text if element.kind == "item" else element.lines[0]
        if element.kind == "item" and label_indent is not None and \
                element.indent > label_indent:
            listed.append(element)
            continue
        label_indent = None
        if CRITERIA_LABEL.search(text) and not RESULTS.search(text) and \
                not LINKS.search(text) and \
                text.rstrip("*_ ").endswith((":", "?", ")")):
            label_indent = element.indent if element.kind == "item" else -1
        elif headed and element.kind == "item":
            listed.append(element)
    return listed


def criterion_of(text: str) -> dict | None:
    """A stage criterion from 'Percentage of download errors < 1%', 'error rate below 2%',
    'p95 latency under 300 ms'; None without a threshold (a metric to watch)."""
    from tminus.outcomes.targets import COUNT, parse_target
    from tminus.plans.mapping.kpis import kpi_of

    found = kpi_of(text)
    if found is None:
        return None
    name, target = found
    try:
        parsed = parse_target(target)
    except ValueError:
        return None
    comparator = COMPARATORS.get(parsed.comparator)
    if parsed.comparator == "=" and parsed.value == 0:
        comparator = "<="  # "No P0s", "Errors: 0": at most none
    subject = name or parsed.subject
    key = metric_key(subject)
    if comparator is None or not key:
        return None
    return {"metric": key, "comparator": comparator, "threshold": parsed.value,
            "name": subject[:200], "unit": "" if parsed.unit == COUNT else parsed.unit}


def metric_key(subject: str) -> str:
    """'Percentage of download errors' -> 'percentage_of_download_errors'."""
    key = re.sub(r"[^a-z0-9]+", "_", subject.lower()).strip("_")[:60].rstrip("_")
    if key and not key[0].isalpha():
        key = f"m_{key}"
    return key


def definition_criteria(stage: dict) -> list[dict]:
    """A stage's criteria as a rollout definition takes them: the average of the metric."""
    return [{"metric": c["metric"], "aggregation": "avg", "comparator": c["comparator"],
             "threshold": c["threshold"]} for c in stage.get("criteria") or []]


def comparable(criteria: list[dict]) -> tuple:
    return tuple(sorted((c.get("metric"), c.get("comparator"), float(c.get("threshold") or 0))
                        for c in criteria or []))


def declare_metrics(context, entry: dict) -> None:
    """Declare the metrics the criteria measure that do not exist yet, so the plan can be
    created and events can report them."""
    from tminus.metrics.selectors import metric_known
    from tminus.metrics.services import metric_declare

    for stage in entry.get("stages") or []:
        for criterion in stage.get("criteria") or []:
            if metric_known(criterion["metric"]):
                continue
            metric_declare(key=criterion["metric"], name=criterion.get("name") or "",
                           unit=criterion.get("unit") or "", actor=context.actor,
                           description="A success criterion of a rollout stage, from the "
                                       "release's plan.")
            context.change(f"declared metric {criterion['metric']} for the rollout's criteria")

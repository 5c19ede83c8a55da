"""Metric tables (Metric | Target | Baseline | Actual, or a column per stage or week) into KPIs
with their target, baseline and readings.

A row becomes a KPI when its target cell holds a target; its Baseline cell is the KPI's
baseline, and each reading column (Actual, Result, Week 2, Day 1, Stage A, Canary, 25%) with a
value is a reading of the KPI: for the scheduled check-in it names when that one is due (Week 2),
else an extra reading noted with the column's name. A cell that is a placeholder ([FILL_IN],
TBD, xx%), a link or an id is never a target or a reading. A bare target ('1%') takes its
direction from the baseline: below it means lower is better.
"""

import re

from tminus.core.errors import ValidationFailed
from tminus.plans import markdown, semantics
from tminus.plans.mapping import Claim

READING_HEADER = re.compile(
    r"^(?:actuals?|results?|measured|observed|achieved|outcome|(?:week|day|month|sprint|ring|"
    r"wave)[ \t]*\d{1,3}|(?:stage|phase)\b.*|canary\b.*|pilot\b.*|\d{1,3}[ \t]*%.*)$", re.I)
SLOT_HEADER = re.compile(r"^(day|week|month)[ \t]*(\d{1,3})$", re.I)
NOT_A_VALUE = re.compile(r"\[|\]\(|#|https?:|\b[a-z]+-\d+\b", re.I)
EXPLICIT = re.compile(r"[<>≤≥=+]|\b(?:at least|at most|less|more|fewer|greater|below|above|"
                      r"under|over|within|up to|max\w*|min\w*|no|zero)\b", re.I)


def claim_table(reader, element, mapper_key: str) -> Claim | None:
    from tminus.plans.mapping.tables import Table

    table = Table(element)
    metric, target = table.column("metric"), table.column("target")
    if metric is None or target is None:
        return None
    baseline = table.column("baseline")
    readings = [i for i, cell in enumerate(table.header) if i not in (metric, target, baseline)
                and READING_HEADER.match(semantics.header_text(cell))]
    rows = [_row(cells, metric, target, baseline, readings, table.header)
            for _line, cells in table.body]
    if not any(rows):
        return None
    blocks = [{"kind": "text", "lines": list(table.head_lines)}]
    for (line, _cells), row, number in zip(table.body, rows, range(len(rows)), strict=True):
        if row is None:
            blocks.append({"kind": "text", "lines": [line]})
            continue
        entry = reader.add_entry(mapper_key, {"uid": reader.new_uid("k"), **row})
        row_element = markdown.Element("table", element.start + len(table.head_lines) + number,
                                       [line])
        reader.became(row_element, _described(entry), kind="kpi")
        blocks.append({"kind": "kpi_row", "uid": entry["uid"], "line": line})
    return Claim(1, blocks)


def _row(cells, metric, target, baseline, readings, header) -> dict | None:
    def cell(index):
        return cells[index] if index is not None and index < len(cells) else ""

    name = semantics.cell_text(cell(metric))
    written = semantics.cell_text(cell(target))
    if not name or markdown.is_placeholder(name) or _placeholder(written):
        return None
    base = semantics.cell_text(cell(baseline))
    base = "" if _placeholder(base) or not _number_of(base) else base
    text = _target_text(written, base)
    if text is None:
        return None
    row = {"name": name[:200], "target": text[:300]}
    if base:
        row["baseline"] = base
    values = [{"label": semantics.as_written(header[i])[:100], "value": value}
              for i in readings if (value := semantics.cell_text(cell(i)))
              and not _placeholder(value) and _number_of(value)]
    if values:
        row["readings"] = values
    return row


def _target_text(written: str, baseline: str) -> str | None:
    from tminus.outcomes.targets import parse_target

    try:
        parsed = parse_target(written)
    except ValueError:
        return None
    if EXPLICIT.search(written) or not baseline:
        return written
    below = parsed.value < (_number_of(baseline) or 0)
    return f"{'≤' if below else '≥'} {written}"


def _placeholder(text: str) -> bool:
    from tminus.plans.mapping.kpis import BLANK

    return not text or markdown.is_placeholder(text) or bool(BLANK.search(text)) or bool(
        NOT_A_VALUE.search(text))


def _number_of(text: str) -> float | None:
    from tminus.outcomes.targets import parse_value

    try:
        return parse_value(re.sub(r"^[~≈]\s*", "", text), "")
    except ValueError:
        try:  # a value with a unit ('0.8%', '1.2 s'): read in its own unit
            return float(re.match(r"^[~≈]?\s*([-+]?\d[\d,]*(?:\.\d+)?)", text)[1].replace(
                ",", ""))
        except (TypeError, ValueError):
            return None


def _described(entry: dict) -> str:
    parts = [f"KPI '{entry['name']}' target {entry['target']}"]
    if entry.get("baseline"):
        parts.append(f"baseline {entry['baseline']}")
    parts += [f"{r['label']}: {r['value']}" for r in entry.get("readings", [])]
    return ", ".join(parts)


# ---- applying ----------------------------------------------------------------------------------

def apply_measures(context, kpi, entry: dict) -> None:
    """The baseline and readings a plan states for a KPI; a reading the KPI has already (same
    check-in or same column) is corrected when its value differs, never added twice."""
    from tminus.outcomes.services import kpi_update

    if entry.get("baseline") not in (None, ""):
        try:
            wanted = _in_unit(entry["baseline"], kpi.unit)
            if kpi.baseline != wanted:
                kpi_update(kpi=kpi, revision=None, changes={"baseline": entry["baseline"]},
                           actor=context.actor)
                context.change(f"set the baseline of KPI '{kpi.name}'")
        except (ValueError, ValidationFailed):
            context.warn(f"The baseline '{entry['baseline']}' of KPI '{kpi.name}' is not in its "
                         f"unit ({kpi.unit}); it stays as text.")
    for reading in entry.get("readings") or []:
        _reading_apply(context, kpi, reading)


def _in_unit(text: str, unit: str) -> float:
    from tminus.outcomes.targets import parse_value

    return parse_value(re.sub(r"^[~≈]\s*", "", str(text)), unit)


def _reading_apply(context, kpi, reading: dict) -> None:
    from tminus.outcomes.services import kpi_checkin_correct, kpi_checkin_record

    label = str(reading.get("label") or "")[:100]
    try:
        value = _in_unit(reading.get("value"), kpi.unit)
    except ValueError:
        context.warn(f"The reading '{reading.get('value')}' ({label}) of KPI '{kpi.name}' is "
                     f"not in its unit ({kpi.unit}); it stays as text.")
        return
    slot = _slot(label)
    existing = next((c for c in kpi.checkins.all() if (slot and c.slot == slot) or (
        not c.slot and c.note == label)), None)
    if existing is not None:
        if existing.value != value:
            kpi_checkin_correct(checkin=existing, value=value, revision=None, note=label,
                                actor=context.actor)
            context.change(f"corrected the {label} reading of KPI '{kpi.name}'")
        return
    try:
        kpi_checkin_record(kpi=kpi, value=value, slot=slot, note=label, actor=context.actor)
    except ValidationFailed:  # not a check-in of its schedule, or not due yet
        kpi_checkin_record(kpi=kpi, value=value, note=label, actor=context.actor)
    context.change(f"recorded the {label} reading of KPI '{kpi.name}'")


def _slot(label: str) -> str:
    match = SLOT_HEADER.match(label.strip())
    return f"{match[1].lower()}-{int(match[2])}" if match else ""


def exported(kpi) -> dict:
    """The KPI's baseline and readings in the shape a plan file gives them back."""
    from tminus.outcomes.schedule import slot_from_key
    from tminus.outcomes.targets import format_quantity

    data: dict = {}
    if kpi.baseline is not None:
        data["baseline"] = format_quantity(kpi.baseline, kpi.unit)
    readings = [{"label": c.note or (slot.label if (slot := slot_from_key(c.slot)) else ""),
                 "value": format_quantity(c.value, kpi.unit)}
                for c in kpi.checkins.all() if c.value is not None]
    if readings:
        data["readings"] = readings
    return data

"""Risk tables (Risk | Probability | Impact | Mitigation) into the readiness risk register."""

from tminus.plans import markdown
from tminus.plans.mapping import Claim, Mapper, area_ready, register_mapper
from tminus.plans.mapping.common import header_index, row_line, same, take

LEVELS = {"low": "low", "medium": "medium", "med": "medium", "moderate": "medium",
          "high": "high", "critical": "critical", "very high": "critical"}
STATUSES = {"open", "mitigated", "accepted", "closed"}


def _level(text: str, allowed: tuple[str, ...]) -> str | None:
    level = LEVELS.get(markdown.strip_markup(text).strip().lower())
    return level if level in allowed else None


class RiskMapper(Mapper):
    key = "risks"
    label = "Risks (readiness)"
    order = 100
    block_kinds = ("risk_table",)

    def ready(self) -> bool:
        return area_ready("tminus.readiness.services", "risk_add", "risk_update", "risk_remove")

    def claim(self, reader, section, index: int) -> Claim | None:
        element = section.elements[index]
        if element.kind != "table" or len(element.rows) < 1:
            return None
        header = element.rows[0]
        columns = {"description": header_index(header, "risk"),
                   "probability": header_index(header, "probability", "likelihood"),
                   "impact": header_index(header, "impact", "severity"),
                   "mitigation": header_index(header, "mitigation", "response", "plan"),
                   "status": header_index(header, "status")}
        if None in (columns["description"], columns["probability"], columns["impact"]):
            return None
        numbered = [(element.start + n, line) for n, line in enumerate(element.lines)
                    if not _is_delimiter(line)][1:]
        head = element.lines[:len(element.lines) - len(numbered)]
        block = {"kind": "risk_table", "head": head, "columns": columns, "width": len(header),
                 "rows": []}
        for (number, line), cells in zip(numbered, element.rows[1:], strict=False):
            entry = self._entry(reader, cells, columns)
            if entry is None:
                block["rows"].append({"line": line})
                reader.became(_Line(number, line), "kept as a note (not a readable risk)",
                              kind="note")
                continue
            block["rows"].append({"uid": entry["uid"], "line": line, "cells": cells,
                                  "value": _value(entry)})
            reader.became(_Line(number, line), f"risk '{entry['description']}' "
                          f"({entry['probability']}/{entry['impact']})", kind="risk")
        reader.notes.setdefault("risk_tables", []).append(block)
        return Claim(1, [block])

    def _entry(self, reader, cells, columns) -> dict | None:
        description = markdown.strip_markup(cells[columns["description"]])
        probability = _level(cells[columns["probability"]], ("low", "medium", "high"))
        impact = _level(cells[columns["impact"]], ("low", "medium", "high", "critical"))
        if not description or probability is None or impact is None:
            return None
        mitigation = cells[columns["mitigation"]] if columns["mitigation"] is not None else ""
        status = "open"
        if columns["status"] is not None:
            wanted = cells[columns["status"]].strip().lower()
            status = wanted if wanted in STATUSES else "open"
        return reader.add_entry(self.key, {
            "uid": reader.new_uid("r"), "description": description[:500],
            "probability": probability, "impact": impact, "mitigation": mitigation,
            "status": status})

    def finish(self, reader) -> None:
        tables = reader.notes.get("risk_tables", [])
        if tables:
            tables[-1]["tail"] = True

    def apply(self, context, entries) -> None:
        from tminus.readiness import services

        existing = list(context.release.risks.all())
        for entry in entries:
            values = {name: entry.get(name, default) for name, default in (
                ("description", ""), ("probability", "medium"), ("impact", "medium"),
                ("mitigation", ""), ("status", "open"))}
            risk = take(existing, lambda r, d=values["description"]: same(r.description, d))
            if risk is None:
                risk = services.risk_add(release=context.release, actor=context.actor, **values)
                context.change(f"added risk '{risk.description}'")
            elif changes := {k: v for k, v in values.items() if getattr(risk, k) != v}:
                risk = services.risk_update(risk=risk, revision=None, changes=changes,
                                            actor=context.actor)
                context.change(f"updated risk '{risk.description}'")
            context.records[entry.get("uid") or f"risk:{risk.pk}"] = risk
        if context.prune:
            for risk in existing:
                services.risk_remove(risk=risk, actor=context.actor)
                context.change(f"removed risk '{risk.description}'")

    def load(self, release) -> dict:
        return {"risks": {risk.pk: risk for risk in release.risks.all()}}

    def render(self, block: dict, live: dict) -> list[str]:
        risks = live.get("risks", {})
        lines = list(block["head"])
        for row in block["rows"]:
            if "uid" not in row:
                lines.append(row["line"])
                continue
            risk = risks.get(row.get("id"))
            if risk is None:
                continue
            if _live_value(risk) == row["value"]:
                lines.append(row["line"])
            else:
                lines.append(_row(risk, block, list(row["cells"])))
        if block.get("tail"):
            placed = {row.get("id") for b in live.get("risk_blocks", [block])
                      for row in b["rows"]}
            lines += [_row(r, block, [""] * block["width"]) for pk, r in risks.items()
                      if pk not in placed]
        return lines

    def before_render(self, blocks: list[dict], live: dict) -> None:
        live["risk_blocks"] = [b for b in blocks if b["kind"] == "risk_table"]

    def export(self, release, live: dict) -> list[dict]:
        return [_live_value(risk) for risk in live.get("risks", {}).values()]

    def appendix(self, live: dict, placed: dict, *, standalone: bool) -> list[str]:
        if live.get("risk_blocks"):
            return []
        risks = list(live.get("risks", {}).values())
        if not risks:
            return []
        level = "##" if standalone else "###"
        lines = ["", f"{level} Risks", "", "| Risk | Probability | Impact | Mitigation | Status |",
                 "|------|-------------|--------|------------|--------|"]
        return lines + [row_line([r.description, r.get_probability_display(),
                                  r.get_impact_display(), r.mitigation, r.get_status_display()])
                        for r in risks]


class _Line:
    """A table row for the report: where it is and what it says."""

    def __init__(self, start: int, line: str):
        self.start, self.lines = start, [line]


def _is_delimiter(line: str) -> bool:
    return "-" in line and bool(markdown.TABLE_DELIMITER.match(line))


def _value(entry: dict) -> dict:
    return {key: entry[key] for key in ("description", "probability", "impact", "mitigation",
                                        "status")}


def _live_value(risk) -> dict:
    return {"description": risk.description, "probability": risk.probability,
            "impact": risk.impact, "mitigation": risk.mitigation, "status": risk.status}


def _row(risk, block: dict, cells: list[str]) -> str:
    columns = block["columns"]
    cells += [""] * (block["width"] - len(cells))
    cells[columns["description"]] = risk.description
    cells[columns["probability"]] = risk.get_probability_display()
    cells[columns["impact"]] = risk.get_impact_display()
    if columns["mitigation"] is not None:
        cells[columns["mitigation"]] = risk.mitigation
    if columns["status"] is not None:
        cells[columns["status"]] = risk.get_status_display()
    return row_line(cells)


register_mapper(RiskMapper())

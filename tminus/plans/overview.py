"""What a plan becomes, kind by kind, for the import report and its preview page.

Built from the plan as read (the spec), so a preview shows every record before anything is
kept: milestones with their dates and owners, rollout stages with their share of users, runbook
steps with who does them, go/no-go criteria, flags, people, roadmap releases and the rest.
"""

SHOWN = 8  # records listed per kind; the rest are counted

KINDS = [
    ("phases", "Phases"), ("milestones", "Milestones"), ("checklists", "Checklist items"),
    ("rollout_stages", "Rollout stages"), ("flags", "Feature flags"), ("kpis", "KPIs"),
    ("readiness_criteria", "Go/no-go criteria"), ("runbook", "Runbook steps"),
    ("rollback", "Rollback plan"), ("risks", "Risks"), ("stakeholders", "People"),
    ("roadmap", "Roadmap releases"), ("scope", "Scope"),
]


def _when(entry: dict, *keys: str) -> str:
    values = [entry.get(key) for key in keys if entry.get(key)]
    return " to ".join(dict.fromkeys(values)) if values else ""


def _with(text: str, *extras: str) -> str:
    extras = [e for e in extras if e]
    return f"{text} ({', '.join(extras)})" if extras else text


def _criteria(stage: dict) -> str:
    criteria = [f"{c['metric']} {c['comparator']} {c['threshold']:g}"
                for c in stage.get("criteria") or []]
    return f"criteria: {'; '.join(criteria)}" if criteria else ""


def _kpi_target(entry: dict) -> str:
    name, target = entry.get("name") or "", entry["target"]
    return target if not name or name.lower() in target.lower() else f"{name}: {target}"


def _measures(entry: dict) -> list[str]:
    """A KPI's baseline and readings as a metric table gives them."""
    baseline = [f"baseline {entry['baseline']}"] if entry.get("baseline") else []
    return baseline + [f"{r['label']} {r['value']}" for r in entry.get("readings") or []]


def _items(entries: list[dict]):
    stack = list(reversed(entries))
    while stack:
        item = stack.pop()
        yield item
        stack.extend(reversed(item.get("children") or []))


def _lines(key: str, entries: list[dict]) -> list[str]:
    if key == "phases":
        return [_with(e["name"], _when(e, "start", "end")) for e in entries]
    if key == "milestones":
        return [_with(e["name"], e.get("date") or "no date yet", e.get("responsible") or "")
                for e in entries]
    if key == "checklists":
        return [_with(f"{s['title']}: {i['text']}", i.get("status", ""),
                      i.get("responsible") or "", i.get("due_date") or "")
                for s in entries for i in _items(s.get("items", []))]
    if key == "rollout_stages":
        return [_with(s["name"], f"{s['percentage']}% of users", s.get("not_before") or "",
                      f"flag {e.get('flag') or 'named after the release'}", _criteria(s))
                for e in entries for s in e.get("stages", [])]
    if key == "flags":
        return [_with(e["name"], "created off if new") for e in entries]
    if key == "kpis":
        return [_with(_kpi_target(e), *_measures(e)) for e in entries]
    if key == "readiness_criteria":
        return [_with(e["label"], (e.get("params") or {}).get("answer") or "") for e in entries]
    if key == "runbook":
        return [_with(f"{e['name']}: {s['title']}", s.get("owner") or "")
                for e in entries for s in e.get("steps", [])]
    if key == "rollback":
        return ([_with(f"Step: {s['title']}", s.get("owner") or "")
                 for e in entries for s in e.get("steps", [])]
                + [f"Criterion: {c}" for e in entries for c in e.get("immediate_criteria", [])])
    if key == "risks":
        return [e.get("description") or e.get("name") or "" for e in entries]
    if key == "stakeholders":
        return [_with(e["name"], e.get("title") or "", e.get("responsible_for") or "")
                for e in entries]
    if key == "roadmap":
        return [_with(e.get("title") or e.get("version") or "", e.get("go_live") or "",
                      f"{len(e.get('milestones') or [])} milestone(s)")
                for e in entries if "cadence" not in e]
    if key == "scope":
        return [_with(e["title"], e.get("kind", "").replace("_", " ")) for e in entries]
    return []


def overview(spec: dict) -> list[dict]:
    """[{"kind", "label", "count", "shown": [line, ...], "more"}] for each kind the plan
    has."""
    found = []
    for key, label in KINDS:
        entries = [e for e in spec.get(key) or [] if isinstance(e, dict)]
        try:
            lines = [line for line in _lines(key, entries) if line]
        except (KeyError, TypeError):  # a plan file's part in another shape: counted only
            lines = [f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'}"]
        if lines:
            found.append({"kind": key, "label": label, "count": len(lines),
                          "shown": lines[:SHOWN], "more": max(0, len(lines) - SHOWN)})
    return found

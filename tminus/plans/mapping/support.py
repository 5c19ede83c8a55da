"""Support tiers ("**Tier 1 Support** (First Line):", what it handles, response and resolution
times) into the people area's hypercare support model."""

import re

from tminus.core.errors import ValidationFailed
from tminus.plans import durations, markdown
from tminus.plans.mapping import Claim, area_ready, register_mapper
from tminus.plans.mapping.common import RecordMapper, differences, marker_of, sync
from tminus.plans.mapping.release_parts import norm_key

TIER_HEAD = re.compile(r"^\*{0,2}(?P<title>tier[ \t]*(?P<level>\d)\b[^*()]*?)[ \t]*\*{0,2}"
                       r"[ \t]*(?:\((?P<name>[^()]+)\))?[ \t]*:?$", re.I)
TARGETS = {"response time": "response", "response": "response", "response target": "response",
           "resolution time": "resolution", "resolution": "resolution",
           "resolution target": "resolution"}


def _target_of(element) -> tuple[str, str] | None:
    found = markdown.fields_in(element.lines[0]) if element.kind == "text" else []
    if len(found) == 1 and norm_key(found[0].key) in TARGETS:
        return TARGETS[norm_key(found[0].key)], found[0].value
    return None


class SupportTierMapper(RecordMapper):
    key = "support_tiers"
    label = "Support tiers (people)"
    order = 310
    block_kinds = ("support_tier",)
    live_key = "support_tiers"

    def ready(self) -> bool:
        return area_ready("tminus.people.services", "support_tier_add", "support_tier_update",
                          "support_tier_remove")

    # ---- reading -----------------------------------------------------------------------------
    def claim(self, reader, section, index: int) -> Claim | None:
        element = section.elements[index]
        head = TIER_HEAD.match(element.text) if element.kind == "text" else None
        if head is None:
            return None
        run = self._body(section, index)
        targets = {}
        for part in run:
            if (target := _target_of(part)) is not None:
                targets[target[0]] = target[1]
        response = durations.minutes_in(targets.get("response", ""))
        if response is None:
            return None
        resolution_text = targets.get("resolution", "")
        handles = [markdown.strip_markup(e.text) for e in run if e.kind == "item"]
        entry = reader.add_entry(self.key, {
            "uid": reader.new_uid("t"), "level": int(head["level"]),
            "name": markdown.strip_markup(head["name"] or head["title"])[:200],
            "handles": [h for h in handles if h], "response": durations.minutes_text(response),
            "resolution": durations.minutes_text(durations.minutes_in(resolution_text)),
            "resolution_note": "" if durations.is_plain(resolution_text)
            else resolution_text[:300]})
        reader.became(element, f"support tier {entry['level']} '{entry['name']}' "
                      f"(response {entry['response']})", kind="support")
        elements = [element, *run]
        return Claim(len(elements), [{
            "kind": "support_tier", "uid": entry["uid"],
            "lines": [line for e in elements for line in e.lines],
            "roles": ["head", *[_role(e) for e in run]]}])

    @staticmethod
    def _body(section, index: int) -> list:
        run, pending = [], []
        for element in section.elements[index + 1:]:
            if element.kind == "blank":
                pending.append(element)
                continue
            is_handle = element.kind == "item" and not element.is_checkbox and not any(
                _target_of(e) for e in run)
            if not (is_handle or _target_of(element)):
                break
            run += [*pending, element]
            pending = []
        return run

    # ---- applying ----------------------------------------------------------------------------
    def apply(self, context, entries) -> None:
        from tminus.people import services

        def values(entry):
            return _values(entry)

        sync(context, entries, context.release.support_tiers.all(), noun="support tier",
             match=lambda tier, entry: tier.level == entry.get("level"),
             add=lambda entry: services.support_tier_add(release=context.release,
                                                         actor=context.actor, **values(entry)),
             changes=lambda tier, entry: differences(tier, values(entry)),
             update=lambda tier, changes: services.support_tier_update(
                 tier=tier, revision=None, changes=changes, actor=context.actor),
             remove=lambda tier: services.support_tier_remove(tier=tier, actor=context.actor))

    # ---- live data ---------------------------------------------------------------------------
    def load(self, release) -> dict:
        return {self.live_key: {tier.pk: tier for tier in release.support_tiers.all()}}

    def current(self, tier) -> dict:
        return {"level": tier.level, "name": tier.name, "handles": tier.handles_list,
                "response": tier.response_minutes, "resolution": tier.resolution_minutes,
                "note": tier.resolution_note}

    def rewrite(self, block: dict, tier, live: dict) -> list[str]:
        lines, roles = block["lines"], block["roles"]
        out = [_head_line(lines[0], tier)]
        handles = [n for n, role in enumerate(roles) if role == "handle"]
        marker = marker_of(lines[handles[0]]) if handles else "- "
        after = handles[-1] + 1 if handles else 1
        out += lines[1:handles[0]] if handles else []
        out += [f"{marker}{text}" for text in tier.handles_list]
        for line, role in zip(lines[after:], roles[after:], strict=True):
            out.append(_target_line(line, role, tier))
        return out

    def export(self, release, live: dict) -> list[dict]:
        return [_entry(tier) for tier in live.get(self.live_key, {}).values()]

    def appendix(self, live: dict, placed: dict, *, standalone: bool) -> list[str]:
        tiers = [t for pk, t in live.get(self.live_key, {}).items()
                 if pk not in placed.get("support_tier", set())]
        if not tiers:
            return []
        lines = ["", f"{'##' if standalone else '###'} Support Tiers"]
        for tier in tiers:
            lines += ["", f"**Tier {tier.level} Support** ({tier.name}):",
                      *[f"- {text}" for text in tier.handles_list], "",
                      f"**Response Time**: < {durations.minutes_text(tier.response_minutes)}"]
            if tier.resolution_minutes:
                lines.append(f"**Resolution Time**: {_resolution_text(tier)}")
        return lines


def _role(element) -> str:
    target = _target_of(element)
    if target is not None:
        return target[0]
    return "handle" if element.kind == "item" else "blank"


def _values(entry: dict) -> dict:
    from tminus.people.durations import parse_duration

    resolution = entry.get("resolution")
    try:
        return _checked_values(entry, parse_duration, resolution)
    except (KeyError, TypeError, ValueError) as error:
        raise ValidationFailed({"support_tiers": f"Support tier {entry.get('level')!r}: "
                                                 f"{error}"}) from None


def _checked_values(entry: dict, parse_duration, resolution) -> dict:
    return {"level": int(entry["level"]), "name": str(entry.get("name") or "")[:200],
            "handles": "\n".join(entry.get("handles") or []),
            "response_minutes": parse_duration(str(entry.get("response") or "")),
            "resolution_minutes": parse_duration(str(resolution)) if resolution else None,
            "resolution_note": str(entry.get("resolution_note") or "")[:300]}


def _entry(tier) -> dict:
    from tminus.people.durations import format_duration

    return {"level": tier.level, "name": tier.name, "handles": tier.handles_list,
            "response": format_duration(tier.response_minutes),
            "resolution": format_duration(tier.resolution_minutes),
            "resolution_note": tier.resolution_note}


def _head_line(line: str, tier) -> str:
    line = re.sub(r"(?i)(tier[ \t]*)\d", lambda m: f"{m.group(1)}{tier.level}", line, count=1)
    if "(" in line:
        return re.sub(r"\([^()]*\)", f"({tier.name})", line, count=1)
    return line


def _resolution_text(tier) -> str:
    if tier.resolution_note and (
            durations.minutes_in(tier.resolution_note) == tier.resolution_minutes):
        return tier.resolution_note
    text = f"< {durations.minutes_text(tier.resolution_minutes)}"
    return text + (f" ({tier.resolution_note})" if tier.resolution_note else "")


def _target_line(line: str, role: str, tier) -> str:
    found = markdown.fields_in(line)
    if role not in ("response", "resolution") or not found:
        return line
    written = found[0].value
    if role == "response":
        if durations.minutes_in(written) == tier.response_minutes:
            return line
        text = f"< {durations.minutes_text(tier.response_minutes)}"
    else:
        note = "" if durations.is_plain(written) else written
        if (durations.minutes_in(written), note) == (tier.resolution_minutes,
                                                      tier.resolution_note):
            return line
        text = _resolution_text(tier) if tier.resolution_minutes else "—"
    return markdown.replace_values(line, {0: text}, found)


register_mapper(SupportTierMapper())

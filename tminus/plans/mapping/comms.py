"""The communication schedule and email templates into the comms area's messages.

Under a communication heading, a line that starts with when it goes out ("4 weeks before:",
"Morning:", "Day 3:", "Week 1:") is a planned message; "(technical team)" or "(all users)" at its
end says who gets it. An "**... Email Template**:" label over a fenced block starting with
"Subject:" gives the subject and body of the schedule's message of the same stage (Pre-Launch,
Launch Day, Post-Launch), or is a message of its own. The export ticks a message's box once it
went out.
"""

import re

from tminus.core import events as core_events
from tminus.core.offsets import format_offset, parse_offset
from tminus.plans import markdown
from tminus.plans.mapping import Claim, area_ready, register_mapper
from tminus.plans.mapping.common import RecordMapper, label_of, marker_of, same, sync

SECTION = re.compile(r"communicat|announce|notif|comms", re.I)
BEFORE_AFTER = re.compile(r"^(\d{1,3})[ \t]*(day|week|month)s?[ \t]+(before|after)\b", re.I)
NTH = re.compile(r"^(day|week|month)[ \t]+(\d{1,3})$", re.I)
OFFSET = re.compile(r"^T[ \t]*[+-][ \t]*\d{1,3}[ \t]*[dw]?$", re.I)
TIMES = {"morning": "09:00", "afternoon": "14:00", "end of day": "17:00", "evening": "17:00",
         "midday": "12:00", "noon": "12:00"}
EVENTS = {"completion": "deployment.finished", "go-live": "deployment.finished",
          "deployment start": "deployment.started", "rollback": "release.rolled_back"}
UNIT = {"day": 1, "week": 7, "month": 30}
TECHNICAL = ["stakeholders:development", "stakeholders:qa", "stakeholders:operations", "owner"]
EVERYONE = ["stakeholders", "owner"]
STAGES = {"pre-launch": ("T-14d", None), "launch day": (None, "deployment.finished"),
          "post-launch": ("T+7d", None)}
TEMPLATE_LABEL = re.compile(r"^(?P<stage>.*?)[ \t]*e-?mail template$", re.I)


def timing(label: str, stage: str) -> dict | None:
    """When a message whose line starts with `label` goes out, or None if it says no time."""
    text = markdown.strip_markup(label).strip().lower()
    if match := BEFORE_AFTER.match(text):
        days = int(match[1]) * UNIT[match[2]]
        return {"at": format_offset(-days if match[3] == "before" else days)}
    if match := NTH.match(text):
        return {"at": format_offset(int(match[2]) * UNIT[match[1]])}
    if OFFSET.match(text):
        return {"at": format_offset(parse_offset(text.upper()))}
    if text in EVENTS:
        return {"event": EVENTS[text]}
    if text in core_events.EVENTS:
        return {"event": text}
    if text in TIMES and ("launch" in stage or "go-live" in stage or "day" in stage):
        return {"at": "T-0", "time": TIMES[text]}
    return None


def audience_of(text: str) -> list[str]:
    found = re.search(r"\(([^()]*)\)[ \t]*$", text)
    who = found.group(1).lower() if found else ""
    if re.search(r"technical|engineering|developers|ops", who):
        return list(TECHNICAL)
    return list(EVERYONE)


class CommsMapper(RecordMapper):
    key = "messages"
    label = "Communication schedule and email templates (comms)"
    order = 600
    block_kinds = ("message_line", "message_template")
    live_key = "messages"

    def ready(self) -> bool:
        return area_ready("tminus.comms.services", "message_create", "message_update",
                          "message_cancel")

    # ---- reading -----------------------------------------------------------------------------
    def claim(self, reader, section, index: int) -> Claim | None:
        element = section.elements[index]
        if not any(SECTION.search(title) for title in section.path()):
            return None
        label = label_of(element)
        if label is not None and element.kind == "text":
            reader.notes["comms_stage"] = label.lower()
            if TEMPLATE_LABEL.match(label):
                return self._template(reader, section, index, label)
            return None
        if element.kind == "item" and label is None:
            return self._line(reader, element)
        return None

    def _line(self, reader, element) -> Claim | None:
        found = markdown.fields_in(element.text)
        if len(found) != 1 or not found[0].value:
            return None
        stage = reader.notes.get("comms_stage", "")
        when = timing(found[0].key, stage)
        if when is None:
            return None
        text = found[0].value
        quoted = re.search(r"[\"\u201c]([^\"\u201d]+)[\"\u201d]", text)
        entry = reader.add_entry(self.key, {
            "uid": reader.new_uid("n"), "name": text[:200],
            "subject": (quoted.group(1) if quoted else text)[:300], "body": text,
            "audience": audience_of(text), "at": when.get("at"), "time": when.get("time"),
            "event": when.get("event", ""), "stage": stage})
        reader.notes.setdefault("comms_entries", []).append(entry)
        reader.became(element, f"message '{entry['subject']}' "
                      f"({entry['at'] or entry['event']})", kind="comms")
        return Claim(1, [{"kind": "message_line", "uid": entry["uid"],
                          "lines": list(element.lines), "boxed": element.is_checkbox,
                          "when": found[0].key}])

    def _template(self, reader, section, index: int, label: str) -> Claim | None:
        after = section.elements[index + 1:]
        fence = next((e for e in after if e.kind != "blank"), None)
        if fence is None or fence.kind != "fence" or len(fence.lines) < 3:
            return None
        inner = fence.lines[1:-1] if fence.lines[-1].strip().startswith(fence.lines[0].strip()[
            :3]) else fence.lines[1:]
        subject_line = next((line for line in inner if line.strip()), "")
        if not subject_line.lower().startswith("subject:"):
            return None
        subject = subject_line.split(":", 1)[1].strip()
        body = "\n".join(inner[inner.index(subject_line) + 1:]).strip("\n")
        entry = self._template_entry(reader, TEMPLATE_LABEL.match(label)["stage"].lower(),
                                     label, subject, body)
        reader.became(section.elements[index], f"email template '{subject}'", kind="comms")
        blanks = after[:after.index(fence)]
        return Claim(2 + len(blanks), [{
            "kind": "message_template", "uid": entry["uid"],
            "lines": [*section.elements[index].lines, *(line for e in blanks for line in e.lines),
                      *fence.lines],
            "fence": [fence.lines[0], fence.lines[-1]]}])

    def _template_entry(self, reader, stage: str, label: str, subject: str, body: str) -> dict:
        candidates = [e for e in reader.notes.get("comms_entries", [])
                      if e["stage"].startswith(stage) and not e.get("templated")]
        # The stage's message whose words the template's subject shares most (the first on a tie).
        entry = max(candidates, key=lambda e: _shared(e["subject"], subject), default=None)
        if entry is None:
            at, event = STAGES.get(stage, ("T-14d", None))
            entry = reader.add_entry(self.key, {
                "uid": reader.new_uid("n"), "name": label[:200], "audience": list(EVERYONE),
                "at": at, "time": None, "event": event or "", "stage": stage})
        entry.update({"subject": subject[:300], "body": body, "templated": True})
        return entry

    def template_parts(self, parts: dict, release_type: str) -> None:
        parts["comms"] = []

    # ---- applying ----------------------------------------------------------------------------
    def apply(self, context, entries) -> None:
        from tminus.comms import services

        def add(entry):
            return services.message_create(release=context.release, actor=context.actor,
                                           **_values(entry))

        sync(context, entries, context.release.messages.exclude(status="cancelled"),
             noun="message", add=add, match=lambda m, e: same(m.name, e.get("name")),
             changes=lambda m, e: _changes(m, _values(e)),
             update=lambda m, changes: services.message_update(
                 message=m, revision=None, changes=changes, actor=context.actor),
             remove=lambda m: _cancel(services, m, context.actor))

    # ---- live data ---------------------------------------------------------------------------
    def load(self, release) -> dict:
        return {self.live_key: {m.pk: m for m in release.messages.all()}}

    def resolve(self, block: dict, records: dict) -> None:
        if block.get("uid") in records:
            block["value"] = _current(block["kind"], records[block["uid"]])

    def current(self, message) -> dict:
        return _current("message_line", message)

    def render(self, block: dict, live: dict) -> list[str]:
        message = live.get(self.live_key, {}).get(block.get("id"))
        if message is None or _current(block["kind"], message) == block.get("value"):
            return list(block["lines"])
        return self.rewrite(block, message, live)

    def rewrite(self, block: dict, message, live: dict) -> list[str]:
        if block["kind"] == "message_template":
            open_fence, close_fence = block["fence"]
            head = block["lines"][:block["lines"].index(open_fence)]
            return [*head, open_fence, f"Subject: {message.subject}", "",
                    *message.body.splitlines(), close_fence]
        line = block["lines"][0]
        box = "[x] " if message.status == "released" else "[ ] "
        prefix = marker_of(line) + (box if block.get("boxed") else "")
        return [f"{prefix}{block['when']}: {message.name}"]

    def export(self, release, live: dict) -> list[dict]:
        from tminus.plans.document import checkbox

        return [{**_entry(m), **checkbox(live, ("message_line",), m.pk,
                                         True if m.status == "released" else None)}
                for m in live.get(self.live_key, {}).values() if m.status != "cancelled"]

    def appendix(self, live: dict, placed: dict, *, standalone: bool) -> list[str]:
        shown = placed.get("message_line", set()) | placed.get("message_template", set())
        rest = [m for pk, m in live.get(self.live_key, {}).items()
                if pk not in shown and m.status != "cancelled"]
        if not rest:
            return []
        lines = ["", f"{'##' if standalone else '###'} Communication Schedule"]
        for message in rest:
            box = "x" if message.status == "released" else " "
            lines.append(f"- [{box}] {_when_label(message)}: {message.name}")
        return lines


def _shared(one: str, other: str) -> int:
    def words(text):
        return {w for w in re.findall(r"[a-z0-9]{3,}", text.lower())}

    return len(words(one) & words(other))


def _values(entry: dict) -> dict:
    at = entry.get("at")
    offset = parse_offset(at) if at else None
    values = {"name": str(entry.get("name") or "")[:200],
              "subject": str(entry.get("subject") or entry.get("name") or ""),
              "body": str(entry.get("body") or entry.get("name") or ""),
              "audience": list(entry.get("audience") or EVERYONE)}
    if entry.get("event"):
        values.update({"trigger": "event", "event": entry["event"]})
    else:
        from tminus.plans.mapping.meetings import as_time

        values.update({"trigger": "time", "offset": offset,
                       "send_time": as_time(entry.get("time"))})
    return values


def _changes(message, values: dict) -> dict:
    changes = {name: values[name] for name in ("subject", "body", "audience")
               if getattr(message, name) != values[name]}
    if values["trigger"] == "event" and message.event != values.get("event"):
        changes.update({"trigger": "event", "event": values["event"]})
    elif values["trigger"] == "time" and message.send_offset != values.get("offset"):
        changes.update({"trigger": "time", "offset": values["offset"]})
    return changes


def _cancel(services, message, actor) -> None:
    if message.status in ("scheduled", "failed"):
        services.message_cancel(message=message, actor=actor, reason="Not in the imported plan.")


def _current(kind: str, message) -> dict:
    if kind == "message_template":
        return {"subject": message.subject, "body": message.body}
    return {"name": message.name, "released": message.status == "released"}


def _when_label(message) -> str:
    if message.trigger == "event":
        return message.event
    if message.send_offset is not None:
        return format_offset(message.send_offset)
    return message.send_date.isoformat() if message.send_date else "TBD"


def _entry(message) -> dict:
    return {"name": message.name, "subject": message.subject, "body": message.body,
            "audience": list(message.audience),
            "at": format_offset(message.send_offset) if message.send_offset is not None
            else None,
            "time": message.send_time.strftime("%H:%M") if message.trigger == "time" else None,
            "event": message.event}


register_mapper(CommsMapper())

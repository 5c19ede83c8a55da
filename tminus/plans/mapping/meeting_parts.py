"""Agendas, applying and rendering for the meetings mapper."""

from datetime import date

from tminus.core.errors import ValidationFailed
from tminus.core.offsets import format_offset
from tminus.plans import dates, durations, markdown
from tminus.plans.mapping import Claim
from tminus.plans.mapping.common import marker_of, run_of, same
from tminus.plans.mapping.release_parts import norm_key, offset_or_date

AUDIENCE_KEYS = {"target audience", "audience", "for"}


# ---- reading an agenda -------------------------------------------------------------------------

def agenda_claim(reader, section, index: int, entry: dict, *, with_label: bool) -> Claim:
    """A meeting's agenda: an "**Agenda**:" label and the items after it, or a run of boxes."""
    start = index + 1 if with_label else index
    run = run_of(section, start, (lambda e: e.kind == "item") if with_label
                 else (lambda e: e.is_checkbox))
    agenda = []
    for element in run:
        text = markdown.strip_markup(element.text) if element.kind == "item" else ""
        if not text:
            agenda.append({"line": element.lines[0]})
            continue
        item = {"uid": reader.new_uid("a"), "text": text[:500], "done": bool(element.checked)}
        entry["agenda"].append(item)
        agenda.append({**item, "line": element.lines[0], "boxed": element.is_checkbox})
        reader.became(element, f"agenda item of meeting '{entry['title']}'", kind="meeting")
    head = list(section.elements[index].lines) if with_label else []
    return Claim(len(run) + (1 if with_label else 0),
                 [{"kind": "meeting_agenda", "uid": entry["uid"], "head": head,
                   "agenda": agenda}])


# ---- applying ----------------------------------------------------------------------------------

def _person(context, name: str | None):
    if not name:
        return None
    from tminus.people.models import Person
    from tminus.people.services import person_create

    found = Person.objects.filter(name__iexact=name).first()
    return found or person_create(name=name[:200], actor=context.actor)


def _time(text: str | None):
    from tminus.plans.mapping.meetings import as_time

    return as_time(text)


def apply_meeting(context, entry: dict) -> None:
    """Create the meeting an entry describes, or bring the one with its title up to date."""
    from tminus.meetings import services

    meeting = context.release.meetings.filter(title__iexact=entry["title"].strip()).first()
    try:
        if meeting is None:
            meeting = _create(context, services, entry)
        else:
            meeting = _update(context, services, meeting, entry)
        _agenda(context, services, meeting, entry)
        _attendees(context, services, meeting, entry)
    except ValidationFailed as refused:
        context.warn(f"The meeting '{entry['title']}' was not taken: {refused.message} "
                     "It stays as text in the document.")
        return
    context.records[entry.get("uid") or f"meeting:{meeting.pk}"] = meeting


def _when(entry: dict) -> tuple[date | None, int | None]:
    try:
        return offset_or_date(entry.get("date"))
    except ValueError:
        raise ValidationFailed({"date": f"{entry.get('date')!r} is not a date or T-offset."}) \
            from None


def _create(context, services, entry: dict):
    on, offset = _when(entry)
    meeting = services.meeting_create(
        release=context.release, title=entry["title"], kind=entry.get("kind") or "other",
        date=on, date_offset=offset, start_time=_time(entry.get("time")),
        duration_minutes=entry.get("duration_minutes"), audience=entry.get("audience") or "",
        topics="\n".join(entry.get("topics") or []), trainer=_person(context,
                                                                     entry.get("trainer")),
        agenda=[item["text"] for item in entry.get("agenda") or []],
        attendees=[{"role": name} for name in entry.get("attendees") or []],
        actor=context.actor)
    context.change(f"added meeting '{meeting.title}'")
    return meeting


def _update(context, services, meeting, entry: dict):
    on, _offset = _when(entry)
    wanted = {"audience": entry.get("audience") or "",
              "topics": "\n".join(entry.get("topics") or [])}
    if entry.get("duration_minutes"):
        wanted["duration_minutes"] = entry["duration_minutes"]
    if on is not None:
        wanted["date"] = on
    if entry.get("time"):
        wanted["start_time"] = _time(entry["time"])
    changes = {name: value for name, value in wanted.items() if getattr(meeting, name) != value}
    if changes:
        meeting = services.meeting_update(meeting=meeting, revision=None, changes=changes,
                                          actor=context.actor)
        context.change(f"updated meeting '{meeting.title}'")
    return meeting


def _agenda(context, services, meeting, entry: dict) -> None:
    existing = list(meeting.agenda.all())
    for wanted in entry.get("agenda") or []:
        item = next((i for i in existing if same(i.text, wanted["text"])), None)
        if item is None:
            item = services.agenda_item_add(meeting=meeting, text=wanted["text"],
                                            actor=context.actor)
            if context.prune:
                context.change(f"added agenda item '{item.text}'")
        else:
            existing.remove(item)
        if item.done != bool(wanted.get("done")):
            item = services.agenda_item_set(item=item, done=bool(wanted.get("done")),
                                            actor=context.actor)
            context.change(f"{'ticked' if item.done else 'reopened'} agenda item '{item.text}'")
        if wanted.get("uid"):
            context.records[wanted["uid"]] = item


def _attendees(context, services, meeting, entry: dict) -> None:
    present = {a.name.casefold() for a in meeting.attendees.all()}
    for name in entry.get("attendees") or []:
        if name.casefold() not in present:
            services.meeting_attendee_add(meeting=meeting, role=name, actor=context.actor)
            present.add(name.casefold())
            if context.prune:
                context.change(f"added '{name}' to meeting '{meeting.title}'")


# ---- live values and rendering -----------------------------------------------------------------

def _date_text(meeting) -> str | None:
    if meeting.date_offset is not None:
        return format_offset(meeting.date_offset)
    return meeting.date.isoformat() if meeting.date else None


def _time_text(meeting) -> str | None:
    return meeting.start_time.strftime("%H:%M") if meeting.start_time else None


def live_value(kind: str, meeting) -> dict:
    """What a block of this kind compares for a meeting."""
    if kind == "meeting_row":
        return {"title": meeting.title, "date": _date_text(meeting), "time": _time_text(meeting),
                "attendees": [a.name for a in meeting.attendees.all()],
                "trainer": meeting.trainer.name if meeting.trainer else None}
    if kind == "meeting_session":
        return {"duration": meeting.duration_minutes, "audience": meeting.audience,
                "topics": meeting.topics.splitlines()}
    if kind == "meeting_when":
        return {"date": _date_text(meeting), "time": _time_text(meeting)}
    if kind == "meeting_attendees":
        return {"attendees": [a.name for a in meeting.attendees.all()]}
    if kind == "meeting_notes":
        return {"notes": meeting.notes}
    return {"agenda": [[i.text, i.done] for i in meeting.agenda.all()]}


def render_block(block: dict, meeting) -> list[str]:
    if meeting is None or live_value(block["kind"], meeting) == block.get("value"):
        return list(block.get("lines") or [*block.get("head", []),
                                           *(a["line"] for a in block.get("agenda", []))])
    return _RENDERERS[block["kind"]](block, meeting)


def _replace(line: str, texts: dict[str, str | None]) -> str:
    """The line with the values of the fields named in `texts` (by normalised key) replaced."""
    found = markdown.fields_in(line)
    replacements = {n: texts[norm_key(f.key)] for n, f in enumerate(found)
                    if texts.get(norm_key(f.key)) is not None}
    return markdown.replace_values(line, replacements, found)


def _render_when(block: dict, meeting) -> list[str]:
    line = block["lines"][0]
    written = {norm_key(f.key): f.value for f in markdown.fields_in(line)}
    day = None
    if meeting.date:
        day = dates.format_like(meeting.date, written.get("date", ""))
    elif meeting.date_offset is not None:
        day = format_offset(meeting.date_offset)
    return [_replace(line, {"date": day, "when": day, "time": _time_text(meeting)})]


def _render_session(block: dict, meeting) -> list[str]:
    head, *body = block["lines"]
    if meeting.duration_minutes and "(" in head:
        head = head[:head.rindex("(")] + f"({durations.minutes_text(meeting.duration_minutes)})" \
            + head[head.rindex(")") + 1:]
    lines, topics_done = [head], False
    topic_marker = "- "
    for line in body:
        found = markdown.fields_in(line)
        if found and norm_key(found[0].key) in AUDIENCE_KEYS:
            lines.append(_replace(line, {norm_key(found[0].key): meeting.audience or "—"}))
        elif line.lstrip()[:1] in "-*+" and line.strip() and not found:
            topic_marker = marker_of(line)
            if not topics_done:
                lines += [f"{topic_marker}{topic}" for topic in meeting.topics.splitlines()]
                topics_done = True
        else:
            lines.append(line)
    return lines


def _render_agenda(block: dict, meeting) -> list[str]:
    items = {item.pk: item for item in meeting.agenda.all()}
    lines, marker = list(block["head"]), "- [ ] "
    for entry in block["agenda"]:
        item = items.pop(entry.get("id"), None)
        if "uid" not in entry:
            lines.append(entry["line"])
        elif item is not None:
            marker = marker_of(entry["line"])
            lines.append(entry["line"] if [item.text, item.done] == [entry["text"], entry["done"]]
                         else _agenda_line(entry["line"], item, entry.get("boxed")))
    shown = {e.get("id") for e in block["agenda"]}
    lines += [_agenda_line(marker, item, True) for pk, item in items.items() if pk not in shown]
    return lines


def _agenda_line(line: str, item, boxed: bool) -> str:
    box = f"[{'x' if item.done else ' '}] " if boxed else ""
    return f"{marker_of(line)}{box}{item.text}"


def _render_attendees(block: dict, meeting) -> list[str]:
    names = ", ".join(a.name for a in meeting.attendees.all()) or "—"
    return [_replace(block["lines"][0], {"attendees": names})]


def _render_notes(block: dict, meeting) -> list[str]:
    line = block["lines"][0]
    found = markdown.fields_in(line)
    notes = " ".join(meeting.notes.split()) or "—"
    return [markdown.replace_values(line, {0: notes}, found)] if found else [line]


_RENDERERS = {"meeting_when": _render_when, "meeting_session": _render_session,
              "meeting_agenda": _render_agenda, "meeting_attendees": _render_attendees,
              "meeting_notes": _render_notes}


def meeting_entry(meeting) -> dict:
    """A meeting for the plan as code."""
    value = live_value("meeting_row", meeting)
    return {"title": meeting.title, "kind": meeting.kind, "date": value["date"],
            "time": value["time"], "duration_minutes": meeting.duration_minutes,
            "audience": meeting.audience, "topics": meeting.topics.splitlines(),
            "agenda": [{"text": i.text, "done": i.done, "status": "done" if i.done else "todo"}
                       for i in meeting.agenda.all()],
            "attendees": value["attendees"], "trainer": value["trainer"]}


"""Every change a person makes to a communication plan: messages, placeholder values, channels.

Sending (releasing due messages, claiming and recording deliveries, retries) lives in
`tminus.comms.delivery`; reminder digests in `tminus.comms.reminders`.
"""

import secrets
from datetime import date, datetime, time

from django.db import transaction
from django.utils import timezone

from tminus.accounts.permissions import require
from tminus.accounts.roles import ADMINISTER, MANAGE
from tminus.audit.services import audit_record, snapshot
from tminus.comms import delivery
from tminus.comms.audience import audience_normalize
from tminus.comms.builtin_messages import TEMPLATES
from tminus.comms.choices import EMAIL, ChannelKind, MessageStatus, Trigger
from tminus.comms.content import known_placeholders
from tminus.comms.models import DEFAULT_SEND_TIME, Channel, Message, PlaceholderValue
from tminus.comms.placeholders import (
    BUILTIN_PLACEHOLDERS,
    PLACEHOLDER_KEY,
    placeholders_in,
    render,
)
from tminus.comms.signing import secret_encrypt, secret_hint
from tminus.comms.timing import due_at, missed_after
from tminus.core.actors import Actor
from tminus.core.concurrency import save_versioned
from tminus.core.errors import NotFound, TransitionNotAllowed, ValidationFailed
from tminus.core.events import EVENTS
from tminus.core.keys import make_key
from tminus.core.offsets import date_at, format_offset
from tminus.core.outbound import url_problem
from tminus.releases.models import Release

MESSAGE_FIELDS = ["name", "subject", "body", "channel", "audience", "trigger", "event",
                  "send_date", "send_offset", "send_time", "status"]
CHANNEL_FIELDS = ["key", "name", "kind", "url", "enabled", "secret_hint"]
_TIMING = {"trigger", "event", "offset", "send_date", "send_time"}


def _snapshot(message: Message) -> dict:
    values = snapshot(message, [f for f in MESSAGE_FIELDS if f != "send_time"])
    send_time = message.send_time
    values["send_time"] = send_time.strftime("%H:%M") if isinstance(send_time, time) else None
    return values


def _message_state(message: Message) -> dict:
    return {**_snapshot(message), "id": message.pk, "revision": message.revision}


def channel_by_key(key: str | Channel | None) -> Channel | None:
    """A channel by key; '' or 'email' mean email (no channel)."""
    if key is None or isinstance(key, Channel):
        return key
    if key in ("", EMAIL):
        return None
    channel = Channel.objects.filter(key=key).first()
    if channel is None:
        known = ", ".join([EMAIL, *Channel.objects.values_list("key", flat=True)])
        raise ValidationFailed({"channel": f"No channel {key!r}; use one of: {known}."})
    return channel


@transaction.atomic
def message_create(
    *, release: Release, subject: str, body: str, name: str = "",
    channel: Channel | str | None = None, audience: list[str] | None = None,
    trigger: str = Trigger.TIME, offset: int | None = None, send_date: date | None = None,
    send_time: time | None = None, event: str = "", template_key: str = "", actor: Actor,
) -> Message:
    """Add a message to a release's plan, sent at a time or on an event."""
    require(actor, MANAGE)
    message = Message(release=release, template_key=template_key,
                      order=release.messages.count())
    _apply(message, {"name": name, "subject": subject, "body": body, "channel": channel,
                     "audience": audience or [], "trigger": trigger, "offset": offset,
                     "send_date": send_date, "send_time": send_time, "event": event})
    message.save()
    audit_record(actor=actor, action="message.create", obj=message, release_id=release.pk,
                 after=_snapshot(message))
    return message


@transaction.atomic
def message_update(*, message: Message, revision: int | None, changes: dict,
                   actor: Actor) -> Message:
    """Edit a message that has not gone out yet; a stale edit gets a conflict."""
    require(actor, MANAGE)
    allowed = {"name", "subject", "body", "channel", "audience"} | _TIMING
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationFailed({field: "This field cannot be changed here." for field in unknown})
    # Lock the row and look at its status now: a worker may have released it meanwhile.
    current = Message.objects.select_for_update().get(pk=message.pk)
    if current.status not in (MessageStatus.SCHEDULED, MessageStatus.FAILED):
        raise TransitionNotAllowed(
            f"This message is {current.get_status_display().lower()}; only a message that has "
            f"not gone out can be edited."
        )
    message.status = current.status
    before = _snapshot(message)
    values = _current(message) | changes
    if "send_date" in changes and "offset" not in changes:
        values["offset"] = None  # a date set by hand no longer follows go-live
    if not _TIMING & set(changes):
        values["keep_timing"] = True
    _apply(message, values)
    fields = [field for field in MESSAGE_FIELDS if field != "status"]
    if message.status == MessageStatus.FAILED:  # fixed: it may go out again
        message.status, message.problem = MessageStatus.SCHEDULED, ""
        fields += ["status", "problem"]
    save_versioned(message, revision, fields, snapshot=_message_state)
    audit_record(actor=actor, action="message.update", obj=message,
                 release_id=message.release_id, before=before,
                 after=_snapshot(message))
    return message


def _current(message: Message) -> dict:
    return {"name": message.name, "subject": message.subject, "body": message.body,
            "channel": message.channel, "audience": message.audience,
            "trigger": message.trigger, "offset": message.send_offset,
            "send_date": None if message.send_offset is not None else message.send_date,
            "send_time": message.send_time, "event": message.event}


def _apply(message: Message, values: dict) -> None:
    """Validate what a person asked for and set it on the (unsaved) message."""
    errors: dict[str, list[str]] = {}
    release = message.release
    subject, body = (values.get("subject") or "").strip(), (values.get("body") or "")
    _check_text(release, subject, body, errors)
    try:
        channel = channel_by_key(values.get("channel"))
    except ValidationFailed as error:
        errors.update(error.errors)
        channel = None
    audience, audience_errors = audience_normalize(values.get("audience") or [])
    if audience_errors:
        errors["audience"] = audience_errors
    elif channel is None and not audience:
        errors["audience"] = ["An email needs an audience: addresses, owner, stakeholders or a "
                              "role."]
    _apply_timing(message, values, errors)
    if errors:
        raise ValidationFailed(errors)
    message.name = (values.get("name") or "").strip() or subject[:200]
    message.subject, message.body = subject, body
    message.channel, message.audience = channel, audience


def _check_text(release: Release, subject: str, body: str, errors: dict) -> None:
    if not subject:
        errors["subject"] = ["A message needs a subject."]
    if not body.strip():
        errors["body"] = ["A message needs a body."]
    known = {name: "" for name in known_placeholders(release)}
    for field, text in (("subject", subject), ("body", body)):
        problems = render(text, known).errors
        if problems:
            hint = ("Known placeholders: " + ", ".join(f"{{{k}}}" for k in sorted(known)) +
                    ". Add your own under the release's placeholder values.")
            errors.setdefault(field, []).extend([*problems, hint])


def _apply_timing(message: Message, values: dict, errors: dict) -> None:
    trigger = values.get("trigger") or Trigger.TIME
    if trigger == Trigger.EVENT:
        event = values.get("event") or ""
        if event not in EVENTS:
            errors["event"] = [f"Choose the event that sends it: {', '.join(EVENTS)}."]
        message.trigger, message.event = Trigger.EVENT, event
        message.send_date = message.send_offset = None
        return
    if trigger != Trigger.TIME:
        errors["trigger"] = ["Send it at a time or on an event."]
        return
    offset, on = values.get("offset"), values.get("send_date")
    if offset is None and on is None:
        errors["at"] = ["Give a T-offset from go-live (e.g. T-14d) or a date."]
        return
    message.trigger, message.event = Trigger.TIME, ""
    message.send_offset = offset
    message.send_date = date_at(message.release.go_live, offset) if offset is not None else on
    message.send_time = values.get("send_time") or DEFAULT_SEND_TIME
    if not values.get("keep_timing"):
        _refuse_past(message, errors)


def _refuse_past(message: Message, errors: dict) -> None:
    moment = due_at(message)
    if moment is not None and moment < timezone.now() - missed_after():
        field = "at" if message.send_offset is not None else "send_date"
        when = format_offset(message.send_offset) if message.send_offset is not None else ""
        errors[field] = [f"{when + ' is ' if when else ''}{moment:%Y-%m-%d %H:%M}, which has "
                         f"passed; choose a later moment, or send it now."]


def message_schedule(*, release: Release, subject: str, body: str,
                     channel: Channel | str | None = EMAIL, audience: list[str],
                     send_at: datetime | None = None, actor: Actor) -> Message:
    """Plan one message at a fixed moment (now when send_at is None); for other areas, such as
    release notes. Escape literal braces with tminus.comms.placeholders.escape."""
    moment = timezone.localtime(send_at or timezone.now())
    return message_create(release=release, subject=subject, body=body, channel=channel,
                          audience=audience, trigger=Trigger.TIME, send_date=moment.date(),
                          send_time=moment.time().replace(microsecond=0), actor=actor)


@transaction.atomic
def message_cancel(*, message: Message, actor: Actor, reason: str = "") -> Message:
    """Stop a message that has not gone out."""
    require(actor, MANAGE)
    won = Message.objects.filter(
        pk=message.pk, status__in=[MessageStatus.SCHEDULED, MessageStatus.FAILED]
    ).update(status=MessageStatus.CANCELLED)
    if not won:
        raise TransitionNotAllowed("Only a message that has not gone out can be cancelled.")
    before = {"status": message.status}
    message.refresh_from_db()
    audit_record(actor=actor, action="message.cancel", obj=message,
                 release_id=message.release_id, before=before,
                 after={"status": message.status}, reason=reason)
    return message


def message_send_now(*, message: Message, actor: Actor) -> int:
    """Send a message that has not gone out right away, whatever its time or event; returns
    how many deliveries were queued."""
    require(actor, MANAGE)
    if message.status not in (MessageStatus.SCHEDULED, MessageStatus.FAILED):
        raise TransitionNotAllowed(
            f"This message is {message.get_status_display().lower()}; it cannot be sent again. "
            f"Retry its failed deliveries instead."
        )
    return delivery.message_release(message, actor=actor, by_hand=True)


@transaction.atomic
def placeholder_values_set(*, release: Release, values: dict[str, str],
                           actor: Actor) -> dict[str, str]:
    """Replace the release's own placeholders and their values."""
    require(actor, MANAGE)
    errors = []
    cleaned: dict[str, str] = {}
    for key, value in values.items():
        key = (key or "").strip().strip("{}").strip()
        if not PLACEHOLDER_KEY.match(key):
            errors.append(f"{key!r} is not a placeholder name; use lower-case letters, digits "
                          f"and underscores, starting with a letter.")
        elif key in BUILTIN_PLACEHOLDERS:
            errors.append(f"{{{key}}} is built in; choose another name.")
        else:
            cleaned[key] = str(value or "").strip()
    still_used = _placeholders_in_use(release) - set(cleaned) - set(BUILTIN_PLACEHOLDERS)
    errors += [f"{{{key}}} is used by a message that has not gone out; remove it there first."
               for key in sorted(still_used)]
    if errors:
        raise ValidationFailed({"values": errors})
    before = dict(release.placeholder_values.values_list("key", "value"))
    release.placeholder_values.exclude(key__in=cleaned).delete()
    for key, value in cleaned.items():
        PlaceholderValue.objects.update_or_create(release=release, key=key,
                                                  defaults={"value": value})
    audit_record(actor=actor, action="placeholder_values.set", obj=release,
                 release_id=release.pk, before=before, after=cleaned)
    return cleaned


def _placeholders_in_use(release: Release) -> set[str]:
    used: set[str] = set()
    pending = release.messages.filter(status__in=[MessageStatus.SCHEDULED,
                                                  MessageStatus.FAILED])
    for subject, body in pending.values_list("subject", "body"):
        used.update(placeholders_in(subject))
        used.update(placeholders_in(body))
    return used


def _channel_errors(values: dict, channel: Channel | None = None) -> dict:
    errors = {}
    if "name" in values and not (values["name"] or "").strip():
        errors["name"] = "A channel needs a name."
    if "kind" in values and values["kind"] not in ChannelKind.values:
        errors["kind"] = f"Unknown kind {values['kind']!r}; use one of {', '.join(ChannelKind)}."
    if "url" in values and url_problem(values["url"]):
        errors["url"] = url_problem(values["url"])
    if "key" in values:
        taken = Channel.objects.filter(key=values["key"])
        if channel is not None:
            taken = taken.exclude(pk=channel.pk)
        if not values["key"] or values["key"] == EMAIL:
            errors["key"] = "Choose another key ('email' means email)."
        elif taken.exists():
            errors["key"] = f"A channel with key {values['key']!r} already exists."
    if values.get("secret") and len(values["secret"]) < 16:
        errors["secret"] = "A signing secret needs at least 16 characters."
    return errors


def _set_secret(channel: Channel, secret: str, generate: bool) -> str:
    """Store a new secret; returns it when it was generated (shown to the person once)."""
    if generate:
        secret = secrets.token_urlsafe(32)
    channel.secret_encrypted = secret_encrypt(secret)
    channel.secret_hint = secret_hint(secret)
    return secret if generate else ""


@transaction.atomic
def channel_create(*, name: str, kind: str, url: str, key: str = "", secret: str = "",
                   generate_secret: bool = False, enabled: bool = True,
                   actor: Actor) -> tuple[Channel, str]:
    """Add a webhook channel; returns it and, when one was generated, its secret (shown once)."""
    require(actor, ADMINISTER)
    key = make_key(key or name).replace(".", "-")[:60]
    values = {"name": name, "kind": kind, "url": url, "key": key, "secret": secret}
    errors = _channel_errors(values)
    if errors:
        raise ValidationFailed(errors)
    channel = Channel(key=key, name=name.strip(), kind=kind, url=url.strip(), enabled=enabled)
    shown = _set_secret(channel, secret, generate_secret) if (secret or generate_secret) else ""
    channel.save()
    audit_record(actor=actor, action="channel.create", obj=channel,
                 after=snapshot(channel, CHANNEL_FIELDS))
    return channel, shown


@transaction.atomic
def channel_update(*, channel: Channel, revision: int | None, changes: dict,
                   actor: Actor) -> tuple[Channel, str]:
    """Change a channel; `secret` sets a new signing secret, `generate_secret` makes one
    (returned once), `clear_secret` stops signing."""
    require(actor, ADMINISTER)
    allowed = {"name", "kind", "url", "enabled", "secret", "generate_secret", "clear_secret"}
    unknown = set(changes) - allowed
    errors = {field: "This field cannot be changed here." for field in unknown}
    errors.update(_channel_errors(changes, channel))
    if errors:
        raise ValidationFailed(errors)
    before = snapshot(channel, CHANNEL_FIELDS)
    for field in ("name", "kind", "url", "enabled"):
        if field in changes:
            value = changes[field]
            setattr(channel, field, value.strip() if isinstance(value, str) else value)
    shown = ""
    if changes.get("clear_secret"):
        channel.secret_encrypted, channel.secret_hint = "", ""
    elif changes.get("secret") or changes.get("generate_secret"):
        shown = _set_secret(channel, changes.get("secret", ""), changes.get("generate_secret"))
    fields = ["name", "kind", "url", "enabled", "secret_encrypted", "secret_hint"]
    save_versioned(channel, revision, fields,
                   snapshot=lambda c: {**snapshot(c, CHANNEL_FIELDS), "revision": c.revision})
    audit_record(actor=actor, action="channel.update", obj=channel, before=before,
                 after=snapshot(channel, CHANNEL_FIELDS))
    return channel, shown


def message_get(message_id: int) -> Message:
    """A message with its release, or NotFound."""
    message = (Message.objects.select_related("release__product", "release__owner", "channel")
               .filter(pk=message_id).first())
    if message is None:
        raise NotFound(f"No message {message_id}.")
    return message


def template_message_fields(template_key: str) -> dict:
    """Subject and body of a built-in message template, to start a message from."""
    template = TEMPLATES.get(template_key)
    if template is None:
        raise ValidationFailed({"template": f"No message template {template_key!r}; use one "
                                            f"of: {', '.join(TEMPLATES)}."})
    return {"name": template["name"], "subject": template["subject"],
            "body": template["body"], "template_key": template_key}

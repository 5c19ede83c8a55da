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
from tminus.audit.services import audit_record
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
from tminus.core import editing
from tminus.core.actors import Actor
from tminus.core.errors import NotFound, TransitionNotAllowed, ValidationFailed
from tminus.core.events import EVENTS
from tminus.core.keys import make_key
from tminus.core.offsets import date_at, format_offset
from tminus.core.outbound import url_problem
from tminus.releases.models import Release

MESSAGE_FIELDS = ["name", "subject", "body", "channel", "audience", "trigger", "event",
                  "send_date", "send_offset", "send_time", "status"]
CHANNEL_FIELDS = ["key", "name", "kind", "url", "enabled", "secret_hint"]
# What an edit of a message may carry: its columns, and `offset` (from go-live) for send_offset.
_MESSAGE_INPUTS = {"name", "subject", "body", "channel", "audience", "trigger", "event",
                   "offset", "send_date", "send_offset", "send_time"}
_TIMING = {"trigger", "event", "send_offset", "send_date", "send_time"}


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


def _message_errors(message: Message) -> dict:
    """What is wrong with a message as it would be saved (the edit path's validate hook)."""
    errors: dict[str, list[str]] = {}
    _check_text(message.release, (message.subject or "").strip(), message.body or "", errors)
    audience_errors = audience_normalize(message.audience)[1]
    if audience_errors:
        errors["audience"] = audience_errors
    elif message.channel_id is None and not message.audience:
        errors["audience"] = ["An email needs an audience: addresses, owner, stakeholders or a "
                              "role."]
    if message.trigger == Trigger.EVENT:
        if message.event not in EVENTS:
            errors["event"] = [f"Choose the event that sends it: {', '.join(EVENTS)}."]
    elif message.trigger != Trigger.TIME:
        errors["trigger"] = ["Send it at a time or on an event."]
    elif message.send_offset is None and message.send_date is None:
        errors["at"] = ["Give a T-offset from go-live (e.g. T-14d) or a date."]
    return errors


def _message_derive(message: Message, changes: dict | None) -> list[str]:
    """Fill in what follows from a valid message: its name, its canonical audience, the date of
    its offset; refuse a moment that has passed; a failed message that is fixed goes out again."""
    message.subject = message.subject.strip()
    message.name = message.name.strip() or message.subject[:200]
    message.audience = audience_normalize(message.audience)[0]
    if message.trigger == Trigger.TIME and message.send_offset is not None:
        message.send_date = date_at(message.release.go_live, message.send_offset)
    if changes is None or _TIMING & set(changes):
        errors: dict = {}
        _refuse_past(message, errors)
        if errors:
            raise ValidationFailed(errors)
    fields = ["name", "subject", "audience", "send_date"]
    if message.status == MessageStatus.FAILED:
        message.status, message.problem = MessageStatus.SCHEDULED, ""
        fields += ["status", "problem"]
    return fields


def _message_changes(message: Message, changes: dict) -> dict:
    """A person's edit of a message as changes of its columns: `offset` is send_offset, a
    channel is named by its key, a date set by hand no longer follows go-live, an event
    trigger has no date and a time trigger no event."""
    unknown = set(changes) - _MESSAGE_INPUTS
    if unknown:
        raise ValidationFailed({field: "This field cannot be changed here." for field in unknown})
    changes = dict(changes)
    if "offset" in changes:
        changes["send_offset"] = changes.pop("offset")
    elif "send_date" in changes:
        changes["send_offset"] = None
    if "channel" in changes:
        changes["channel"] = channel_by_key(changes["channel"])
    if "send_time" in changes and changes["send_time"] is None:
        changes["send_time"] = DEFAULT_SEND_TIME
    if _TIMING & set(changes):
        if changes.get("trigger", message.trigger) == Trigger.EVENT:
            changes.update(send_date=None, send_offset=None)
        else:
            changes["event"] = ""
    return changes


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
                      order=release.messages.count(), name=name or "", subject=subject or "",
                      body=body or "", audience=audience or [], trigger=trigger or Trigger.TIME,
                      event=event or "", send_time=send_time or DEFAULT_SEND_TIME)
    for field, value in _message_changes(message, {
            "channel": channel, "trigger": message.trigger, "offset": offset,
            "send_date": None if offset is not None else send_date}).items():
        setattr(message, field, value)
    if not _message_errors(message):
        _message_derive(message, None)
    return editing.create(MESSAGE, message, actor=actor)


@transaction.atomic
def message_update(*, message: Message, revision: int | None, changes: dict,
                   actor: Actor) -> Message:
    """Edit a message that has not gone out yet; a stale edit gets a conflict."""
    require(actor, MANAGE)
    changes = _message_changes(message, changes)
    # Lock the row and look at its status now: a worker may have released it meanwhile.
    current = Message.objects.select_for_update().get(pk=message.pk)
    if current.status not in (MessageStatus.SCHEDULED, MessageStatus.FAILED):
        raise TransitionNotAllowed(
            f"This message is {current.get_status_display().lower()}; only a message that has "
            f"not gone out can be edited."
        )
    message.status = current.status
    return editing.update(MESSAGE, message, revision=revision, changes=changes, actor=actor)


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


def _refuse_past(message: Message, errors: dict) -> None:
    moment = due_at(message)
    if moment is not None and moment < timezone.now() - missed_after():
        field = "at" if message.send_offset is not None else "send_date"
        when = format_offset(message.send_offset) if message.send_offset is not None else ""
        errors[field] = [f"{when + ' is ' if when else ''}{moment:%Y-%m-%d %H:%M}, which has "
                         f"passed; choose a later moment, or send it now."]


MESSAGE = editing.Kind(model=Message, action="message", fields=MESSAGE_FIELDS, capability=MANAGE,
                       validate=_message_errors, derive=_message_derive, fixed={"status"},
                       add_verb="create")


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


def _channel_errors(channel: Channel) -> dict:
    """What is wrong with a channel as it would be saved (the edit path's validate hook)."""
    errors = {}
    if not (channel.name or "").strip():
        errors["name"] = "A channel needs a name."
    if channel.kind not in ChannelKind.values:
        errors["kind"] = f"Unknown kind {channel.kind!r}; use one of {', '.join(ChannelKind)}."
    problem = url_problem(channel.url)
    if problem:
        errors["url"] = problem
    if not channel.key or channel.key == EMAIL:
        errors["key"] = "Choose another key ('email' means email)."
    elif Channel.objects.filter(key=channel.key).exclude(pk=channel.pk).exists():
        errors["key"] = f"A channel with key {channel.key!r} already exists."
    return errors


def _channel_derive(channel: Channel, changes: dict) -> list[str]:
    channel.name, channel.url = channel.name.strip(), channel.url.strip()
    return ["name", "url"]


def _secret_changes(secret: str | None, generate: bool | None, clear: bool | None,
                    ) -> tuple[dict, str]:
    """The columns a signing secret change sets, and the secret when it was generated (shown
    to the person once); `clear` stops signing."""
    if clear:
        return {"secret_encrypted": "", "secret_hint": ""}, ""
    if generate:
        secret = secrets.token_urlsafe(32)
    elif not secret:
        return {}, ""
    elif len(secret) < 16:
        raise ValidationFailed({"secret": "A signing secret needs at least 16 characters."})
    return ({"secret_encrypted": secret_encrypt(secret), "secret_hint": secret_hint(secret)},
            secret if generate else "")


@transaction.atomic
def channel_create(*, name: str, kind: str, url: str, key: str = "", secret: str = "",
                   generate_secret: bool = False, enabled: bool = True,
                   actor: Actor) -> tuple[Channel, str]:
    """Add a webhook channel; returns it and, when one was generated, its secret (shown once)."""
    require(actor, ADMINISTER)
    key = make_key(key or name).replace(".", "-")[:60]
    secret_values, shown = _secret_changes(secret, generate_secret, False)
    channel = Channel(key=key, name=name or "", kind=kind, url=url or "", enabled=enabled,
                      **secret_values)
    _channel_derive(channel, {})
    return editing.create(CHANNEL, channel, actor=actor), shown


@transaction.atomic
def channel_update(*, channel: Channel, revision: int | None, changes: dict,
                   actor: Actor) -> tuple[Channel, str]:
    """Change a channel; `secret` sets a new signing secret, `generate_secret` makes one
    (returned once), `clear_secret` stops signing."""
    require(actor, ADMINISTER)
    changes = dict(changes)
    stored = set(changes) & set(CHANNEL.hidden)  # set only through `secret` and its kin
    if stored:
        raise ValidationFailed(dict.fromkeys(stored, "This field cannot be changed here."))
    secret_values, shown = _secret_changes(changes.pop("secret", None),
                                           changes.pop("generate_secret", None),
                                           changes.pop("clear_secret", None))
    channel = editing.update(CHANNEL, channel, revision=revision,
                             changes={**changes, **secret_values}, actor=actor)
    return channel, shown


CHANNEL = editing.Kind(model=Channel, action="channel", fields=CHANNEL_FIELDS,
                       capability=ADMINISTER, validate=_channel_errors, derive=_channel_derive,
                       fixed={"key", "secret_hint"}, hidden={"secret_encrypted", "secret_hint"},
                       add_verb="create", release_id=lambda channel: None)


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

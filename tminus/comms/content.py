"""What a message says to one recipient: placeholder values from the release, then rendering."""

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from tminus.comms.audience import Recipient, audience_normalize, audience_resolve
from tminus.comms.models import PlaceholderValue
from tminus.comms.placeholders import BUILTIN_PLACEHOLDERS, Rendered, placeholders_in, render
from tminus.core.events import EVENTS
from tminus.core.offsets import date_at, format_offset
from tminus.releases.choices import ScopeKind

EVERYONE = "all"


def custom_values(release) -> dict[str, str]:
    """The release's own placeholders and their values."""
    return dict(PlaceholderValue.objects.filter(release=release).values_list("key", "value"))


def known_placeholders(release) -> set[str]:
    return set(BUILTIN_PLACEHOLDERS) | set(custom_values(release))


def release_url(release) -> str:
    return settings.BASE_URL + reverse("release-detail", args=[release.key])


def release_values(release, *, on: date, event: str = "", payload: dict | None = None) -> dict:
    """The built-in placeholder values of a release, as seen on a given day."""
    go_live = release.go_live
    days = (go_live - on).days if go_live else None
    owner = release.owner
    return {
        "release_name": release.name,
        "release_key": release.key,
        "version": release.version,
        "product": release.product.name,
        "go_live": date_format(go_live, "l j F Y") if go_live else "a date to be confirmed",
        "go_live_iso": go_live.isoformat() if go_live else "",
        "days_to_go_live": "" if days is None else str(days),
        "days_since_go_live": "" if days is None else str(-days),
        "t_minus": format_offset(None if days is None else -days),
        "release_url": release_url(release),
        "release_owner": str(owner) if owner else "",
        "release_owner_email": owner.email if owner else "",
        "release_status": release.get_status_display(),
        "release_goal": release.goal,
        "features": _features(release),
        "event": EVENTS.get(event, ""),
        "event_reason": str((payload or {}).get("reason", "")),
        "recipient_name": EVERYONE,
        "recipient_email": "",
    }


def _features(release) -> str:
    titles = release.scope_items.filter(
        kind__in=[ScopeKind.FEATURE, ScopeKind.ENHANCEMENT]
    ).values_list("title", flat=True)
    return "\n".join(f"- {title}" for title in titles)


def sending_day(message) -> date:
    """The day a message is (or would be) sent: its date, or today for event messages."""
    return message.send_date or timezone.localdate()


def message_values(message, recipient: Recipient | None, custom: dict) -> dict:
    """Every placeholder value for one recipient (None: a channel)."""
    values = {**custom, **release_values(message.release, on=sending_day(message),
                                         event=message.event, payload=message.event_payload)}
    if recipient is not None:
        values["recipient_name"] = recipient.name or EVERYONE
        values["recipient_email"] = recipient.address
    return values


def message_render(message, recipient: Recipient | None, custom: dict | None = None
                   ) -> tuple[Rendered, Rendered]:
    """The message's subject and body for one recipient (None: a channel)."""
    custom = custom_values(message.release) if custom is None else custom
    values = message_values(message, recipient, custom)
    keys = set(custom) - set(BUILTIN_PLACEHOLDERS)
    return render(message.subject, values, keys), render(message.body, values, keys)


@dataclass
class Preview:
    subject: str
    body: str
    errors: list[str] = field(default_factory=list)  # unknown placeholders, lone braces
    warnings: list[str] = field(default_factory=list)  # missing values, nobody to send to
    recipients: list[Recipient] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    channel: str = "Email"

    @property
    def ok(self) -> bool:
        return not self.errors


def draft(release, *, subject: str, body: str, audience: list[str], channel=None,
          event: str = "", offset: int | None = None, send_date=None, **_ignored):
    """An unsaved message to preview: what a person typed, before it is saved."""
    from tminus.comms.models import Message

    if offset is not None:
        send_date = date_at(release.go_live, offset)
    return Message(release=release, subject=subject or "", body=body or "",
                   audience=audience or [], channel=channel, event=event or "",
                   send_date=send_date)


def _empty_builtins(message, recipient, custom: dict) -> list[str]:
    # A built-in placeholder may be empty (no goal written yet); say so, but it does not block.
    values = message_values(message, recipient, custom)
    used = placeholders_in(message.subject) + placeholders_in(message.body)
    return [f"{{{name}}} is empty for this release ({BUILTIN_PLACEHOLDERS[name].lower()})."
            for name in dict.fromkeys(used)
            if name in BUILTIN_PLACEHOLDERS and name not in custom and values.get(name) == ""]


def preview(message) -> Preview:
    """The message as its first recipient would get it, what is wrong or missing, and who it
    would go to. `message` may be unsaved."""
    if message.channel_id:
        return _channel_preview(message)
    audience, problems = audience_normalize(message.audience)
    resolution = audience_resolve(message.release, audience)
    first = resolution.recipients[0] if resolution.recipients else Recipient("", "")
    result = _rendered_preview(message, first, "Email")
    result.errors += [f"Audience: {problem}" for problem in problems]
    result.recipients, result.skipped = resolution.recipients, resolution.skipped
    if not resolution.recipients:
        result.warnings.append("Nobody to send to yet: the audience has no one with an email "
                               "address.")
    return result


def _channel_preview(message) -> Preview:
    channel = message.channel
    result = _rendered_preview(message, None, f"{channel.get_kind_display()}: {channel.name}")
    if not channel.enabled:
        result.warnings.append(f"The channel {channel.name} is disabled.")
    return result


def _rendered_preview(message, recipient, channel_label: str) -> Preview:
    custom = custom_values(message.release)
    subject, body = message_render(message, recipient, custom)
    result = Preview(subject.text, body.text, channel=channel_label)
    for label, rendered in (("Subject", subject), ("Body", body)):
        result.errors += [f"{label}: {error}" for error in rendered.errors]
        result.warnings += [f"{label}: {gap}" for gap in rendered.gaps]
    result.warnings += _empty_builtins(message, recipient, custom)
    return result

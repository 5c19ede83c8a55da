"""The communication plan a new release gets from its template.

A saved template may carry its own plan under `definition["comms"]`: a list of
`{"template": "pre-launch" | "subject": ..., "body": ..., "at": "T-14d", "time": "09:00" |
"event": "deployment.started", "audience": [...], "channel": "email"}`. Otherwise the release
type's default plan is used (builtin_messages.DEFAULT_PLANS).
"""

from datetime import time

from tminus.comms.audience import audience_normalize
from tminus.comms.builtin_messages import DEFAULT_PLANS, DEFAULT_VALUES, TEMPLATES
from tminus.comms.choices import Trigger
from tminus.comms.models import DEFAULT_SEND_TIME, Channel, Message, PlaceholderValue
from tminus.comms.placeholders import placeholders_in
from tminus.core.errors import ValidationFailed
from tminus.core.events import EVENTS
from tminus.core.offsets import date_at, parse_offset


def comms_template_apply(release, definition: dict) -> None:
    """Create the release's messages and the placeholder values their templates need."""
    specs = definition.get("comms")
    if specs is None:
        specs = DEFAULT_PLANS.get(definition.get("release_type") or release.release_type, [])
    messages = [_message(release, order, spec) for order, spec in enumerate(specs)]
    used = set()
    for message in messages:
        used.update(placeholders_in(message.subject) + placeholders_in(message.body))
    PlaceholderValue.objects.bulk_create(
        PlaceholderValue(release=release, key=key, value=_default_value(release, key))
        for key in sorted(used & set(DEFAULT_VALUES))
    )
    Message.objects.bulk_create(messages)


def _default_value(release, key: str) -> str:
    if key == "team_name":
        return f"The {release.product.name} team"
    return DEFAULT_VALUES[key]


def _message(release, order: int, spec: dict) -> Message:
    text = TEMPLATES.get(spec.get("template", ""), {})
    subject, body = spec.get("subject") or text.get("subject"), spec.get("body") or text.get("body")
    if not subject or not body:
        raise ValidationFailed({"comms": f"Message {order + 1} of the template's plan needs a "
                                         f"known template or a subject and a body."})
    audience, errors = audience_normalize(spec.get("audience", []))
    if errors:
        raise ValidationFailed({"comms": errors})
    message = Message(release=release, order=order, template_key=spec.get("template", ""),
                      name=spec.get("name") or text.get("name") or subject[:200],
                      subject=subject, body=body, audience=audience,
                      channel=_channel(spec.get("channel")))
    if spec.get("event"):
        if spec["event"] not in EVENTS:
            raise ValidationFailed({"comms": f"Unknown event {spec['event']!r}."})
        message.trigger, message.event = Trigger.EVENT, spec["event"]
        return message
    try:
        offset = parse_offset(spec.get("at", ""))
        send_time = time.fromisoformat(spec["time"]) if spec.get("time") else DEFAULT_SEND_TIME
    except ValueError as error:
        raise ValidationFailed({"comms": str(error)}) from None
    message.trigger, message.send_offset, message.send_time = Trigger.TIME, offset, send_time
    message.send_date = date_at(release.go_live, offset)
    return message


def _channel(key: str | None) -> Channel | None:
    if not key or key == "email":
        return None
    channel = Channel.objects.filter(key=key).first()
    if channel is None:
        raise ValidationFailed({"comms": f"The template's plan names channel {key!r}, which "
                                         f"does not exist."})
    return channel

"""Plain dicts of messages, deliveries and channels for the API. Secrets never appear."""

from tminus.comms.choices import EMAIL
from tminus.comms.content import Preview
from tminus.comms.selectors import MessageView
from tminus.core.outbound import masked_url


def delivery_dict(delivery, *, show_reply: bool = False) -> dict:
    """A delivery; what the server answered only for those who may see it (admins): a webhook's
    reply can carry whatever sits behind its address."""
    message = delivery.message
    return {
        "id": delivery.pk,
        "purpose": delivery.purpose,
        "message_id": delivery.message_id,
        "release": message.release.key if message is not None else None,
        "kind": delivery.kind,
        "recipient": delivery.recipient,
        "recipient_name": delivery.recipient_name,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "max_attempts": delivery.max_attempts,
        "next_attempt_at": delivery.next_attempt_at,
        "sent_at": delivery.sent_at,
        "response": delivery.response if show_reply else "",
        "last_error": delivery.last_error,
        "subject": delivery.subject,
    }


def message_dict(view: MessageView, *, show_reply: bool = False) -> dict:
    message = view.message
    return {
        "id": message.pk,
        "name": message.name,
        "template": message.template_key,
        "subject": message.subject,
        "body": message.body,
        "channel": message.channel.key if message.channel_id else EMAIL,
        "audience": message.audience,
        "audience_labels": view.audience,
        "trigger": message.trigger,
        "event": message.event,
        "offset": message.send_offset,
        "send_date": message.send_date,
        "send_time": message.send_time.strftime("%H:%M"),
        "due_at": view.due_at,
        "status": message.status,
        "state": view.state,
        "state_label": view.state_label,
        "problem": message.problem,
        "released_at": message.released_at,
        "revision": message.revision,
        "deliveries": [_message_delivery(d, message, show_reply) for d in view.deliveries],
    }


def _message_delivery(delivery, message, show_reply: bool) -> dict:
    delivery.message = message  # already loaded: no query per delivery
    return delivery_dict(delivery, show_reply=show_reply)


def preview_dict(preview: Preview) -> dict:
    return {
        "subject": preview.subject,
        "body": preview.body,
        "channel": preview.channel,
        "errors": preview.errors,
        "warnings": preview.warnings,
        "recipients": [{"address": r.address, "name": r.name} for r in preview.recipients],
        "skipped": preview.skipped,
    }


def channel_url(channel, *, reveal: bool) -> str:
    """A webhook URL is a credential: whole for admins, scheme and host for everyone else."""
    return channel.url if reveal else masked_url(channel.url)


def channel_dict(channel, *, reveal: bool = False) -> dict:
    return {
        "id": channel.pk,
        "key": channel.key,
        "name": channel.name,
        "kind": channel.kind,
        "url": channel_url(channel, reveal=reveal),
        "enabled": channel.enabled,
        "signed": channel.has_secret,
        "secret_hint": f"…{channel.secret_hint}" if channel.secret_hint else "",
        "revision": channel.revision,
    }

"""Reads of communication plans and deliveries. Lists run a fixed number of queries."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from django.apps import apps
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from tminus.comms import timing
from tminus.comms.audience import audience_labels
from tminus.comms.choices import DeliveryStatus, MessageStatus, Trigger
from tminus.comms.models import Channel, Delivery, Message, PlaceholderValue
from tminus.core.errors import NotFound
from tminus.core.events import EVENTS
from tminus.core.offsets import format_offset

_STATE_CSS = {"sent": "status-live", "failed": "status-rolled_back",
              "sending": "status-deploying", "missed": "status-deploying",
              "cancelled": "status-closed"}


@dataclass
class MessageView:
    message: Message
    deliveries: list[Delivery] = field(default_factory=list)
    state: str = ""
    state_label: str = ""
    due_at: datetime | None = None
    audience: list[str] = field(default_factory=list)
    counts: dict = field(default_factory=dict)

    @property
    def when(self) -> str:
        message = self.message
        if message.trigger == Trigger.EVENT:
            return f"On: {EVENTS.get(message.event, message.event)}"
        offset = format_offset(message.send_offset)
        moment = self.due_at.strftime("%a %Y-%m-%d %H:%M") if self.due_at else "no date yet"
        return f"{offset} · {moment}" if offset else moment

    @property
    def state_css(self) -> str:
        """A status pill colour the shared stylesheet already has."""
        return _STATE_CSS.get(self.state, "")

    @property
    def can_edit(self) -> bool:
        return self.message.status in (MessageStatus.SCHEDULED, MessageStatus.FAILED)


def _state(message: Message, deliveries: list[Delivery], now: datetime) -> tuple[str, str]:
    if message.status == MessageStatus.CANCELLED:
        return "cancelled", "Cancelled"
    if message.status == MessageStatus.FAILED:
        return "failed", f"Could not be sent: {message.problem}"
    if message.status == MessageStatus.RELEASED:
        return _released_state(deliveries)
    if message.trigger == Trigger.EVENT:
        return "waiting", f"Waiting for: {EVENTS.get(message.event, message.event)}"
    if message.send_date is None:
        return "waiting", "Waiting for a go-live date"
    if timing.is_missed(message, now):
        return "missed", "Missed: its time passed before it could go out (send it now?)"
    return "scheduled", "Scheduled"


def _released_state(deliveries: list[Delivery]) -> tuple[str, str]:
    counts = Counter(d.status for d in deliveries)
    total = len(deliveries)
    if counts[DeliveryStatus.FAILED]:
        return "failed", f"{counts[DeliveryStatus.FAILED]} of {total} failed"
    if counts[DeliveryStatus.PENDING] or counts[DeliveryStatus.SENDING]:
        return "sending", f"Sending: {counts[DeliveryStatus.SENT]} of {total} sent"
    return "sent", f"Sent to {total}"


def _people_names(messages: list[Message]) -> dict[int, str]:
    ids = {int(entry.split(":", 1)[1]) for m in messages for entry in m.audience
           if entry.startswith("person:")}
    if not ids:
        return {}
    person = apps.get_model("people", "Person")
    return dict(person.objects.filter(pk__in=ids).values_list("pk", "name"))


def _view(message: Message, now: datetime, people: dict[int, str]) -> MessageView:
    deliveries = list(message.deliveries.all())
    state, label = _state(message, deliveries, now)
    return MessageView(
        message=message, deliveries=deliveries, state=state, state_label=label,
        due_at=timing.due_at(message) if message.trigger == Trigger.TIME else None,
        audience=audience_labels(message.audience, people),
        counts=dict(Counter(d.status for d in deliveries)),
    )


def _messages() -> QuerySet[Message]:
    return Message.objects.select_related("channel").prefetch_related(
        Prefetch("deliveries", queryset=Delivery.objects.select_related("channel"))
    )


def plan(release, now: datetime | None = None) -> list[MessageView]:
    """The release's messages in sending order (event messages last), each with its deliveries
    and status."""
    now = now or timezone.now()
    messages = list(_messages().filter(release=release))
    for message in messages:
        message.release = release  # already loaded: no query per message
    people = _people_names(messages)
    views = [_view(message, now, people) for message in messages]
    return sorted(views, key=lambda v: (v.message.trigger == Trigger.EVENT, v.due_at is None,
                                        v.due_at.timestamp() if v.due_at else 0,
                                        v.message.order, v.message.pk))


def message_view(message_id: int, release=None) -> MessageView:
    """One message with its deliveries, or NotFound."""
    query = _messages().select_related("release__product", "release__owner")
    if release is not None:
        query = query.filter(release=release)
    message = query.filter(pk=message_id).first()
    if message is None:
        raise NotFound(f"No message {message_id}" + (f" in {release.key}." if release else "."))
    return _view(message, timezone.now(), _people_names([message]))


def placeholder_values(release) -> dict[str, str]:
    return dict(PlaceholderValue.objects.filter(release=release).values_list("key", "value"))


def channels() -> QuerySet[Channel]:
    return Channel.objects.order_by("name")


def channel_get(channel_id: int) -> Channel:
    channel = Channel.objects.filter(pk=channel_id).first()
    if channel is None:
        raise NotFound(f"No channel {channel_id}.")
    return channel


def outbox(*, status: str = "", purpose: str = "", release: str = "",
           limit: int = 200) -> QuerySet[Delivery]:
    """The newest deliveries of every release and every reminder, filtered as asked."""
    rows = Delivery.objects.select_related("message__release", "channel", "user").order_by("-id")
    if status:
        rows = rows.filter(status=status)
    if purpose:
        rows = rows.filter(purpose=purpose)
    if release:
        rows = rows.filter(message__release__key=release)
    return rows[:limit]


def delivery_get(delivery_id: int) -> Delivery:
    delivery = (Delivery.objects.select_related("message__release", "channel")
                .filter(pk=delivery_id).first())
    if delivery is None:
        raise NotFound(f"No delivery {delivery_id}.")
    return delivery


def plan_summary(release) -> dict:
    """For the release page: counts by state, the next messages, and any failures."""
    views = plan(release)
    states = Counter(view.state for view in views)
    upcoming = [v for v in views if v.state in ("scheduled", "waiting")][:3]
    return {"views": views, "states": dict(states), "upcoming": upcoming,
            "failed": [v for v in views if v.state == "failed"], "total": len(views)}

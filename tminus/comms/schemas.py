"""API shapes for the communication plan."""

from datetime import date, datetime

from ninja import Schema

from tminus.core.schemas import LocalTime


class MessageIn(Schema):
    template: str = ""
    name: str = ""
    subject: str = ""
    body: str = ""
    channel: str = "email"
    audience: list[str] = []
    at: str = ""
    send_date: date | None = None
    send_time: LocalTime | None = None
    event: str = ""


class MessagePatch(Schema):
    revision: int | None = None
    name: str | None = None
    subject: str | None = None
    body: str | None = None
    channel: str | None = None
    audience: list[str] | None = None
    at: str | None = None
    send_date: date | None = None
    send_time: LocalTime | None = None
    event: str | None = None


class DeliveryOut(Schema):
    id: int
    purpose: str
    message_id: int | None
    release: str | None
    kind: str
    recipient: str
    recipient_name: str
    status: str
    attempts: int
    max_attempts: int
    next_attempt_at: datetime
    sent_at: datetime | None
    response: str
    last_error: str
    subject: str


class MessageOut(Schema):
    id: int
    name: str
    template: str
    subject: str
    body: str
    channel: str
    audience: list[str]
    audience_labels: list[str]
    trigger: str
    event: str
    offset: int | None
    send_date: date | None
    send_time: str
    due_at: datetime | None
    status: str
    state: str
    state_label: str
    problem: str
    released_at: datetime | None
    revision: int
    deliveries: list[DeliveryOut]


class RecipientOut(Schema):
    address: str
    name: str


class PreviewOut(Schema):
    subject: str
    body: str
    channel: str
    errors: list[str]
    warnings: list[str]
    recipients: list[RecipientOut]
    skipped: list[str]


class SendNowOut(Schema):
    deliveries: int
    message: MessageOut


class PlaceholdersOut(Schema):
    builtin: dict[str, str]
    values: dict[str, str]


class PlaceholdersIn(Schema):
    values: dict[str, str]


class MessageTemplateOut(Schema):
    key: str
    name: str
    subject: str
    body: str


class ChannelIn(Schema):
    name: str
    kind: str
    url: str
    key: str = ""
    secret: str = ""
    generate_secret: bool = False
    enabled: bool = True


class ChannelPatch(Schema):
    revision: int | None = None
    name: str | None = None
    kind: str | None = None
    url: str | None = None
    enabled: bool | None = None
    secret: str | None = None
    generate_secret: bool | None = None
    clear_secret: bool | None = None


class ChannelOut(Schema):
    id: int
    key: str
    name: str
    kind: str
    url: str
    enabled: bool
    signed: bool
    secret_hint: str
    revision: int


class ChannelCreated(ChannelOut):
    secret: str = ""  # only when T-Minus generated it; shown this once


class OutboxFilter(Schema):
    status: str = ""
    purpose: str = ""
    release: str = ""


class FlagSubscriptionIn(Schema):
    channel: str = ""
    email: str = ""
    project: str = ""
    environment: str = ""


class FlagSubscriptionOut(Schema):
    id: int
    channel: str
    email: str
    project: str
    environment: str

"""JSON endpoints for communication plans, previews, deliveries and channels."""

from ninja import Query, Router, Status

from tminus.accounts.permissions import actor_can
from tminus.accounts.roles import ADMINISTER, MANAGE, VIEW
from tminus.comms import delivery, flag_changes, presenters, selectors, services
from tminus.comms.builtin_messages import TEMPLATES
from tminus.comms.choices import Trigger
from tminus.comms.content import draft, preview
from tminus.comms.placeholders import BUILTIN_PLACEHOLDERS
from tminus.comms.schemas import (
    ChannelCreated,
    ChannelIn,
    ChannelOut,
    ChannelPatch,
    DeliveryOut,
    FlagSubscriptionIn,
    FlagSubscriptionOut,
    MessageIn,
    MessageOut,
    MessagePatch,
    MessageTemplateOut,
    OutboxFilter,
    PlaceholdersIn,
    PlaceholdersOut,
    PreviewOut,
    SendNowOut,
)
from tminus.core.actors import Actor
from tminus.core.api import api_actor, edit_revision
from tminus.core.errors import ValidationFailed
from tminus.core.offsets import parse_offset
from tminus.core.schemas import ErrorOut
from tminus.releases.selectors import release_get

router = Router(tags=["communication"])


def timing_from(values: dict) -> dict:
    """Service arguments for when a message goes out, from `at` / `send_date` / `event`."""
    timing = {}
    at, event = values.pop("at", None), values.pop("event", None)
    if event:
        timing.update(trigger=Trigger.EVENT, event=event)
    elif at:
        try:
            timing.update(trigger=Trigger.TIME, offset=parse_offset(at))
        except ValueError as error:
            raise ValidationFailed({"at": str(error)}) from None
    elif values.get("send_date"):
        timing["trigger"] = Trigger.TIME
    for field in ("send_date", "send_time"):
        if values.get(field) is not None:
            timing[field] = values.pop(field)
        values.pop(field, None)
    return timing


def _message_fields(data: MessageIn) -> dict:
    values = data.dict()
    template = values.pop("template")
    if template:
        starter = services.template_message_fields(template)
        values["name"] = values["name"] or starter["name"]
        values["subject"] = values["subject"] or starter["subject"]
        values["body"] = values["body"] or starter["body"]
        values["template_key"] = template
    timing = timing_from(values)
    return {**values, **timing}


def _admin(request) -> bool:
    """Whether the caller may see webhook URLs and what servers answered."""
    return actor_can(Actor.api(request), ADMINISTER)


def _out(message_id: int, request) -> dict:
    return presenters.message_dict(selectors.message_view(message_id),
                                   show_reply=_admin(request))


@router.get("/message-templates", response=list[MessageTemplateOut])
def template_list(request):
    api_actor(request, VIEW)
    return [{"key": key, **{f: t[f] for f in ("name", "subject", "body")}}
            for key, t in TEMPLATES.items()]


@router.get("/releases/{key}/messages", response=list[MessageOut])
def message_list(request, key: str):
    api_actor(request, VIEW)
    return [presenters.message_dict(view, show_reply=_admin(request))
            for view in selectors.plan(release_get(key))]


@router.post("/releases/{key}/messages", response={201: MessageOut})
def message_create(request, key: str, data: MessageIn):
    actor = api_actor(request, MANAGE)
    message = services.message_create(release=release_get(key), actor=actor,
                                      **_message_fields(data))
    return Status(201, _out(message.pk, request))


@router.post("/releases/{key}/messages/preview",
             response={200: PreviewOut, 422: PreviewOut | ErrorOut})
def message_preview_unsaved(request, key: str, data: MessageIn):
    """Render a message that is not saved yet; 422 when its text has mistakes."""
    api_actor(request, VIEW)
    release = release_get(key)
    fields = _message_fields(data)
    fields["channel"] = services.channel_by_key(fields["channel"])
    unsaved = draft(release, **fields)
    result = preview(unsaved)
    return Status(200 if result.ok else 422, presenters.preview_dict(result))


@router.get("/messages/{message_id}", response=MessageOut)
def message_detail(request, message_id: int):
    api_actor(request, VIEW)
    return _out(message_id, request)


@router.get("/messages/{message_id}/preview", response=PreviewOut)
def message_preview(request, message_id: int):
    api_actor(request, VIEW)
    return presenters.preview_dict(preview(services.message_get(message_id)))


@router.patch("/messages/{message_id}", response=MessageOut)
def message_update(request, message_id: int, data: MessagePatch):
    actor = api_actor(request, MANAGE)
    changes = data.dict(exclude_unset=True)
    revision = edit_revision(request, changes.pop("revision", None))
    changes.update(timing_from(changes))
    services.message_update(message=services.message_get(message_id), revision=revision,
                            changes=changes, actor=actor)
    return _out(message_id, request)


@router.post("/messages/{message_id}/cancel", response=MessageOut)
def message_cancel(request, message_id: int):
    actor = api_actor(request, MANAGE)
    services.message_cancel(message=services.message_get(message_id), actor=actor)
    return _out(message_id, request)


@router.post("/messages/{message_id}/send-now", response=SendNowOut)
def message_send_now(request, message_id: int):
    actor = api_actor(request, MANAGE)
    count = services.message_send_now(message=services.message_get(message_id), actor=actor)
    return {"deliveries": count, "message": _out(message_id, request)}


@router.get("/releases/{key}/placeholders", response=PlaceholdersOut)
def placeholder_list(request, key: str):
    api_actor(request, VIEW)
    return {"builtin": BUILTIN_PLACEHOLDERS,
            "values": selectors.placeholder_values(release_get(key))}


@router.put("/releases/{key}/placeholders", response=PlaceholdersOut)
def placeholder_set(request, key: str, data: PlaceholdersIn):
    actor = api_actor(request, MANAGE)
    values = services.placeholder_values_set(release=release_get(key), values=data.values,
                                             actor=actor)
    return {"builtin": BUILTIN_PLACEHOLDERS, "values": values}


@router.get("/deliveries", response=list[DeliveryOut])
def delivery_list(request, filters: Query[OutboxFilter]):
    api_actor(request, VIEW)
    return [presenters.delivery_dict(row, show_reply=_admin(request))
            for row in selectors.outbox(**filters.dict())]


@router.post("/deliveries/{delivery_id}/retry", response=DeliveryOut)
def delivery_retry(request, delivery_id: int):
    actor = api_actor(request, MANAGE)
    retried = delivery.delivery_retry(delivery=selectors.delivery_get(delivery_id), actor=actor)
    return presenters.delivery_dict(selectors.delivery_get(retried.pk),
                                    show_reply=_admin(request))


@router.get("/channels", response=list[ChannelOut])
def channel_list(request):
    api_actor(request, VIEW)
    return [presenters.channel_dict(channel, reveal=_admin(request))
            for channel in selectors.channels()]


@router.post("/channels", response={201: ChannelCreated})
def channel_create(request, data: ChannelIn):
    actor = api_actor(request, ADMINISTER)
    channel, secret = services.channel_create(actor=actor, **data.dict())
    return Status(201, {**presenters.channel_dict(channel, reveal=True), "secret": secret})


@router.patch("/channels/{channel_id}", response=ChannelCreated)
def channel_update(request, channel_id: int, data: ChannelPatch):
    actor = api_actor(request, ADMINISTER)
    changes = data.dict(exclude_unset=True)
    revision = edit_revision(request, changes.pop("revision", None))
    channel, secret = services.channel_update(channel=selectors.channel_get(channel_id),
                                              revision=revision, changes=changes, actor=actor)
    return {**presenters.channel_dict(channel, reveal=True), "secret": secret}


def _subscription_dict(subscription) -> dict:
    return {"id": subscription.pk, "channel": subscription.channel.key if subscription.channel_id
            else "", "email": subscription.email, "project": subscription.project,
            "environment": subscription.environment}


@router.get("/flag-subscriptions", response=list[FlagSubscriptionOut])
def flag_subscription_list(request):
    """Who receives flag changes: channels and email addresses, per project/environment."""
    api_actor(request, VIEW)
    return [_subscription_dict(s) for s in flag_changes.flag_subscriptions()]


@router.post("/flag-subscriptions", response={201: FlagSubscriptionOut})
def flag_subscription_create(request, data: FlagSubscriptionIn):
    """Send flag changes to a channel (`channel`: its key) or an address (`email`); empty
    `project`/`environment` mean every one."""
    actor = api_actor(request, MANAGE)
    subscription = flag_changes.flag_subscription_create(actor=actor, **data.dict())
    return Status(201, _subscription_dict(subscription))


@router.delete("/flag-subscriptions/{subscription_id}", response={204: None})
def flag_subscription_delete(request, subscription_id: int):
    actor = api_actor(request, MANAGE)
    flag_changes.flag_subscription_delete(subscription_id=subscription_id, actor=actor)
    return Status(204, None)

"""Sending: releasing due messages into deliveries, and each delivery's claim, send and outcome.

Exactly once, with several workers:
- A message is released by one conditional UPDATE (scheduled -> released) in the transaction
  that creates its deliveries; only the worker whose update counts 1 goes on.
- A delivery has a unique dedupe_key (message + address), and each attempt a job whose
  dedupe_key names the delivery, its retry round and its attempt number.
- Sending starts with a conditional UPDATE (pending -> sending, with a claim token and a lease),
  committed before anything goes out; of two workers exactly one sees its update count 1.
- The outcome is written only under that claim token. A worker that dies mid-send leaves its
  delivery `sending`; once the lease runs out the sweep marks it failed ("may or may not have
  arrived") rather than sending it a second time. A person can retry it.
"""

import hashlib
import json
import logging
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tminus.accounts.permissions import require
from tminus.accounts.roles import MANAGE
from tminus.audit.services import audit_record
from tminus.comms import timing
from tminus.comms.audience import Recipient, audience_resolve
from tminus.comms.choices import DeliveryStatus, MessageStatus, Trigger
from tminus.comms.content import message_render, release_url, sending_day
from tminus.comms.models import Delivery, Message
from tminus.comms.signing import SecretUnreadable, secret_decrypt
from tminus.comms.transports import Outgoing, SendFailed, email_send, slack_post, webhook_post
from tminus.core.actors import Actor
from tminus.core.errors import TransitionNotAllowed
from tminus.releases.choices import ReleaseStatus
from tminus.worker.services import job_enqueue

log = logging.getLogger(__name__)
JOB_KIND = "comms.deliver"
SENDABLE_STATUSES = (MessageStatus.SCHEDULED, MessageStatus.FAILED)


# --- releasing messages -------------------------------------------------------------------

def messages_release_due(now: datetime | None = None) -> int:
    """Release every time-triggered message whose moment has come; returns how many."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    earliest = today - timedelta(days=timing.missed_after().days + 1)
    candidates = (
        Message.objects.filter(status=MessageStatus.SCHEDULED, trigger=Trigger.TIME,
                               send_date__range=(earliest, today))
        .exclude(release__status=ReleaseStatus.CANCELLED)
        .select_related("release__product", "release__owner", "channel")
    )
    released = 0
    for message in candidates:
        if timing.is_due(message, now):
            released += bool(message_release(message, actor=Actor.worker(), now=now))
    return released


def event_messages_release(*, event: str, release, payload: dict, actor: Actor) -> int:
    """Release the release's messages waiting for this event (the first time it happens)."""
    waiting = Message.objects.filter(release=release, trigger=Trigger.EVENT, event=event,
                                     status=MessageStatus.SCHEDULED).select_related("channel")
    released = 0
    for message in waiting:
        Message.objects.filter(pk=message.pk).update(event_payload=_jsonable(payload))
        message.event_payload = _jsonable(payload)
        released += bool(message_release(message, actor=actor))
    return released


def _jsonable(payload: dict) -> dict:
    # Event payloads may hold dates or model ids; keep what JSON can hold, stringify the rest.
    return json.loads(json.dumps(payload or {}, cls=DjangoJSONEncoder, default=str))


@transaction.atomic
def message_release(message: Message, *, actor: Actor, now: datetime | None = None,
                    by_hand: bool = False) -> int:
    """Turn a message into one delivery per recipient (or one for its channel) and queue them.

    Returns the number of deliveries; 0 when another worker released it first or when its
    audience has nobody to send to (then the message is marked failed with the reason).
    """
    now = now or timezone.now()
    statuses = SENDABLE_STATUSES if by_hand else (MessageStatus.SCHEDULED,)
    # The revision moves too, so an edit made from the copy before release gets a conflict.
    won = Message.objects.filter(pk=message.pk, status__in=statuses).update(
        status=MessageStatus.RELEASED, released_at=now, problem="",
        revision=F("revision") + 1)
    if not won:
        if by_hand:
            raise TransitionNotAllowed("This message has already gone out or was cancelled.")
        return 0
    message.refresh_from_db()
    recipients, problem = _recipients(message)
    if problem:
        Message.objects.filter(pk=message.pk).update(status=MessageStatus.FAILED,
                                                     problem=problem)
        audit_record(actor=actor, action="message.release_failed", obj=message,
                     release_id=message.release_id, after={"problem": problem})
        return 0
    for recipient in recipients:
        delivery = Delivery.objects.create(
            dedupe_key=_dedupe_key(message, recipient), message=message,
            channel=message.channel, user_id=recipient.user_id, recipient=recipient.address,
            recipient_name=recipient.name, next_attempt_at=now,
            max_attempts=settings.COMMS_MAX_ATTEMPTS,
        )
        delivery_enqueue(delivery)
    audit_record(actor=actor, action="message.release", obj=message,
                 release_id=message.release_id,
                 after={"status": MessageStatus.RELEASED, "deliveries": len(recipients),
                        "by_hand": by_hand})
    return len(recipients)


def _recipients(message: Message) -> tuple[list[Recipient], str]:
    if message.channel_id:
        return [Recipient(message.channel.name, "")], ""
    resolution = audience_resolve(message.release, message.audience)
    if not resolution.recipients:
        skipped = f" ({'; '.join(resolution.skipped)})" if resolution.skipped else ""
        return [], f"Nobody to send to: the audience has no one with an email address{skipped}."
    return resolution.recipients, ""


def _dedupe_key(message: Message, recipient: Recipient) -> str:
    address = recipient.address.lower()
    if len(address) > 150:
        address = hashlib.sha256(address.encode()).hexdigest()
    return f"message:{message.pk}:{address}"


def delivery_enqueue(delivery: Delivery):
    """Queue the job for a delivery's next attempt; asking twice for the same attempt queues
    it once (the job's key names the delivery, its retry round and the attempts made)."""
    return job_enqueue(kind=JOB_KIND, payload={"delivery_id": delivery.pk},
                       run_at=delivery.next_attempt_at, max_attempts=3,
                       dedupe_key=f"{JOB_KIND}:{delivery.pk}:{delivery.round}:"
                                  f"{delivery.attempts}")


# --- sending one delivery -----------------------------------------------------------------

def delivery_send(delivery_id: int, *, now: datetime | None = None) -> str:
    """Send one delivery if this caller wins its claim; returns what happened.

    Must run outside a transaction: the claim has to be committed before anything goes out.
    """
    token = uuid.uuid4().hex
    now = now or timezone.now()
    won = Delivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
    ).update(status=DeliveryStatus.SENDING, claim_token=token, attempts=F("attempts") + 1,
             lease_until=now + timedelta(seconds=settings.WORKER_LEASE_SECONDS))
    if not won:
        return "not claimed"
    delivery = Delivery.objects.select_related(
        "message__release__product", "message__release__owner", "message__channel", "channel"
    ).get(pk=delivery_id)
    try:
        subject, body = _content(delivery)
        answer = _transmit(delivery, subject, body)
    except SendFailed as failure:
        return _record_failure(delivery, token, failure.message, permanent=failure.permanent,
                               reply=failure.reply)
    except Exception as error:  # a bug must not leave the delivery stuck in `sending`
        log.exception("delivery %s failed unexpectedly", delivery_id)
        return _record_failure(delivery, token, f"{type(error).__name__}: {error}",
                               permanent=False)
    Delivery.objects.filter(pk=delivery_id, claim_token=token).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now(), response=answer[:2000],
        subject=subject[:300], body=body, last_error="", lease_until=None,
    )
    return "sent"


def _content(delivery: Delivery) -> tuple[str, str]:
    if delivery.message_id is None:  # reminders and flag changes are written when queued
        return delivery.subject, delivery.body
    recipient = None if delivery.channel_id else Recipient(delivery.recipient,
                                                           delivery.recipient_name)
    subject, body = message_render(delivery.message, recipient)
    problems = subject.errors + subject.gaps + body.errors + body.gaps
    if problems:
        raise SendFailed("Cannot be sent as written: " + " ".join(problems), permanent=True)
    return subject.text, body.text


def _transmit(delivery: Delivery, subject: str, body: str) -> str:
    outgoing = Outgoing(delivery.pk, subject, body, delivery.recipient)
    channel = delivery.channel
    if channel is None:
        return email_send(outgoing)
    if not channel.enabled:
        raise SendFailed(f"The channel {channel.name} is disabled.", permanent=True)
    if channel.kind == "slack":
        return slack_post(channel.url, outgoing)
    try:
        secret = secret_decrypt(channel.secret_encrypted) if channel.secret_encrypted else None
    except SecretUnreadable as error:
        raise SendFailed(str(error), permanent=True) from None
    payload = (webhook_payload(delivery, subject, body) if delivery.message_id
               else {**delivery.payload, "delivery_id": delivery.pk,
                     "attempt": delivery.attempts})
    return webhook_post(channel.url, payload, secret)


def webhook_payload(delivery: Delivery, subject: str, body: str) -> dict:
    """What a JSON webhook receives: the message as sent and the release it belongs to."""
    message = delivery.message
    release = message.release
    return {
        "type": "tminus.message",
        "delivery_id": delivery.pk,
        "attempt": delivery.attempts,
        "message": {"id": message.pk, "name": message.name, "subject": subject, "body": body,
                    "trigger": message.trigger, "event": message.event,
                    "event_payload": message.event_payload,
                    "send_date": sending_day(message).isoformat()},
        "release": {"key": release.key, "name": release.name, "version": release.version,
                    "product": release.product.key, "product_name": release.product.name,
                    "status": release.status,
                    "go_live": release.go_live.isoformat() if release.go_live else None,
                    "url": release_url(release)},
    }


def backoff(attempts_made: int) -> timedelta:
    """Wait before the next try: TMINUS_COMMS_RETRY_SECONDS, doubling with every attempt."""
    return timedelta(seconds=settings.COMMS_RETRY_SECONDS * 2 ** max(attempts_made - 1, 0))


def _record_failure(delivery: Delivery, token: str, error: str, *, permanent: bool,
                    reply: str = "") -> str:
    now = timezone.now()
    attempts = delivery.attempts
    outcome = {"last_error": error[:4000], "response": reply[:2000], "lease_until": None}
    if permanent or attempts >= delivery.max_attempts:
        Delivery.objects.filter(pk=delivery.pk, claim_token=token).update(
            status=DeliveryStatus.FAILED, **outcome)
        return "failed"
    next_at = now + backoff(attempts)
    updated = Delivery.objects.filter(pk=delivery.pk, claim_token=token).update(
        status=DeliveryStatus.PENDING, next_attempt_at=next_at, **outcome)
    if updated:
        delivery.next_attempt_at = next_at
        delivery_enqueue(delivery)
    return "retrying"


# --- upkeep and retries -------------------------------------------------------------------

def deliveries_sweep_stale(now: datetime | None = None) -> int:
    """Mark deliveries whose sender died mid-send (lease over) as failed, never resend them."""
    now = now or timezone.now()
    return Delivery.objects.filter(status=DeliveryStatus.SENDING, lease_until__lt=now).update(
        status=DeliveryStatus.FAILED, lease_until=None,
        last_error="The worker stopped while sending this; it may or may not have arrived. "
                   "Retry it if it did not.",
    )


def deliveries_enqueue_due(now: datetime | None = None) -> int:
    """Make sure every pending delivery that is due has its job (idempotent safety net)."""
    now = now or timezone.now()
    due = Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
    queued = 0
    for row in due.only("pk", "round", "attempts", "next_attempt_at"):
        queued += bool(delivery_enqueue(row))
    return queued


@transaction.atomic
def delivery_retry(*, delivery: Delivery, actor: Actor) -> Delivery:
    """Try a failed delivery again from the start (a person asked for it)."""
    require(actor, MANAGE)
    now = timezone.now()
    won = Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.FAILED).update(
        status=DeliveryStatus.PENDING, attempts=0, round=F("round") + 1, next_attempt_at=now,
        claim_token="")
    if not won:
        raise TransitionNotAllowed("Only a failed delivery can be retried.")
    delivery.refresh_from_db()
    delivery_enqueue(delivery)
    release_id = delivery.message.release_id if delivery.message_id else None
    audit_record(actor=actor, action="delivery.retry", obj=delivery, release_id=release_id,
                 before={"status": DeliveryStatus.FAILED, "last_error": delivery.last_error},
                 after={"status": DeliveryStatus.PENDING, "round": delivery.round})
    return delivery


def send_due_round() -> dict:
    """One round of sending, right now in this process (the `tminus comms send-due` command)."""
    released = messages_release_due()
    stale = deliveries_sweep_stale()
    now = timezone.now()
    due = list(Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
               .values_list("pk", flat=True))
    outcomes: dict[str, int] = {}
    for delivery_id in due:
        outcome = delivery_send(delivery_id)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return {"released": released, "stale": stale, **outcomes}

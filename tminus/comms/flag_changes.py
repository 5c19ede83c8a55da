"""Flag changes delivered to channels and email addresses that subscribed to them.

Every audited flag change (see tminus.flags.changes) becomes one delivery per matching
subscription, created in the transaction of the change: a change that is rolled back sends
nothing, and a committed one is sent by the worker with the usual retries. The delivery's
dedupe_key names the audit entry and the subscription, so a change is delivered once.
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from tminus.accounts.permissions import require
from tminus.accounts.roles import MANAGE
from tminus.audit.models import AuditEvent
from tminus.audit.services import audit_record
from tminus.comms.choices import EMAIL, DeliveryPurpose
from tminus.comms.delivery import delivery_enqueue
from tminus.comms.models import Delivery, FlagSubscription
from tminus.comms.services import channel_by_key
from tminus.core.actors import Actor
from tminus.core.errors import NotFound, ValidationFailed
from tminus.flags import changes

SUBSCRIPTION_FIELDS = ["channel", "email", "project", "environment"]


def flag_change_deliver(event: AuditEvent) -> int:
    """Queue a delivery of this flag change for every subscription it matches."""
    if not changes.is_flag_change(event):
        return 0
    matching = [subscription for subscription in
                FlagSubscription.objects.select_related("channel")
                if subscription.matches(event.project, event.environment)]
    if not matching:
        return 0
    subject, body = f"T-Minus flags: {changes.summary(event)}"[:300], changes.body(event)
    payload = changes.payload(event)
    now = timezone.now()
    for subscription in matching:
        delivery = Delivery.objects.create(
            dedupe_key=f"flag_change:{event.pk}:{subscription.pk}",
            purpose=DeliveryPurpose.FLAG_CHANGE, channel=subscription.channel,
            recipient=subscription.email or subscription.channel.name, subject=subject,
            body=body, payload=payload, next_attempt_at=now,
            max_attempts=settings.COMMS_MAX_ATTEMPTS)
        delivery_enqueue(delivery)
    return len(matching)


def _subscription_state(subscription: FlagSubscription) -> dict:
    return {"channel": subscription.channel.key if subscription.channel_id else EMAIL,
            "email": subscription.email, "project": subscription.project,
            "environment": subscription.environment}


@transaction.atomic
def flag_subscription_create(*, actor: Actor, channel: str = "", email: str = "",
                             project: str = "", environment: str = "") -> FlagSubscription:
    """Send flag changes (of one project/environment, or all) to a channel or an address."""
    require(actor, MANAGE)
    from tminus.flags.models import Environment, Project

    email, project, environment = (email or "").strip(), (project or "").strip(), (
        environment or "").strip()
    errors = {}
    found = None
    try:
        found = channel_by_key(channel or None)
    except ValidationFailed as error:
        errors.update(error.errors)
    if found is None and not email and "channel" not in errors:
        errors["email"] = "Name a channel, or an email address to send flag changes to."
    elif found is not None and email:
        errors["email"] = "Choose a channel or an email address, not both."
    elif email and "@" not in email:
        errors["email"] = f"{email!r} is not an email address."
    if project and not Project.objects.filter(key=project).exists():
        errors["project"] = f"No flag project {project!r}."
    if environment and not Environment.objects.filter(
            key=environment, **({"project__key": project} if project else {})).exists():
        errors["environment"] = f"No environment {environment!r}" + (
            f" in {project}." if project else ".")
    if errors:
        raise ValidationFailed(errors)
    subscription = FlagSubscription.objects.create(channel=found, email=email, project=project,
                                                   environment=environment)
    audit_record(actor=actor, action="flag_subscription.create", obj=subscription,
                 after=_subscription_state(subscription))
    return subscription


@transaction.atomic
def flag_subscription_delete(*, subscription_id: int, actor: Actor) -> None:
    """Stop sending flag changes to a subscriber."""
    require(actor, MANAGE)
    subscription = FlagSubscription.objects.filter(pk=subscription_id).first()
    if subscription is None:
        raise NotFound(f"No flag-change subscription {subscription_id}.")
    before = _subscription_state(subscription)
    audit_record(actor=actor, action="flag_subscription.delete", obj=subscription,
                 before=before)
    subscription.delete()


def flag_subscriptions():
    return FlagSubscription.objects.select_related("channel")


def stale_flag_reminders_send(*, now=None) -> int:
    """Queue this week's reminder to every owner of live flags that are potentially stale,
    unused or marked for cleanup; at most one per owner per ISO week. Returns how many."""
    from tminus.flags.lifecycle import lifecycle_rows
    from tminus.flags.models import Flag

    now = now or timezone.now()
    year, week, _ = timezone.localdate(now).isocalendar()
    flags = (Flag.objects.filter(archived_at__isnull=True, owner__is_active=True)
             .exclude(owner__email="").select_related("owner", "project").order_by("owner_id"))
    by_owner: dict = {}
    for flag, row in zip(flags, lifecycle_rows(flags, now), strict=True):
        if row["unused"] or row["potentially_stale"] or row["stage"] == "cleanup":
            by_owner.setdefault(flag.owner, []).append(row)
    queued = 0
    for owner, rows in by_owner.items():
        subject, body = _stale_digest(owner, rows)
        try:
            with transaction.atomic():
                delivery = Delivery.objects.create(
                    dedupe_key=f"flag_stale:{owner.pk}:{year}-W{week:02d}",
                    purpose=DeliveryPurpose.FLAG_REMINDER, user=owner, recipient=owner.email,
                    recipient_name=str(owner), subject=subject, body=body, next_attempt_at=now,
                    max_attempts=settings.COMMS_MAX_ATTEMPTS)
                delivery_enqueue(delivery)
        except IntegrityError:
            continue  # this week's reminder for this owner already exists
        queued += 1
    return queued


def _stale_digest(owner, rows: list[dict]) -> tuple[str, str]:
    subject = f"T-Minus: {len(rows)} of your feature flag{'s' if len(rows) > 1 else ''} " \
              "can probably go"
    lines = [f"Hello {owner},", "", "These flags are yours and look ready to be removed:", ""]
    for row in rows:
        why = []
        if row["unused"]:
            last = row["last_evaluated"]
            why.append(f"no evaluation since {last:%Y-%m-%d}" if last
                       else "never evaluated by an SDK")
        if row["potentially_stale"]:
            why.append("older than its type's expected lifetime")
        if row["stage"] == "cleanup":
            why.append("marked for cleanup")
        lines.append(f"  - {row['project']}/{row['flag']} ({row['stage']}): {', '.join(why)}")
    lines += ["", "Remove them from the code, then archive them in T-Minus. You get this at most "
              "once a week while you own such flags."]
    return subject, "\n".join(lines) + "\n"

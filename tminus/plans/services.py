"""Every write of the plans area: importing plans (preview, commit) and calendar feeds."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from tminus.accounts.permissions import require
from tminus.accounts.roles import MANAGE, VIEW
from tminus.audit.services import audit_record, snapshot
from tminus.core.actors import Actor
from tminus.core.errors import NotFound, ValidationFailed
from tminus.core.keys import make_key
from tminus.plans import decoding, document, reading
from tminus.plans.applying import apply_spec
from tminus.plans.codefile import load_plan_file
from tminus.plans.models import CalendarFeed, PendingImport
from tminus.plans.overview import overview
from tminus.releases import services as release_services
from tminus.releases.models import Product

CODE_SUFFIXES = (".yaml", ".yml", ".json")
DEFAULT_PRODUCT = ("imported", "Imported plans")
FEED_PREFIX = "tmcal_"
PLAN_WORDS = ("release", "plan", "launch", "go-live", "go live", "rollout", "roll-out", "deploy",
              "milestone", "phase", "checklist", "scope", "sprint", "roadmap", "cutover")


@dataclass
class ImportOutcome:
    release_key: str
    created: bool
    report: dict


class _DryRun(Exception):
    def __init__(self, outcome: ImportOutcome):
        super().__init__("dry run")
        self.outcome = outcome


# ---- reading a source ---------------------------------------------------------------------------

def _is_code(source_name: str, text: str) -> bool:
    if source_name.lower().endswith(CODE_SUFFIXES):
        return True
    head = text.lstrip()[:200]
    return head.startswith("{") or head.startswith(f"format: {reading.SPEC_FORMAT}")


def _load_code(text: str, source_name: str) -> tuple[dict, str]:
    as_json = source_name.lower().endswith(".json") or text.lstrip().startswith("{")
    return load_plan_file(text, as_json=as_json), "json" if as_json else "yaml"


def _looks_like_plan(draft: reading.Draft, text: str) -> bool:
    spec = draft.spec
    if any(value for key, value in spec.items() if key not in ("format", "release")):
        return True
    if set(spec["release"]) - {"name"}:
        return True
    headings = [line.lower() for line in text.splitlines() if line.lstrip().startswith("#")]
    return any(word in heading for heading in headings for word in PLAN_WORDS)


# ---- importing -----------------------------------------------------------------------------------

def _product(product_key: str, spec: dict, actor: Actor) -> tuple[Product, bool]:
    wanted = product_key or (spec.get("release") or {}).get("product") or DEFAULT_PRODUCT[0]
    key = make_key(wanted)[:40]
    product = Product.objects.filter(key=key).first()
    if product is not None:
        return product, False
    name = DEFAULT_PRODUCT[1] if key == DEFAULT_PRODUCT[0] else str(wanted)
    return release_services.product_create(key=key, name=name, actor=actor), True


def _decode(data) -> decoding.DecodedText:
    try:
        return decoding.decode_document(data)
    except decoding.UnreadableDocument as error:
        raise ValidationFailed({"file": str(error)}) from None


def _import(*, data, source_name: str, product_key: str, release_key: str, actor: Actor,
            today: date, leave_out: tuple[str, ...] = ()) -> ImportOutcome:
    decoded = _decode(data)
    text = decoded.text
    warnings = [{"line": None, "message": message} for message in decoded.warnings]
    draft = None
    if _is_code(source_name, text):
        spec, source_format = _load_code(text, source_name)
    else:
        draft = reading.read_plan(text, today=today)
        if not _looks_like_plan(draft, text):
            raise ValidationFailed({"file": "Nothing in this file looks like a release plan: no "
                                            "headings, checklists, dates or release fields."})
        spec, source_format = draft.spec, "markdown"
        warnings += draft.warnings
    for part in leave_out:
        spec[part] = []
    product, product_created = _product(product_key, spec, actor)
    if draft is not None and not release_key:
        release_key = _imported_before(product, spec)
    try:
        context = apply_spec(spec=spec, product=product, actor=actor, key=release_key)
    except (TypeError, AttributeError, KeyError) as error:
        if draft is not None:
            raise
        # A plan file whose parts pass the shape check but hold values an area cannot take.
        raise ValidationFailed({"file": f"The plan file is not in the shape the importer "
                                        f"reads ({type(error).__name__}: {error}); compare it "
                                        "with `tminus export KEY --format yaml`."}) from None
    release = context.release
    if draft is not None:
        blocks = document.resolve_blocks(draft.blocks, context.records, release=release)
        document.document_save(release=release, blocks=blocks, source_name=source_name,
                               source_text=text, title=draft.title,
                               plan_name=spec["release"].get("name", ""),
                               warnings=warnings + context.warnings, user=_user(actor))
    created = not context.prune
    audit_record(actor=actor, action="plan.import", obj=release, release_id=release.pk,
                 after={"source": source_name, "format": source_format, "created": created,
                        "changes": len(context.changes)})
    report = {
        "source": source_name, "format": source_format,
        "release": {"key": release.key, "name": release.name, "product": product.key,
                    "created": created, "product_created": product_created},
        "lines": draft.report if draft is not None else [],
        "changes": context.changes,
        "warnings": warnings + context.warnings,
        "summary": _summary(spec, draft),
        "records": overview(spec),
    }
    return ImportOutcome(release_key=release.key, created=created, report=report)


def _imported_before(product: Product, spec: dict) -> str:
    """The key of the release an earlier import of this document (same product, same release
    name in the document) created, so that importing it again updates that release."""
    from django.db.models import Q

    from tminus.plans.models import PlanDocument

    name = (spec.get("release") or {}).get("name") or ""
    if not name:
        return ""
    found = (PlanDocument.objects.filter(release__product=product,
                                         origin=PlanDocument.Origin.IMPORT)
             .filter(Q(plan_name=name) | Q(plan_name="", release__name=name))
             .order_by("-release_id").values_list("release__key", flat=True).first())
    return found or ""


def _user(actor: Actor):
    return actor.user if getattr(actor.user, "pk", None) else None


def _summary(spec: dict, draft) -> dict:
    counts = {}
    for key, value in spec.items():
        if isinstance(value, list) and value:
            counts[key] = len(value)
    items = sum(_count_items(section.get("items", [])) for section in spec.get("checklists", []))
    if items:
        counts["checklist items"] = items
    if draft is not None:
        counts["kept notes"] = sum(1 for line in draft.report if line["kind"] == "note")
    return counts


def _count_items(items: list) -> int:
    return sum(1 + _count_items(item.get("children", [])) for item in items)


def plan_import(*, data, source_name: str = "", product_key: str = "", release_key: str = "",
                actor: Actor, today: date | None = None,
                leave_out: tuple[str, ...] = ()) -> ImportOutcome:
    """Import a Markdown plan or a plan file (YAML/JSON): create or update a release, in one
    transaction; bad input is refused and creates nothing. `leave_out` names parts (mapper
    keys, such as "roadmap") the import does not apply."""
    require(actor, MANAGE)
    with transaction.atomic():
        return _import(data=data, source_name=source_name, product_key=product_key,
                       release_key=release_key, actor=actor,
                       today=today or timezone.localdate(), leave_out=leave_out)


def _dry_run(**kwargs) -> ImportOutcome:
    try:
        with transaction.atomic():
            raise _DryRun(_import(**kwargs))
    except _DryRun as dry:
        return dry.outcome


@transaction.atomic
def plan_import_preview(*, data, source_name: str = "", product_key: str = "",
                        release_key: str = "", actor: Actor,
                        today: date | None = None) -> PendingImport:
    """Read and apply a plan without keeping anything but the report, to commit later."""
    require(actor, MANAGE)
    decoded = _decode(data)
    outcome = _dry_run(data=decoded.text, source_name=source_name, product_key=product_key,
                       release_key=release_key, actor=actor,
                       today=today or timezone.localdate())
    outcome.report["warnings"] = [{"line": None, "message": m} for m in decoded.warnings] + [
        w for w in outcome.report["warnings"] if w["message"] not in decoded.warnings]
    pending = PendingImport.objects.create(
        source_name=source_name[:255], source_text=decoded.text, product_key=product_key[:40],
        release_key=release_key[:80], report=outcome.report, created_by=_user(actor))
    audit_record(actor=actor, action="plan.import_preview", obj=pending,
                 after={"source": source_name, "release": outcome.release_key})
    return pending


@transaction.atomic
def plan_import_commit(*, pending: PendingImport, actor: Actor,
                       today: date | None = None) -> ImportOutcome:
    """Commit a previewed import; a pending import is committed at most once."""
    require(actor, MANAGE)
    pending = PendingImport.objects.select_for_update().get(pk=pending.pk)
    if pending.state != PendingImport.State.PENDING:
        raise ValidationFailed({"import": f"This import is already {pending.state}."})
    outcome = _import(data=pending.source_text, source_name=pending.source_name,
                      product_key=pending.product_key, release_key=pending.release_key,
                      actor=actor, today=today or timezone.localdate())
    pending.state = PendingImport.State.COMMITTED
    pending.committed_at = timezone.now()
    pending.release_id = _release_id(outcome.release_key)
    pending.report = outcome.report
    pending.save(update_fields=["state", "committed_at", "release", "report"])
    return outcome


def _release_id(key: str) -> int | None:
    from tminus.releases.models import Release

    return Release.objects.filter(key=key).values_list("pk", flat=True).first()


@transaction.atomic
def plan_import_discard(*, pending: PendingImport, actor: Actor) -> PendingImport:
    """Drop a previewed import that nobody wants to commit."""
    require(actor, MANAGE)
    if pending.state != PendingImport.State.PENDING:
        raise ValidationFailed({"import": f"This import is already {pending.state}."})
    pending.state = PendingImport.State.DISCARDED
    pending.save(update_fields=["state"])
    audit_record(actor=actor, action="plan.import_discard", obj=pending,
                 after={"state": pending.state})
    return pending


# ---- calendar feeds --------------------------------------------------------------------------

def hash_feed_token(secret: str) -> str:
    """Feed secrets are long random strings, so one fast hash keeps them unreadable."""
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def calendar_feed_create(*, actor: Actor, product: Product | None = None, user=None,
                         name: str = "") -> tuple[CalendarFeed, str]:
    """A secret calendar URL for a product or a person; the secret is returned once."""
    require(actor, VIEW)
    if (product is None) == (user is None):
        raise ValidationFailed({"subject": "A calendar feed is for one product or one person."})
    if user is not None and actor.user is not None and user != actor.user:
        require(actor, MANAGE)
    secret = FEED_PREFIX + secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(
        product=product, user=user, name=name[:100], prefix=secret[:12],
        token_hash=hash_feed_token(secret), created_by=_user(actor))
    audit_record(actor=actor, action="calendar_feed.create", obj=feed,
                 after=snapshot(feed, ["product", "user", "name", "prefix"]))
    return feed, secret


@transaction.atomic
def calendar_feed_revoke(*, feed: CalendarFeed, actor: Actor) -> CalendarFeed:
    """Revoke a feed: its URL answers 404 from now on."""
    require(actor, VIEW)
    own = actor.user is not None and feed.created_by_id == getattr(actor.user, "pk", None)
    if not own:
        require(actor, MANAGE)
    if feed.revoked_at is None:
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="calendar_feed.revoke", obj=feed,
                     after={"revoked_at": feed.revoked_at})
    return feed


def calendar_feed_by_secret(secret: str) -> CalendarFeed:
    """The active feed a secret opens, noting its use; NotFound otherwise."""
    if not secret or not secret.startswith(FEED_PREFIX):
        raise NotFound("No such calendar.")
    feed = (CalendarFeed.objects.select_related("product", "user")
            .filter(token_hash=hash_feed_token(secret), revoked_at__isnull=True).first())
    if feed is None:
        raise NotFound("No such calendar.")
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=timezone.now())
    return feed

"""JSON endpoints: import a plan (preview, commit), export a release, calendar feeds."""

import base64
import binascii

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Router, Status

from tminus.accounts.models import User
from tminus.accounts.roles import MANAGE, VIEW
from tminus.core.api import api_actor
from tminus.core.errors import ValidationFailed
from tminus.plans import exporting, selectors, services
from tminus.plans.models import CalendarFeed, PendingImport
from tminus.plans.schemas import FeedIn, FeedOut, ImportIn, ImportOut
from tminus.releases import selectors as release_selectors
from tminus.releases.models import Product

router = Router(tags=["plan documents"])


def _content(data: ImportIn) -> bytes | str:
    if data.content_base64 is not None:
        try:
            return base64.b64decode(data.content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise ValidationFailed({"content_base64": "Not valid base64."}) from None
    if data.content is None:
        raise ValidationFailed({"content": "Send the plan as content (text) or content_base64."})
    return data.content


def _pending_out(pending: PendingImport) -> dict:
    return {"id": pending.pk, "state": pending.state,
            "release_key": pending.report.get("release", {}).get("key", ""),
            "report": pending.report}


@router.post("/imports", response={200: ImportOut, 201: ImportOut})
def import_create(request, data: ImportIn):
    """Preview an import (default), or import at once with commit=true."""
    actor = api_actor(request, MANAGE)
    content = _content(data)
    if data.commit:
        outcome = services.plan_import(data=content, source_name=data.filename,
                                       product_key=data.product, release_key=data.key,
                                       actor=actor)
        return Status(201, {"id": None, "state": "committed",
                            "release_key": outcome.release_key, "report": outcome.report})
    pending = services.plan_import_preview(data=content, source_name=data.filename,
                                           product_key=data.product, release_key=data.key,
                                           actor=actor)
    return Status(200, _pending_out(pending))


@router.get("/imports/{import_id}", response=ImportOut)
def import_detail(request, import_id: int):
    api_actor(request, MANAGE)
    return _pending_out(get_object_or_404(PendingImport, pk=import_id))


@router.post("/imports/{import_id}/commit", response={201: ImportOut})
def import_commit(request, import_id: int):
    actor = api_actor(request, MANAGE)
    pending = get_object_or_404(PendingImport, pk=import_id)
    outcome = services.plan_import_commit(pending=pending, actor=actor)
    return Status(201, {"id": pending.pk, "state": "committed",
                        "release_key": outcome.release_key, "report": outcome.report})


@router.post("/imports/{import_id}/discard", response=ImportOut)
def import_discard(request, import_id: int):
    actor = api_actor(request, MANAGE)
    pending = services.plan_import_discard(pending=get_object_or_404(PendingImport, pk=import_id),
                                           actor=actor)
    return _pending_out(pending)


@router.get("/releases/{key}/export")
def release_export(request, key: str, format: str = "md"):
    """The release as md, json, yaml, ics or html."""
    api_actor(request, VIEW)
    if format not in exporting.FORMATS:
        raise ValidationFailed({"format": f"Unknown format {format!r}; use one of "
                                          f"{', '.join(exporting.FORMATS)}."})
    release = release_selectors.release_get(key)
    return HttpResponse(exporting.export(release, format),
                        content_type=f"{exporting.FORMATS[format]}; charset=utf-8")


def _feed_out(request, feed: CalendarFeed, secret: str | None = None) -> dict:
    url = None
    if secret:
        url = request.build_absolute_uri(reverse("plans-calendar-feed", args=[secret]))
    return {"id": feed.pk, "product": feed.product.key if feed.product_id else None,
            "user": feed.user.username if feed.user_id else None, "name": feed.name,
            "prefix": feed.prefix, "created_at": feed.created_at,
            "last_used_at": feed.last_used_at, "revoked_at": feed.revoked_at, "url": url}


@router.get("/calendar-feeds", response=list[FeedOut])
def feed_list(request):
    actor = api_actor(request, VIEW)
    return [_feed_out(request, feed) for feed in selectors.feeds_for(actor.user)]


@router.post("/calendar-feeds", response={201: FeedOut})
def feed_create(request, data: FeedIn):
    """A feed for a product, or for a person (yourself unless you manage releases)."""
    actor = api_actor(request, VIEW)
    product = user = None
    if data.product:
        product = Product.objects.filter(key=data.product).first()
        if product is None:
            raise ValidationFailed({"product": f"No product with key {data.product!r}."})
    elif data.user:
        user = User.objects.filter(username=data.user, is_active=True).first()
        if user is None:
            raise ValidationFailed({"user": f"No user named {data.user!r}."})
    else:
        user = actor.user
    feed, secret = services.calendar_feed_create(product=product, user=user, name=data.name,
                                                 actor=actor)
    return Status(201, _feed_out(request, feed, secret))


@router.delete("/calendar-feeds/{feed_id}", response=FeedOut)
def feed_revoke(request, feed_id: int):
    actor = api_actor(request, VIEW)
    feed = services.calendar_feed_revoke(feed=get_object_or_404(CalendarFeed, pk=feed_id),
                                         actor=actor)
    return _feed_out(request, feed)

"""Pages for importing plans (upload, preview, commit), exports and calendar feeds."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tminus.accounts.roles import MANAGE, VIEW
from tminus.core.actors import Actor
from tminus.core.csp import allow_style
from tminus.core.errors import NotFound, ServiceError
from tminus.core.web import add_service_errors, flash_service_error, role_required
from tminus.plans import calendar, exporting, forms, selectors, services
from tminus.plans.models import CalendarFeed, PendingImport
from tminus.plans.printable import PRINTABLE_CSS
from tminus.releases.lookups import release_or_404


@role_required(MANAGE)
def import_upload(request):
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pending = services.plan_import_preview(
                data=data["file"].read(), source_name=data["file"].name,
                product_key=data["product"], release_key=data["key"], actor=Actor.web(request))
        except ServiceError as error:
            add_service_errors(form, error)
        else:
            return redirect("plans-import-detail", pk=pending.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "plans/import.html",
                  {"form": form, "recent": selectors.recent_imports()}, status=status)


@role_required(MANAGE)
def import_detail(request, pk: int):
    pending = get_object_or_404(PendingImport, pk=pk)
    return render(request, "plans/import_detail.html",
                  {"pending": pending, "report": pending.report,
                   "groups": selectors.report_groups(pending.report)})


@require_POST
@role_required(MANAGE)
def import_commit(request, pk: int):
    pending = get_object_or_404(PendingImport, pk=pk)
    try:
        outcome = services.plan_import_commit(pending=pending, actor=Actor.web(request))
    except ServiceError as error:
        flash_service_error(request, error)
        return redirect("plans-import-detail", pk=pk)
    verb = "created" if outcome.created else "updated"
    messages.success(request, f"Release {outcome.release_key} {verb} from the plan.")
    return redirect("release-detail", key=outcome.release_key)


@require_POST
@role_required(MANAGE)
def import_discard(request, pk: int):
    pending = get_object_or_404(PendingImport, pk=pk)
    try:
        services.plan_import_discard(pending=pending, actor=Actor.web(request))
    except ServiceError as error:
        flash_service_error(request, error)
    return redirect("plans-import")


@role_required(VIEW)
@allow_style(PRINTABLE_CSS)
def export_download(request, key: str, fmt: str):
    release = release_or_404(key)
    if fmt not in exporting.FORMATS:
        raise Http404(f"No export format {fmt!r}.")
    response = HttpResponse(exporting.export(release, fmt),
                            content_type=f"{exporting.FORMATS[fmt]}; charset=utf-8")
    if fmt != "html":
        response["Content-Disposition"] = f'attachment; filename="{release.key}.{fmt}"'
    return response


@role_required(VIEW)
def feed_list(request):
    form = forms.FeedForm()
    return render(request, "plans/calendars.html",
                  {"form": form, "feeds": selectors.feeds_for(request.user),
                   "new_url": request.session.pop("plans_new_feed_url", "")})


@require_POST
@role_required(VIEW)
def feed_create(request):
    form = forms.FeedForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a product or your own work.")
        return redirect("plans-calendars")
    product = form.cleaned_data["product"]
    try:
        _feed, secret = services.calendar_feed_create(
            product=product, user=None if product else request.user,
            name=form.cleaned_data["name"], actor=Actor.web(request))
    except ServiceError as error:
        flash_service_error(request, error)
        return redirect("plans-calendars")
    # Shown once on the next page, like an API token; only its hash is stored.
    request.session["plans_new_feed_url"] = request.build_absolute_uri(
        reverse("plans-calendar-feed", args=[secret]))
    return redirect("plans-calendars")


@require_POST
@role_required(VIEW)
def feed_revoke(request, pk: int):
    feed = get_object_or_404(CalendarFeed, pk=pk)
    try:
        services.calendar_feed_revoke(feed=feed, actor=Actor.web(request))
    except ServiceError as error:
        flash_service_error(request, error)
    else:
        messages.success(request, "Calendar feed revoked; its URL no longer works.")
    return redirect("plans-calendars")


def feed_ics(request, secret: str):
    """The feed itself: the secret in the URL is the permission (calendar apps cannot sign in)."""
    try:
        feed = services.calendar_feed_by_secret(secret)
    except NotFound:
        raise Http404("No such calendar.") from None
    if feed.product_id:
        text = calendar.product_calendar(feed.product)
    else:
        text = calendar.person_calendar(feed.user)
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response

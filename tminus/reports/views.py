"""Release notes, reports and dashboards. Thin: parse, call a service or selector, render."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tminus.accounts.roles import CONTRIBUTE, MANAGE, VIEW
from tminus.audit.models import AuditEvent
from tminus.core.actors import Actor
from tminus.core.errors import ServiceError
from tminus.core.web import flash_service_error, posted_revision, role_required
from tminus.outcomes.measure import VERDICT_LABELS
from tminus.releases.lookups import release_or_404
from tminus.releases.models import Product
from tminus.reports import calendar, exports, selectors, services
from tminus.reports.notes import notes_html, notes_html_document


def _download(content: str, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@role_required(VIEW)
def release_notes(request, key):
    release = release_or_404(key)
    notes = selectors.notes_of(release)
    edits = AuditEvent.objects.filter(release_id=release.pk,
                                      action__startswith="release_notes.")[:20]
    return render(request, "reports/release_notes.html", {
        "release": release, "notes": notes, "html": notes_html(notes.body) if notes else "",
        "edits": edits,
    })


def _back_to_notes(release):
    return redirect("reports-release-notes", key=release.key)


@require_POST
@role_required(CONTRIBUTE)
def notes_generate(request, key):
    release = release_or_404(key)
    try:
        services.release_notes_generate(release=release, revision=posted_revision(request),
                                        actor=Actor.web(request))
    except ServiceError as error:
        flash_service_error(request, error)
    else:
        messages.success(request, "Release notes drafted from the scope.")
    return _back_to_notes(release)


@require_POST
@role_required(CONTRIBUTE)
def notes_save(request, key):
    release = release_or_404(key)
    notes = selectors.notes_of(release)
    if notes is None:
        messages.error(request, "Draft the notes first.")
        return _back_to_notes(release)
    try:
        services.release_notes_update(notes=notes, body=request.POST.get("body", ""),
                                      revision=posted_revision(request), actor=Actor.web(request))
    except ServiceError as error:
        flash_service_error(request, error)
    else:
        messages.success(request, "Release notes saved.")
    return _back_to_notes(release)


@require_POST
@role_required(MANAGE)
def notes_send(request, key):
    release = release_or_404(key)
    notes = selectors.notes_of(release)
    if notes is None:
        messages.error(request, "Draft the notes first.")
        return _back_to_notes(release)
    audience = [part for part in request.POST.get("audience", "").replace(";", ",").split(",")]
    try:
        services.release_notes_send(notes=notes, audience=audience,
                                    subject=request.POST.get("subject", ""),
                                    actor=Actor.web(request))
    except ServiceError as error:
        flash_service_error(request, error)
    else:
        messages.success(request, "Release notes handed to the communication plan.")
    return _back_to_notes(release)


@role_required(VIEW)
def notes_markdown(request, key):
    release = release_or_404(key)
    notes = selectors.notes_of(release)
    if notes is None:
        return HttpResponse("No release notes yet.", status=404, content_type="text/plain")
    return _download(notes.body, f"{release.key}-release-notes.md", "text/markdown")


@role_required(VIEW)
def notes_html_file(request, key):
    release = release_or_404(key)
    notes = selectors.notes_of(release)
    if notes is None:
        return HttpResponse("No release notes yet.", status=404, content_type="text/plain")
    return _download(notes_html_document(release, notes.body),
                     f"{release.key}-release-notes.html", "text/html")


@role_required(VIEW)
def status_report(request, key):
    report = selectors.status_report(release_or_404(key))
    return render(request, "reports/status_report.html", {**report, "labels": VERDICT_LABELS})


@role_required(VIEW)
def status_report_markdown(request, key):
    release = release_or_404(key)
    markdown = exports.status_report_markdown(selectors.status_report(release))
    return _download(markdown, f"{release.key}-status-report.md", "text/markdown")


def _week(request):
    try:
        return selectors.week_of(request.GET.get("week")), ""
    except ValueError as error:
        return selectors.week_of(None), str(error)


@role_required(VIEW)
def weekly_report(request):
    monday, error = _week(request)
    if error:
        messages.error(request, f"{error} Showing this week.")
    report = selectors.weekly_report(monday)
    return render(request, "reports/weekly_report.html", {**report, "labels": VERDICT_LABELS})


@role_required(VIEW)
def weekly_report_markdown(request):
    monday, error = _week(request)
    if error:
        return HttpResponse(error, status=422, content_type="text/plain")
    report = selectors.weekly_report(monday)
    return _download(exports.weekly_report_markdown(report),
                     f"weekly-report-{report['iso_week']}.md", "text/markdown")


@role_required(VIEW)
def at_risk(request):
    return render(request, "reports/at_risk.html", {"rows": selectors.releases_at_risk()})


@role_required(VIEW)
def my_items(request):
    return render(request, "reports/my_items.html",
                  {**selectors.my_items(request.user), "labels": VERDICT_LABELS})


@role_required(VIEW)
def release_calendar(request):
    """A month of go-lives, milestones, freeze windows and meetings across products."""
    try:
        first = calendar.month_of(request.GET.get("month"))
    except ValueError as error:
        messages.error(request, f"{error} Showing this month.")
        first = calendar.month_of(None)
    product = request.GET.get("product", "")
    return render(request, "reports/calendar.html",
                  {**calendar.month_calendar(first, product), "product": product,
                   "products": Product.objects.order_by("name")})


@role_required(VIEW)
def releases_timeline(request):
    product = request.GET.get("product", "")
    return render(request, "reports/timeline.html",
                  {"timeline": calendar.active_releases_timeline(product), "product": product,
                   "products": Product.objects.order_by("name")})

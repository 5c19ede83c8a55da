"""Pages for the portfolio, products and release plans. Thin: parse, call a service, render."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tminus.accounts.roles import CONTRIBUTE, MANAGE, VIEW
from tminus.audit.presenting import history_entries, kind_label
from tminus.audit.selectors import (
    audit_choices_for_release,
    audit_for_release,
    last_changed_by,
    recent_changes,
)
from tminus.core.actors import Actor
from tminus.core.errors import Conflict, ServiceError
from tminus.core.fragments import render_page
from tminus.core.web import (
    add_service_errors,
    flash_service_error,
    posted_revision,
    rebind_after_conflict,
    role_required,
)
from tminus.releases import forms, plan_views, selectors, services
from tminus.releases.lookups import release_or_404
from tminus.releases.models import (
    ChecklistItem,
    Holiday,
    Product,
    SavedFilter,
    ScopeItem,
    WorkingWeek,
)
from tminus.releases.panels import alerts_for, panels_for, tabs
from tminus.releases.workflow import allowed_targets, move_warning

PORTFOLIO_PAGE_SIZE = 50


@role_required(VIEW)
def portfolio(request):
    filters = forms.PortfolioFilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    releases = selectors.portfolio(
        product=getattr(chosen.get("product"), "key", ""),
        status=chosen.get("status", ""),
        owner=getattr(chosen.get("owner"), "username", ""),
    )
    page = Paginator(releases, PORTFOLIO_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.with_progress(page.object_list)
    for release in rows:
        release.t_minus_days = selectors.t_minus_days(release)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "releases/portfolio.html",
                  {"rows": rows, "filters": filters, "page": page, "query": query.urlencode(),
                   "saved_filters": SavedFilter.objects.filter(owner=request.user),
                   "filtered": any(request.GET.get(key) for key in services.SAVED_FILTER_KEYS)})


@require_POST
@role_required(VIEW)
def saved_filter_save(request):
    try:
        saved = services.saved_filter_save(name=request.POST.get("name", ""),
                                           query=request.POST, actor=Actor.web(request))
    except ServiceError as error:
        flash_service_error(request, error)
        return HttpResponseRedirect(reverse("portfolio") + "?" + _filter_query(request.POST))
    messages.success(request, f"Filter “{saved.name}” saved.")
    return HttpResponseRedirect(reverse("portfolio") + "?" + saved.query)


@require_POST
@role_required(VIEW)
def saved_filter_delete(request, pk):
    saved = get_object_or_404(SavedFilter, pk=pk, owner=request.user)
    services.saved_filter_delete(saved=saved, actor=Actor.web(request))
    messages.success(request, f"Filter “{saved.name}” deleted.")
    return redirect("portfolio")


def _filter_query(data) -> str:
    from urllib.parse import urlencode

    return urlencode({key: data[key] for key in services.SAVED_FILTER_KEYS if data.get(key)})


@role_required(VIEW)
def product_list(request):
    form = forms.ProductForm()
    return render(request, "releases/products.html",
                  {"products": selectors.products(), "form": form})


@require_POST
@role_required(MANAGE)
def product_create(request):
    form = forms.ProductForm(request.POST)
    if form.is_valid():
        try:
            product = services.product_create(actor=Actor.web(request), **form.cleaned_data)
        except ServiceError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Product {product.name} created.")
            return redirect("product-list")
    return render(request, "releases/products.html",
                  {"products": selectors.products(), "form": form}, status=422)


@role_required(MANAGE)
def release_create(request):
    form = forms.ReleaseCreateForm(request.POST or None,
                                   initial={"product": request.GET.get("product")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            release = services.release_create(
                product=data["product"], name=data["name"], version=data["version"],
                template_key=data["template"], go_live=data["go_live"], goal=data["goal"],
                owner=data["owner"], actor=Actor.web(request),
            )
        except ServiceError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Release {release.name} created.")
            return redirect("release-detail", key=release.key)
    status = 422 if request.method == "POST" else 200
    return render(request, "releases/release_form.html", {"form": form}, status=status)


@role_required(VIEW)
def release_detail(request, key):
    release = release_or_404(key)
    tab_list = tabs()
    tab = request.GET.get("tab", "plan")
    if tab not in dict(tab_list):
        tab = "plan"
    context = {
        "release": release,
        "t_minus": selectors.t_minus_days(release),
        "tabs": tab_list,
        "tab": tab,
        "panels": panels_for(request, release, tab),
        "alerts": alerts_for(release),
        "recent": recent_changes(release.pk),
        "schedule_form": forms.ScheduleForm(initial={"go_live": release.go_live,
                                                     "revision": release.revision}),
        "targets": [(to, forms.ReleaseStatus(to).label, move_warning(release.status, to))
                    for to in allowed_targets(release.status)],
    }
    if tab == "plan":
        context.update(_plan_tab(request, release))  # with the checklist counts
    else:
        context.update(plan_views.item_progress(release))
    if tab == "history":
        context.update(_history(request, release, limit=50))
    # The checklists come already encoded (tminus.core.fragments): render_page splices them in.
    return render_page(request, "releases/release_detail.html", context)


def _plan_tab(request, release) -> dict:
    return {**plan_views.timeline_context(request, release),
            **plan_views.scope_context(request, release),
            **plan_views.checklists_context(request, release)}


def _edit_initial(release) -> dict:
    return {"revision": release.revision, "name": release.name, "version": release.version,
            "release_type": release.release_type, "goal": release.goal,
            "owner": release.owner.username if release.owner else None}


@role_required(MANAGE)
def release_edit(request, key):
    release = release_or_404(key)
    form = forms.ReleaseEditForm(request.POST or None, initial=_edit_initial(release))
    if request.method == "POST" and form.is_valid():
        changes = dict(form.cleaned_data)
        revision = changes.pop("revision")
        try:
            services.release_update(release=release, revision=revision, changes=changes,
                                    actor=Actor.web(request))
        except Conflict as error:
            saved = release_or_404(key)
            form = rebind_after_conflict(form, error.current, _edit_initial(saved),
                                         who=last_changed_by(saved))
        except ServiceError as error:
            add_service_errors(form, error)
        else:
            return redirect("release-detail", key=release.key)
    status = 200
    if request.method == "POST" and (form.errors or getattr(form, "conflict", None)):
        status = 409 if getattr(form, "conflict", None) is not None else 422
    return render(request, "releases/release_edit.html", {"form": form, "release": release},
                  status=status)


def _back(release) -> HttpResponseRedirect:
    return redirect("release-detail", key=release.key)


@require_POST
@role_required(MANAGE)
def release_schedule(request, key):
    release = release_or_404(key)
    form = forms.ScheduleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter a valid go-live date.")
        return _back(release)
    try:
        moved = services.release_schedule_shift(
            release=release, go_live=form.cleaned_data["go_live"],
            revision=form.cleaned_data.get("revision"), reason=form.cleaned_data["reason"],
            actor=Actor.web(request))
    except ServiceError as error:
        flash_service_error(request, error)
    else:
        messages.success(request, f"Go-live moved to {release.go_live}; {moved} dates followed.")
    return _back(release)


@require_POST
@role_required(MANAGE)
def release_transition(request, key):
    release = release_or_404(key)
    form = forms.TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a status.")
        return _back(release)
    before = release.get_status_display()
    try:
        moved = services.release_transition(
            release=release, to_status=form.cleaned_data["status"],
            reason=form.cleaned_data["reason"], actor=Actor.web(request))
    except ServiceError as error:
        flash_service_error(request, error)
    else:
        messages.success(request, f"{moved.name} moved from {before} to "
                                  f"{moved.get_status_display()}.")
    return _back(release)


@require_POST
@role_required(CONTRIBUTE)
def checklist_item_status(request, key, item_id):
    release = release_or_404(key)
    item = get_object_or_404(ChecklistItem, pk=item_id, release=release)
    form = forms.ItemStatusForm(request.POST)
    if form.is_valid():
        try:
            services.checklist_item_update(item=item, revision=form.cleaned_data["revision"],
                                           changes={"status": form.cleaned_data["status"]},
                                           actor=Actor.web(request))
        except ServiceError as error:
            flash_service_error(request, error)
    return HttpResponseRedirect(reverse("release-detail", args=[key]) + f"#item-{item.pk}")


@require_POST
@role_required(CONTRIBUTE)
def scope_item_add(request, key):
    release = release_or_404(key)
    form = forms.ScopeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
        return _back(release)
    try:
        services.scope_item_add(release=release, actor=Actor.web(request), **form.cleaned_data)
    except ServiceError as error:
        flash_service_error(request, error)
    return _back(release)


@require_POST
@role_required(CONTRIBUTE)
def scope_item_status(request, key, item_id):
    release = release_or_404(key)
    item = get_object_or_404(ScopeItem, pk=item_id, release=release)
    status = request.POST.get("status", "")
    try:
        services.scope_item_update(item=item, revision=posted_revision(request),
                                   changes={"status": status},
                                   actor=Actor.web(request))
    except ServiceError as error:
        flash_service_error(request, error)
    return _back(release)


@role_required(VIEW)
def release_recent(request, key):
    """The recent-changes feed of the release page; it polls this and reloads after each edit."""
    release = release_or_404(key)
    return render(request, "releases/plan/recent.html",
                  {"recent": recent_changes(release.pk)})


@role_required(VIEW)
def release_history(request, key):
    release = release_or_404(key)
    return render(request, "releases/release_history.html",
                  {"release": release, **_history(request, release, limit=500)})


def _history(request, release, limit: int) -> dict:
    """The release's changes as a person reads them, filtered by kind of object and person."""
    kinds, people = audit_choices_for_release(release.pk)
    kind = request.GET.get("kind", "") if request.GET.get("kind") in kinds else ""
    who = request.GET.get("who", "") if request.GET.get("who") in people else ""
    events = audit_for_release(release.pk, limit=limit, kind=kind, actor_label=who)
    page = reverse("release-detail", args=[release.key])
    return {
        "history": history_entries(events, link_for=lambda event: _object_link(page, event)),
        "history_kinds": [(value, kind_label(value)) for value in kinds],
        "history_people": people,
        "history_kind": kind, "history_who": who,
    }


def _object_link(page: str, event) -> str:
    anchors = {"releases.checklistitem": "item", "releases.checklistsection": "section"}
    if event.object_type in anchors:
        return f"{page}#{anchors[event.object_type]}-{event.object_id}"
    return page if event.object_type == "releases.release" else ""


@role_required(VIEW)
def product_calendar(request, key):
    product = get_object_or_404(Product, key=key)
    return _calendar_page(request, product)


def _calendar_page(request, product, status=200, **forms_given):
    week = WorkingWeek.objects.filter(product=product).first()
    context = {
        "product": product,
        "week_form": forms_given.get("week_form") or forms.WorkingWeekForm(
            initial={"days": list(week.days if week else "12345")}),
        "holiday_form": forms_given.get("holiday_form") or forms.HolidayForm(),
        "import_form": forms_given.get("import_form") or forms.HolidayImportForm(),
        "holidays": list(product.holidays.all()),
    }
    return render(request, "releases/product_calendar.html", context, status=status)


@require_POST
@role_required(MANAGE)
def product_working_week(request, key):
    product = get_object_or_404(Product, key=key)
    form = forms.WorkingWeekForm(request.POST)
    if form.is_valid():
        try:
            services.working_week_set(product=product, days="".join(form.cleaned_data["days"]),
                                      actor=Actor.web(request))
        except ServiceError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Working week of {product.name} saved.")
            return redirect("product-calendar", key=product.key)
    return _calendar_page(request, product, status=422, week_form=form)


@require_POST
@role_required(MANAGE)
def product_holiday_add(request, key):
    product = get_object_or_404(Product, key=key)
    form = forms.HolidayForm(request.POST)
    if form.is_valid():
        try:
            services.holiday_add(product=product, on=form.cleaned_data["date"],
                                 name=form.cleaned_data["name"], actor=Actor.web(request))
        except ServiceError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{form.cleaned_data['date']} is now a holiday.")
            return redirect("product-calendar", key=product.key)
    return _calendar_page(request, product, status=422, holiday_form=form)


@require_POST
@role_required(MANAGE)
def product_holiday_remove(request, key, holiday_id):
    holiday = get_object_or_404(Holiday, pk=holiday_id, product__key=key)
    services.holiday_remove(holiday=holiday, actor=Actor.web(request))
    messages.success(request, f"{holiday.date} is a working day again.")
    return redirect("product-calendar", key=key)


@require_POST
@role_required(MANAGE)
def product_holidays_import(request, key):
    product = get_object_or_404(Product, key=key)
    form = forms.HolidayImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            added = services.holidays_import_ics(product=product,
                                                 data=form.cleaned_data["file"].read(),
                                                 actor=Actor.web(request))
        except ServiceError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{added} holiday{'s' if added != 1 else ''} imported.")
            return redirect("product-calendar", key=product.key)
    return _calendar_page(request, product, status=422, import_form=form)

"""Pages for KPIs and the post-launch review. Thin: parse, call a service, render."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from tminus.accounts.roles import CONTRIBUTE, MANAGE, VIEW
from tminus.core.actors import Actor
from tminus.core.errors import NotFound, ServiceError
from tminus.core.web import add_service_errors, flash_service_error, role_required
from tminus.outcomes import forms, selectors, services
from tminus.outcomes.chart import kpi_chart_svg
from tminus.outcomes.lookups import product_or_404
from tminus.outcomes.measure import VERDICT_LABELS, kpi_anchor, kpi_schedule_text
from tminus.outcomes.models import KpiCheckin, Lesson, ReviewQuestion, SignOff
from tminus.releases.forms import ItemStatusForm
from tminus.releases.lookups import release_or_404
from tminus.releases.models import ChecklistItem
from tminus.releases.selectors import checklists
from tminus.releases.services import checklist_item_update


def _kpi_create_values(data: dict) -> dict:
    return {"target": data["target"], "name": data["name"], "source": data["source"],
            "query": data["query"], "source_url": data["source_url"],
            "schedule": data["schedule"], "owner": data["owner"]}


def _kpi_page(request, release, form=None, status=200):
    views = selectors.release_kpis(release)
    context = {
        "release": release, "views": views, "labels": VERDICT_LABELS,
        "tables": selectors.checkin_tables(views),
        "cards": [(view, kpi_chart_svg(view, kpi_anchor(view.kpi))) for view in views],
        "form": form or forms.KpiForm(initial={"source": "manual"}),
    }
    return render(request, "outcomes/release_kpis.html", context, status=status)


@role_required(VIEW)
def release_kpis(request, key):
    return _kpi_page(request, release_or_404(key))


@require_POST
@role_required(MANAGE)
def kpi_add(request, key):
    release = release_or_404(key)
    form = forms.KpiForm(request.POST)
    if form.is_valid():
        try:
            kpi = services.kpi_create(release=release, actor=Actor.web(request),
                                      **_kpi_create_values(form.cleaned_data))
        except ServiceError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"KPI {kpi.name} added: {kpi.target_text}.")
            return redirect("outcomes-release-kpis", key=release.key)
    return _kpi_page(request, release, form=form, status=422)


@require_POST
@role_required(MANAGE)
def product_kpi_add(request, product):
    product = product_or_404(product)
    form = forms.KpiForm(request.POST, with_start=True)
    if form.is_valid():
        try:
            services.kpi_create(product=product, starts_on=form.cleaned_data.get("starts_on"),
                                actor=Actor.web(request), **_kpi_create_values(form.cleaned_data))
        except ServiceError as error:
            flash_service_error(request, error)
        else:
            messages.success(request, "Roadmap KPI added.")
    else:
        messages.error(request, "; ".join(f"{f}: {' '.join(e)}" for f, e in form.errors.items()))
    return redirect("roadmap-product", product=product.key)


def _open_slots(kpi, view) -> list:
    taken = {c.slot for c in view.checkins if c.slot and c.status == KpiCheckin.RECORDED}
    return [s for s in selectors.due_slots(kpi, timezone.now()) if s.key not in taken], taken


def _kpi_detail_context(kpi, check_form=None, edit_form=None):
    view = selectors.kpi_view(kpi, kpi.checkins.all())
    open_slots, taken = _open_slots(kpi, view)
    suggested = selectors.open_slot(kpi, taken)
    edit_initial = {"revision": kpi.revision, "target": kpi.target_text, "name": kpi.name,
                    "source": kpi.source, "query": kpi.query, "source_url": kpi.source_url,
                    "schedule": kpi.schedule, "owner": kpi.owner.username if kpi.owner else None}
    return {
        "kpi": kpi, "view": view, "labels": VERDICT_LABELS,
        "chart": kpi_chart_svg(view, kpi_anchor(kpi)),
        "schedule": kpi_schedule_text(kpi),
        "check_form": check_form or forms.CheckinForm(
            slots=open_slots, initial={"slot": suggested.key if suggested else ""}),
        "edit_form": edit_form or forms.KpiEditForm(initial=edit_initial),
    }


@role_required(VIEW)
def kpi_detail(request, kpi_id):
    kpi = _kpi_or_404(kpi_id)
    return render(request, "outcomes/kpi_detail.html", _kpi_detail_context(kpi))


def _kpi_or_404(kpi_id):
    try:
        return selectors.kpi_get(kpi_id)
    except NotFound as error:
        raise Http404(error.message) from None


@role_required(VIEW)
def kpi_chart(request, kpi_id):
    kpi = _kpi_or_404(kpi_id)
    view = selectors.kpi_view(kpi, kpi.checkins.all())
    svg = kpi_chart_svg(view, kpi_anchor(kpi)) or (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 40"><text x="8" y="24">'
        'No readings yet.</text></svg>')
    return HttpResponse(svg, content_type="image/svg+xml")


@require_POST
@role_required(VIEW)
def kpi_checkin(request, kpi_id):
    # Owners may report their KPI whatever their role; the service checks that.
    kpi = _kpi_or_404(kpi_id)
    view = selectors.kpi_view(kpi, kpi.checkins.all())
    form = forms.CheckinForm(request.POST, slots=_open_slots(kpi, view)[0])
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.kpi_checkin_record(kpi=kpi, value=data["value"], slot=data["slot"],
                                        note=data["note"], actor=Actor.web(request))
        except ServiceError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Reading of {kpi.name} recorded.")
            return redirect("outcomes-kpi-detail", kpi_id=kpi.pk)
    return render(request, "outcomes/kpi_detail.html",
                  _kpi_detail_context(kpi, check_form=form), status=422)


@require_POST
@role_required(VIEW)
def checkin_correct(request, checkin_id):
    checkin = get_object_or_404(KpiCheckin.objects.select_related("kpi"), pk=checkin_id)
    form = forms.CorrectForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter the corrected value.")
    else:
        try:
            services.kpi_checkin_correct(checkin=checkin, value=form.cleaned_data["value"],
                                         revision=form.cleaned_data["revision"],
                                         note=form.cleaned_data["note"], actor=Actor.web(request))
        except ServiceError as error:
            flash_service_error(request, error)
        else:
            messages.success(request, "Reading corrected.")
    return redirect("outcomes-kpi-detail", kpi_id=checkin.kpi_id)


@require_POST
@role_required(MANAGE)
def kpi_edit(request, kpi_id):
    kpi = _kpi_or_404(kpi_id)
    form = forms.KpiEditForm(request.POST)
    if form.is_valid():
        changes = _kpi_create_values(form.cleaned_data)
        try:
            services.kpi_update(kpi=kpi, revision=form.cleaned_data["revision"], changes=changes,
                                actor=Actor.web(request))
        except ServiceError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"KPI {kpi.name} saved.")
            return redirect("outcomes-kpi-detail", kpi_id=kpi.pk)
    kpi = _kpi_or_404(kpi_id)
    return render(request, "outcomes/kpi_detail.html",
                  _kpi_detail_context(kpi, edit_form=form), status=422)


@require_POST
@role_required(MANAGE)
def kpi_delete(request, kpi_id):
    kpi = _kpi_or_404(kpi_id)
    back = ("outcomes-release-kpis", kpi.release.key) if kpi.release_id else (
        "roadmap-product", kpi.product.key)
    try:
        services.kpi_delete(kpi=kpi, actor=Actor.web(request))
    except ServiceError as error:
        flash_service_error(request, error)
        return redirect("outcomes-kpi-detail", kpi_id=kpi.pk)
    messages.success(request, f"KPI {kpi.name} removed.")
    return redirect(back[0], back[1])


# The post-launch review -------------------------------------------------------------------

def _review_context(release):
    closeout = selectors.closeout_for(release)
    handoff = None
    if closeout and closeout.handoff_section_id:
        handoff = next((view for view in checklists(release)
                        if view.section.pk == closeout.handoff_section_id), None)
    lessons = list(release.lessons.select_related("added_by"))
    return {
        "release": release,
        "closeout": closeout,
        "questions": list(release.review_questions.select_related("answered_by")),
        "lessons": [(kind, label, [x for x in lessons if x.kind == kind])
                    for kind, label in Lesson.KINDS],
        "signoffs": selectors.signoffs_of(release),
        "handoff": handoff,
        "views": selectors.release_kpis(release),
        "labels": VERDICT_LABELS,
        "lesson_form": forms.LessonForm(),
        "question_form": forms.QuestionForm(),
        "role_form": forms.SignoffRoleForm(),
        "assign_form": forms.AssignForm(),
        "template_form": forms.SaveTemplateForm(initial={"name": f"{release.name} template"}),
    }


@role_required(VIEW)
def release_review(request, key):
    release = release_or_404(key)
    return render(request, "outcomes/release_review.html", _review_context(release))


def _back_to_review(release):
    return redirect("outcomes-release-review", key=release.key)


def _run(request, release, call, success: str):
    """Call a service for a small form; a refusal becomes a message, and nothing changes."""
    try:
        call()
    except ServiceError as error:
        flash_service_error(request, error)
    else:
        messages.success(request, success)
    return _back_to_review(release)


@require_POST
@role_required(MANAGE)
def closeout_defaults(request, key):
    release = release_or_404(key)
    return _run(request, release, lambda: services.closeout_defaults_add(
        release=release, actor=Actor.web(request)), "Default review, sign-offs and handoff added.")


@require_POST
@role_required(CONTRIBUTE)
def question_add(request, key):
    release = release_or_404(key)
    return _run(request, release, lambda: services.review_question_add(
        release=release, question=request.POST.get("question", ""), actor=Actor.web(request)),
        "Question added.")


@require_POST
@role_required(CONTRIBUTE)
def question_answer(request, key, question_id):
    release = release_or_404(key)
    question = get_object_or_404(ReviewQuestion, pk=question_id, release=release)
    form = forms.AnswerForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    return _run(request, release, lambda: services.review_question_answer(
        question=question, answer=data.get("answer", ""), revision=data.get("revision"),
        actor=Actor.web(request)), "Answer saved.")


@require_POST
@role_required(CONTRIBUTE)
def lesson_add(request, key):
    release = release_or_404(key)
    return _run(request, release, lambda: services.lesson_add(
        release=release, kind=request.POST.get("kind", ""), text=request.POST.get("text", ""),
        actor=Actor.web(request)), "Lesson recorded.")


@require_POST
@role_required(CONTRIBUTE)
def lesson_remove(request, key, lesson_id):
    release = release_or_404(key)
    lesson = get_object_or_404(Lesson, pk=lesson_id, release=release)
    return _run(request, release, lambda: services.lesson_remove(
        lesson=lesson, actor=Actor.web(request)), "Lesson removed.")


def _signoff(release, signoff_id) -> SignOff:
    return get_object_or_404(SignOff, pk=signoff_id, release=release)


@require_POST
@role_required(VIEW)
def signoff_sign(request, key, signoff_id):
    release = release_or_404(key)
    signoff = _signoff(release, signoff_id)
    return _run(request, release, lambda: services.signoff_sign(
        signoff=signoff, comment=request.POST.get("comment", ""), actor=Actor.web(request)),
        f"Signed as {signoff.role}.")


@require_POST
@role_required(VIEW)
def signoff_revoke(request, key, signoff_id):
    release = release_or_404(key)
    signoff = _signoff(release, signoff_id)
    return _run(request, release, lambda: services.signoff_revoke(
        signoff=signoff, reason=request.POST.get("reason", ""), actor=Actor.web(request)),
        f"Signature of {signoff.role} withdrawn.")


def _form_refused(request, release, form):
    """A small form that did not parse (a person who is not on this server): its message,
    and nothing changes."""
    messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
    return _back_to_review(release)


@require_POST
@role_required(MANAGE)
def signoff_assign(request, key, signoff_id):
    release = release_or_404(key)
    signoff = _signoff(release, signoff_id)
    form = forms.AssignForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, release, form)
    data = form.cleaned_data
    return _run(request, release, lambda: services.signoff_assign(
        signoff=signoff, assignee=data["assignee"], revision=data["revision"],
        actor=Actor.web(request)), f"{signoff.role} signs: {data['assignee'] or 'nobody named'}.")


@require_POST
@role_required(MANAGE)
def signoff_add(request, key):
    release = release_or_404(key)
    form = forms.SignoffRoleForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, release, form)
    data = form.cleaned_data
    return _run(request, release, lambda: services.signoff_role_add(
        release=release, role=data["role"], assignee=data["assignee"],
        actor=Actor.web(request)), "Sign-off role added.")


@require_POST
@role_required(MANAGE)
def save_template(request, key):
    release = release_or_404(key)
    form = forms.SaveTemplateForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    try:
        template = services.release_save_as_template(
            release=release, key=data.get("key", ""), name=data.get("name", ""),
            description=data.get("description", ""), actor=Actor.web(request))
    except ServiceError as error:
        flash_service_error(request, error)
    else:
        messages.success(request, f"Saved as template {template.name} ({template.key}); new "
                                  f"releases can start from it.")
    return _back_to_review(release)


@require_POST
@role_required(CONTRIBUTE)
def handoff_item_status(request, key, item_id):
    release = release_or_404(key)
    closeout = selectors.closeout_for(release)
    item = get_object_or_404(ChecklistItem, pk=item_id, release=release,
                             section_id=getattr(closeout, "handoff_section_id", None))
    form = ItemStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a status.")
        return _back_to_review(release)
    return _run(request, release, lambda: checklist_item_update(
        item=item, revision=form.cleaned_data["revision"],
        changes={"status": form.cleaned_data["status"]}, actor=Actor.web(request)),
        f"Handoff: {item.text} marked {form.cleaned_data['status'].replace('_', ' ')}.")

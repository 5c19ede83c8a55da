"""JSON endpoints for KPIs, readings, the post-launch review and save as template."""

from django.shortcuts import get_object_or_404
from ninja import Router, Status

from tminus.accounts.roles import CONTRIBUTE, MANAGE, VIEW
from tminus.core.actors import Actor
from tminus.core.api import api_actor, edit_revision
from tminus.outcomes import presenters, selectors, services
from tminus.outcomes.lookups import product_get, user_or_error
from tminus.outcomes.models import KpiCheckin, Lesson, ReviewQuestion, SignOff
from tminus.outcomes.schemas import (
    AnswerIn,
    CheckinIn,
    CheckinOut,
    CheckinPatch,
    KpiDetailOut,
    KpiIn,
    KpiOut,
    KpiPatch,
    LessonIn,
    LessonOut,
    OutcomeTemplateOut,
    QuestionIn,
    QuestionOut,
    ReviewOut,
    RevokeIn,
    SignIn,
    SignoffIn,
    SignoffOut,
    SignoffPatch,
    SourceOut,
    TableOut,
    TemplateIn,
)
from tminus.outcomes.sources import kpi_sources
from tminus.releases.selectors import release_get

router = Router(tags=["outcomes"])


def _kpi_detail(kpi_id: int) -> dict:
    kpi = selectors.kpi_get(kpi_id)
    return presenters.kpi_dict(selectors.kpi_view(kpi, kpi.checkins.all()), with_checkins=True)


@router.get("/kpi-sources", response=list[SourceOut])
def source_list(request):
    api_actor(request, VIEW)
    return [{"key": s.key, "label": s.label, "automatic": s.automatic,
             "query_label": s.query_label} for s in kpi_sources()]


@router.get("/releases/{key}/kpis", response=list[KpiOut])
def release_kpi_list(request, key: str):
    api_actor(request, VIEW)
    return [presenters.kpi_dict(view) for view in selectors.release_kpis(release_get(key))]


def _create(data: KpiIn, actor: Actor, **parent) -> dict:
    values = data.dict()
    values["owner"] = user_or_error(values["owner"])
    kpi = services.kpi_create(actor=actor, **parent, **values)
    return _kpi_detail(kpi.pk)


@router.post("/releases/{key}/kpis", response={201: KpiDetailOut})
def release_kpi_add(request, key: str, data: KpiIn):
    actor = api_actor(request, MANAGE)
    return Status(201, _create(data, actor, release=release_get(key)))


@router.get("/products/{key}/kpis", response=list[KpiOut])
def product_kpi_list(request, key: str):
    api_actor(request, VIEW)
    return [presenters.kpi_dict(view) for view in selectors.product_kpis(product_get(key))]


@router.post("/products/{key}/kpis", response={201: KpiDetailOut})
def product_kpi_add(request, key: str, data: KpiIn):
    actor = api_actor(request, MANAGE)
    return Status(201, _create(data, actor, product=product_get(key)))


@router.get("/releases/{key}/kpi-tables", response=list[TableOut])
def kpi_tables(request, key: str):
    api_actor(request, VIEW)
    views = selectors.release_kpis(release_get(key))
    return [presenters.table_dict(table) for table in selectors.checkin_tables(views)]


@router.get("/kpis/{kpi_id}", response=KpiDetailOut)
def kpi_detail(request, kpi_id: int):
    api_actor(request, VIEW)
    return _kpi_detail(kpi_id)


@router.patch("/kpis/{kpi_id}", response=KpiDetailOut)
def kpi_update(request, kpi_id: int, data: KpiPatch):
    actor = api_actor(request, MANAGE)
    changes = data.dict(exclude_unset=True)
    revision = edit_revision(request, changes.pop("revision", None))
    if "owner" in changes:
        changes["owner"] = user_or_error(changes["owner"])
    services.kpi_update(kpi=selectors.kpi_get(kpi_id), revision=revision, changes=changes,
                        actor=actor)
    return _kpi_detail(kpi_id)


@router.delete("/kpis/{kpi_id}", response={204: None})
def kpi_delete(request, kpi_id: int):
    actor = api_actor(request, MANAGE)
    services.kpi_delete(kpi=selectors.kpi_get(kpi_id), actor=actor)
    return Status(204, None)


@router.get("/kpis/{kpi_id}/checkins", response=list[CheckinOut])
def checkin_list(request, kpi_id: int):
    api_actor(request, VIEW)
    return _kpi_detail(kpi_id)["checkins"]


@router.post("/kpis/{kpi_id}/checkins", response={201: CheckinOut})
def checkin_record(request, kpi_id: int, data: CheckinIn):
    # A KPI's owner may report it whatever their role; the service decides.
    actor = api_actor(request, VIEW)
    kpi = selectors.kpi_get(kpi_id)
    checkin = services.kpi_checkin_record(kpi=kpi, value=data.value, slot=data.slot,
                                          note=data.note, actor=actor)
    return Status(201, _checkin(checkin))


@router.post("/kpis/{kpi_id}/checkins/{slot}/take", response=CheckinOut)
def checkin_take(request, kpi_id: int, slot: str):
    actor = api_actor(request, CONTRIBUTE)
    checkin = services.kpi_checkin_take(kpi=selectors.kpi_get(kpi_id), slot=slot, actor=actor)
    return _checkin(checkin)


@router.patch("/kpi-checkins/{checkin_id}", response=CheckinOut)
def checkin_correct(request, checkin_id: int, data: CheckinPatch):
    actor = api_actor(request, VIEW)
    checkin = get_object_or_404(KpiCheckin.objects.select_related("kpi"), pk=checkin_id)
    checkin = services.kpi_checkin_correct(checkin=checkin, value=data.value,
                                           revision=edit_revision(request, data.revision),
                                           note=data.note, actor=actor)
    return _checkin(checkin)


def _checkin(checkin) -> dict:
    kpi = selectors.kpi_get(checkin.kpi_id)
    view = selectors.kpi_view(kpi, kpi.checkins.all())
    return presenters.checkin_dict(next(c for c in view.checkins if c.pk == checkin.pk))


# The post-launch review --------------------------------------------------------------------

@router.get("/releases/{key}/review", response=ReviewOut)
def review(request, key: str):
    api_actor(request, VIEW)
    release = release_get(key)
    closeout = selectors.closeout_for(release)
    handoff = []
    if closeout and closeout.handoff_section_id:
        handoff = [{"id": i.pk, "text": i.text, "status": i.status,
                    "done_by": i.done_by.username if i.done_by else None, "done_at": i.done_at}
                   for i in release.checklist_items.filter(
                       section_id=closeout.handoff_section_id).select_related("done_by")]
    return {
        "release": release.key,
        "questions": [presenters.question_dict(q)
                      for q in release.review_questions.select_related("answered_by")],
        "lessons": [presenters.lesson_dict(x) for x in release.lessons.select_related("added_by")],
        "signoffs": [presenters.signoff_dict(s) for s in selectors.signoffs_of(release)],
        "handoff": handoff,
        "saved_template": closeout.saved_template_key if closeout else "",
    }


@router.post("/releases/{key}/review/defaults", response={201: ReviewOut})
def review_defaults(request, key: str):
    actor = api_actor(request, MANAGE)
    services.closeout_defaults_add(release=release_get(key), actor=actor)
    return Status(201, review(request, key))


@router.post("/releases/{key}/review/questions", response={201: QuestionOut})
def question_add(request, key: str, data: QuestionIn):
    actor = api_actor(request, CONTRIBUTE)
    question = services.review_question_add(release=release_get(key), question=data.question,
                                            actor=actor)
    return Status(201, presenters.question_dict(question))


@router.patch("/review-questions/{question_id}", response=QuestionOut)
def question_answer(request, question_id: int, data: AnswerIn):
    actor = api_actor(request, CONTRIBUTE)
    question = get_object_or_404(ReviewQuestion, pk=question_id)
    question = services.review_question_answer(question=question, answer=data.answer,
                                               revision=edit_revision(request, data.revision),
                                               actor=actor)
    return presenters.question_dict(question)


@router.post("/releases/{key}/lessons", response={201: LessonOut})
def lesson_add(request, key: str, data: LessonIn):
    actor = api_actor(request, CONTRIBUTE)
    lesson = services.lesson_add(release=release_get(key), kind=data.kind, text=data.text,
                                 actor=actor)
    return Status(201, presenters.lesson_dict(lesson))


@router.delete("/lessons/{lesson_id}", response={204: None})
def lesson_remove(request, lesson_id: int):
    actor = api_actor(request, CONTRIBUTE)
    services.lesson_remove(lesson=get_object_or_404(Lesson, pk=lesson_id), actor=actor)
    return Status(204, None)


@router.post("/releases/{key}/signoffs", response={201: SignoffOut})
def signoff_add(request, key: str, data: SignoffIn):
    actor = api_actor(request, MANAGE)
    signoff = services.signoff_role_add(release=release_get(key), role=data.role,
                                        assignee=user_or_error(data.assignee, "assignee"),
                                        actor=actor)
    return Status(201, presenters.signoff_dict(signoff))


@router.patch("/signoffs/{signoff_id}", response=SignoffOut)
def signoff_assign(request, signoff_id: int, data: SignoffPatch):
    actor = api_actor(request, MANAGE)
    signoff = services.signoff_assign(signoff=get_object_or_404(SignOff, pk=signoff_id),
                                      assignee=user_or_error(data.assignee, "assignee"),
                                      revision=edit_revision(request, data.revision),
                                      actor=actor)
    return presenters.signoff_dict(signoff)


@router.post("/signoffs/{signoff_id}/sign", response=SignoffOut)
def signoff_sign(request, signoff_id: int, data: SignIn):
    # Whoever is named for the role signs whatever their role; the service decides.
    actor = api_actor(request, VIEW)
    signoff = services.signoff_sign(signoff=get_object_or_404(SignOff, pk=signoff_id),
                                    comment=data.comment, actor=actor)
    return presenters.signoff_dict(signoff)


@router.post("/signoffs/{signoff_id}/revoke", response=SignoffOut)
def signoff_revoke(request, signoff_id: int, data: RevokeIn):
    actor = api_actor(request, VIEW)
    signoff = services.signoff_revoke(signoff=get_object_or_404(SignOff, pk=signoff_id),
                                      reason=data.reason, actor=actor)
    return presenters.signoff_dict(signoff)


@router.post("/releases/{key}/save-as-template", response={201: OutcomeTemplateOut})
def save_as_template(request, key: str, data: TemplateIn):
    actor = api_actor(request, MANAGE)
    template = services.release_save_as_template(release=release_get(key), actor=actor,
                                                 **data.dict())
    return Status(201, template)

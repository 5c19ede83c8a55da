"""JSON endpoints for test plans, cases, runs (by hand or from JUnit XML) and load tests."""

from django.conf import settings
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status

from tminus.accounts.models import User
from tminus.accounts.roles import CONTRIBUTE, VIEW
from tminus.core.api import api_actor, edit_revision
from tminus.core.errors import ValidationFailed
from tminus.releases.selectors import release_get
from tminus.testing import presenters, selectors, services
from tminus.testing.models import TestCase, TestRun
from tminus.testing.schemas import (
    CaseIn,
    CaseOut,
    CasePatch,
    LoadTestIn,
    LoadTestOut,
    PassRatesOut,
    ResultIn,
    ResultOut,
    RunDetailOut,
    RunIn,
    TestPlanIn,
    TestPlanOut,
    TestRunOut,
    UploadOut,
)

router = Router(tags=["testing"])


class CaseFilter(Schema):
    kind: str = ""
    environment: str = ""


def _user_or_error(username: str | None, field: str = "owner") -> User | None:
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ValidationFailed({field: f"No user named {username!r}."})
    return user


@router.get("/releases/{key}/test-plan", response=TestPlanOut)
def test_plan(request, key: str):
    api_actor(request, VIEW)
    return selectors.test_plan(release_get(key))


@router.patch("/releases/{key}/test-plan", response=TestPlanOut)
def test_plan_update(request, key: str, data: TestPlanIn):
    actor = api_actor(request, CONTRIBUTE)
    changes = data.dict(exclude_unset=True)
    revision = edit_revision(request, changes.pop("revision", None))
    return services.test_plan_update(release=release_get(key), changes=changes,
                                     revision=revision, actor=actor)


@router.get("/releases/{key}/test-cases", response=list[CaseOut])
def test_case_list(request, key: str, filters: Query[CaseFilter]):
    api_actor(request, VIEW)
    cases = selectors.test_cases(release_get(key), kind=filters.kind,
                                 environment=filters.environment)
    return [presenters.case_dict(case) for case in cases]


@router.post("/releases/{key}/test-cases", response={201: CaseOut})
def test_case_add(request, key: str, data: CaseIn):
    actor = api_actor(request, CONTRIBUTE)
    values = data.dict()
    values["owner"] = _user_or_error(values["owner"])
    case = services.test_case_add(release=release_get(key), actor=actor, **values)
    return Status(201, presenters.case_dict(case))


@router.patch("/test-cases/{case_id}", response=CaseOut)
def test_case_update(request, case_id: int, data: CasePatch):
    actor = api_actor(request, CONTRIBUTE)
    case = get_object_or_404(TestCase.objects.select_related("release__product"), pk=case_id)
    changes = data.dict(exclude_unset=True)
    revision = edit_revision(request, changes.pop("revision", None))
    if "owner" in changes:
        changes["owner"] = _user_or_error(changes["owner"])
    case = services.test_case_update(case=case, revision=revision, changes=changes, actor=actor)
    return presenters.case_dict(case)


@router.get("/releases/{key}/test-runs", response=list[TestRunOut])
def test_run_list(request, key: str):
    api_actor(request, VIEW)
    return [presenters.run_dict(run) for run in selectors.test_runs(release_get(key))]


@router.post("/releases/{key}/test-runs", response={201: TestRunOut})
def test_run_start(request, key: str, data: RunIn):
    """Start a run recorded by hand; add results with POST /test-runs/{id}/results."""
    actor = api_actor(request, CONTRIBUTE)
    run = services.test_run_start(release=release_get(key), actor=actor, **data.dict())
    return Status(201, presenters.run_dict(run))


@router.get("/test-runs/{run_id}", response=RunDetailOut)
def test_run_detail(request, run_id: int):
    api_actor(request, VIEW)
    run = selectors.test_run_get(run_id)
    return {**presenters.run_dict(run),
            "results": [presenters.result_dict(r) for r in selectors.run_results(run)]}


@router.post("/test-runs/{run_id}/results", response={201: ResultOut})
def test_result_record(request, run_id: int, data: ResultIn):
    """Record (or correct) one case's result in a run."""
    actor = api_actor(request, CONTRIBUTE)
    run = get_object_or_404(TestRun, pk=run_id)
    case = TestCase.objects.filter(pk=data.case_id).first()
    if case is None:
        raise ValidationFailed({"case_id": f"No test case {data.case_id}."})
    result = services.test_result_record(run=run, case=case, result=data.result,
                                         evidence_link=data.evidence_link, notes=data.notes,
                                         actor=actor)
    return Status(201, presenters.result_dict(result))


_UPLOAD_BODY = {"requestBody": {"required": True, "content": {
    "multipart/form-data": {"schema": {
        "type": "object", "required": ["file"],
        "properties": {"file": {"type": "string", "format": "binary"}}}},
    "application/xml": {"schema": {"type": "string", "description": "JUnit XML"}},
}}}


def _uploaded_content(request) -> tuple[bytes, str]:
    """The JUnit XML of a multipart upload (field `file`) or of a raw body, and its name."""
    limit = settings.JUNIT_MAX_BYTES
    if request.content_type == "multipart/form-data":
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationFailed({"file": "Send the JUnit XML file in the form field 'file'."})
        return upload.read(limit + 1), upload.name or ""
    return request.read(limit + 1), ""


@router.post("/releases/{key}/test-runs/junit", response={200: UploadOut, 201: UploadOut},
             openapi_extra=_UPLOAD_BODY)
def test_run_junit_upload(request, key: str, environment: str, kind: str = "",
                          filename: str = ""):
    """Record a run from JUnit XML (multipart field `file`, or the XML as the raw body).

    The same file uploaded again for the same release and environment answers 200 with the
    run it already recorded (`created: false`) and counts nothing twice.
    """
    actor = api_actor(request, CONTRIBUTE)
    release = release_get(key)
    content, uploaded_name = _uploaded_content(request)
    run, created = services.test_run_junit_upload(
        release=release, environment=environment, content=content,
        filename=filename or uploaded_name, kind=kind, actor=actor)
    detail = (f"Recorded run {run.pk}: {run.passed} passed, {run.failed} failed, "
              f"{run.skipped} skipped." if created else
              f"This file was already uploaded for {run.environment.key} as run {run.pk} on "
              f"{run.created_at:%Y-%m-%d %H:%M}; it was not counted again.")
    return Status(201 if created else 200,
                  {"created": created, "detail": detail, "run": presenters.run_dict(run)})


@router.get("/releases/{key}/pass-rates", response=PassRatesOut)
def pass_rates(request, key: str, kind: str = ""):
    """Pass rate by kind, by environment and by both (latest results), and per run over time."""
    api_actor(request, VIEW)
    release = release_get(key)
    return {**presenters.pass_rates_dict(selectors.pass_rates(release)),
            "trend": presenters.trend_dict(selectors.pass_rate_trend(release, kind=kind))}


@router.get("/releases/{key}/load-tests", response=list[LoadTestOut])
def load_test_list(request, key: str):
    api_actor(request, VIEW)
    return [presenters.load_test_dict(r) for r in selectors.load_tests(release_get(key))]


@router.post("/releases/{key}/load-tests", response={201: LoadTestOut})
def load_test_record(request, key: str, data: LoadTestIn):
    actor = api_actor(request, CONTRIBUTE)
    result = services.load_test_record(release=release_get(key), actor=actor, **data.dict())
    return Status(201, presenters.load_test_dict(result))

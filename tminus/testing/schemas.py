"""API shapes for test plans, cases, runs, results and load tests."""

from datetime import datetime

from ninja import Schema


class TestPlanIn(Schema):
    revision: int | None = None
    approach: str | None = None
    test_data: str | None = None


class TestPlanOut(Schema):
    approach: str
    test_data: str
    revision: int


class CaseIn(Schema):
    title: str
    kind: str = "uat"
    steps: str = ""
    expected: str = ""
    environment: str | None = None
    owner: str | None = None


class CasePatch(Schema):
    revision: int | None = None
    title: str | None = None
    kind: str | None = None
    steps: str | None = None
    expected: str | None = None
    environment: str | None = None
    owner: str | None = None


class CaseOut(Schema):
    id: int
    title: str
    steps: str
    expected: str
    kind: str
    environment: str | None
    owner: str | None
    automated_key: str
    revision: int


class RunIn(Schema):
    environment: str
    name: str = ""
    evidence_link: str = ""
    notes: str = ""
    executed_at: datetime | None = None


class TestRunOut(Schema):
    id: int
    name: str
    environment: str
    source: str
    executed_at: datetime
    recorded_by: str
    evidence_link: str
    notes: str
    filename: str
    passed: int
    failed: int
    blocked: int
    skipped: int
    total: int
    pass_rate: float | None


class ResultIn(Schema):
    case_id: int
    result: str
    evidence_link: str = ""
    notes: str = ""


class ResultOut(Schema):
    id: int
    case_id: int
    case: str
    kind: str
    result: str
    recorded_by: str | None
    recorded_at: datetime
    evidence_link: str
    notes: str
    message: str
    duration_seconds: float | None


class RunDetailOut(TestRunOut):
    results: list[ResultOut]


class UploadOut(Schema):
    created: bool
    detail: str
    run: TestRunOut


class TallyOut(Schema):
    passed: int
    failed: int
    blocked: int
    skipped: int
    not_run: int
    executed: int
    rate: float | None


class TestCellOut(TallyOut):
    kind: str
    environment: str


class TrendPointOut(TallyOut):
    environment: str
    run_id: int
    run: str
    executed_at: datetime


class PassRatesOut(Schema):
    by_kind: dict[str, TallyOut]
    by_environment: dict[str, TallyOut]
    by_kind_and_environment: list[TestCellOut]
    trend: list[TrendPointOut]


class LoadTestIn(Schema):
    environment: str
    scenario: str
    requests_per_second: float
    p95_latency_ms: float
    error_rate_percent: float
    target_requests_per_second: float | None = None
    target_p95_latency_ms: float | None = None
    target_error_rate_percent: float | None = None
    executed_at: datetime | None = None
    evidence_link: str = ""
    notes: str = ""


class CheckOut(Schema):
    figure: str
    value: float
    target: float | None
    rule: str
    met: bool | None


class LoadTestOut(Schema):
    id: int
    scenario: str
    environment: str
    executed_at: datetime
    requests_per_second: float
    p95_latency_ms: float
    error_rate_percent: float
    target_requests_per_second: float | None
    target_p95_latency_ms: float | None
    target_error_rate_percent: float | None
    checks: list[CheckOut]
    met: bool | None
    evidence_link: str
    notes: str

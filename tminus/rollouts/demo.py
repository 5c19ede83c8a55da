"""Demo data: seed 004's kind of rollout on the demo releases, played with synthetic traffic.

- shop-1.0 (live): `express-checkout` went UAT, 10%, 50%, 100% over the last days; its stage
  results are filled in from the data, its 1-week and 1-month check-ins are due later.
- shop-1.1 (testing): `order-pdf-download`, like seed 004's 1095-B download, is in its 10%
  canary now, guarded by "% download errors above 2% over 5 minutes with at least 200
  exposures"; the worker of `tminus serve` keeps checking it.
"""

from datetime import timedelta
from itertools import count

from django.utils import timezone

from tminus.accounts.models import User
from tminus.core.actors import Actor
from tminus.flags import services as flags
from tminus.flags.metrics import metrics_record
from tminus.flags.models import Flag, Project
from tminus.flags.tokens import TokenScope
from tminus.metrics import services as metrics
from tminus.metrics.models import Metric
from tminus.releases.models import Release
from tminus.rollouts import services
from tminus.rollouts.templates_catalog import template_definition

CRITERIA = [
    {"metric": "download_click", "aggregation": "count", "comparator": ">=", "threshold": 50},
    {"metric": "download_error", "aggregation": "ratio", "of": "download_click",
     "comparator": "<", "threshold": 2, "min_sample": 100},
]
TRIGGER = {"metric": "download_error", "aggregation": "ratio", "of": "download_click",
           "comparator": ">", "threshold": 2, "window_minutes": 5, "min_sample": 200,
           "sample_metric": "exposures", "action": "rollback"}
SDK = TokenScope(token_id=0, kind="client", environment="production", all_projects=True,
                 projects=frozenset())
_ids = count()


def load() -> None:
    system = Actor.cli()
    manager = User.objects.filter(username="maria").first()
    person = Actor.cli(manager) if manager else system
    project = Project.objects.filter(key="shop").first() or flags.project_create(
        key="shop", name="E-Commerce Platform", actor=system)
    for key, name in (("download_click", "Download clicks"),
                      ("download_error", "Download errors")):
        if not Metric.objects.filter(key=key).exists():
            metrics.metric_declare(key=key, name=name, actor=system)
    shipped = Release.objects.filter(key="shop-1.0").first()
    if shipped is not None:
        _completed_rollout(project, shipped, manager, person)
    testing = Release.objects.filter(key="va-1095b-rollout").first()
    if testing is not None:
        _canary_rollout(project, testing, manager, person)


def _flag(project, key: str, release, owner, description: str) -> Flag:
    existing = Flag.objects.filter(key=key).first()
    return existing or flags.flag_create(project=project, key=key, release=release, owner=owner,
                                         description=description, actor=Actor.cli())


def _plan(release, flag, owner, name: str, duration: str):
    definition = template_definition(
        "uat-10-50-100", users=["maria", "dev", "qa.tester"], criteria=CRITERIA,
        triggers=[TRIGGER], stage_duration=duration, name=name,
        owner=owner.username if owner else None)
    return services.rollout_plan_create(release=release, flag=flag, environment="production",
                                        definition_data=definition, actor=Actor.cli(owner))


def _traffic(flag_key: str, at, *, users: int, clicks: int, errors: int) -> None:
    names = [f"shopper-{n}" for n in range(users)]
    events = [{"id": f"demo-{next(_ids)}", "name": name, "time": at.isoformat(),
               "flag": flag_key, "context": {"userId": names[n % users]}}
              for name, total in (("download_click", clicks), ("download_error", errors))
              for n in range(total)]
    metrics.events_record(events=events, environment="production")
    metrics_record(scope=SDK, body={
        "appName": "shop-web", "instanceId": f"demo-{next(_ids)}",
        "bucket": {"start": at.isoformat(), "stop": (at + timedelta(minutes=1)).isoformat(),
                   "toggles": {flag_key: {"yes": clicks * 3, "no": clicks * 3 * 4}}}})


def _completed_rollout(project, release, owner, person) -> None:
    flag = _flag(project, "express-checkout", release, owner, "One-page checkout for returning "
                 "buyers.")
    plan = _plan(release, flag, owner, "Express checkout rollout", "1d")
    start = timezone.now() - timedelta(days=5, hours=2)
    services.rollout_start(plan=plan, actor=person, reason="Go decision recorded", now=start)
    moment = start + timedelta(hours=3)
    services.rollout_advance(plan=plan, actor=person, reason="The three testers checked out "
                             "with it in production", now=moment)
    for users in (400, 2000, 4000):
        _traffic(flag.key, moment + timedelta(minutes=10), users=users, clicks=users // 2,
                 errors=users // 400)
        services.rollout_evaluate(plan=plan, now=moment + timedelta(minutes=20))
        moment += timedelta(days=1, minutes=21)
        services.rollout_evaluate(plan=plan, now=moment)


def _canary_rollout(project, release, owner, person) -> None:
    flag = _flag(project, "order-pdf-download", release, owner, "Buyers download their order "
                 "as a PDF (like the 1095-B download).")
    plan = _plan(release, flag, owner, "Order PDF download rollout", "1d")
    now = timezone.now()
    start = now - timedelta(hours=3)
    services.rollout_start(plan=plan, actor=person, reason="Go decision recorded", now=start)
    canary = now - timedelta(hours=1)
    services.rollout_advance(plan=plan, actor=person, reason="Maria, Dev and the QA tester "
                             "downloaded their PDFs", now=canary)
    for minutes in range(0, 60, 5):
        at = canary + timedelta(minutes=minutes)
        _traffic(flag.key, at, users=200, clicks=40, errors=1 if minutes % 15 == 0 else 0)
        services.rollout_evaluate(plan=plan, now=at + timedelta(minutes=2))

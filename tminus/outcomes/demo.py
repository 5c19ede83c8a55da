"""Seed 001's success metrics as KPIs on shop-1.0 (live for ten days), with readings, and a
post-launch review under way."""


from django.utils import timezone

from tminus.accounts.models import User
from tminus.core.actors import Actor
from tminus.outcomes import services
from tminus.outcomes.models import Lesson
from tminus.releases.models import Release

SUCCESS_METRICS = [
    "500+ registered users in first month",
    "100+ products listed",
    "50+ successful orders",
    "95% uptime",
    "<2 second page load time",
]
# Daily readings of the first week (registered users and orders accumulate).
READINGS = {
    "registered-users": [48, 97, 140, 188, 236, 270, 311],
    "products-listed": [35, 52, 66, 81, 90, 104, 112],
    "successful-orders": [4, 11, 17, 25, 31, 38, 44],
    "uptime": [99.2, 99.9, 100, 94.1, 99.8, 99.95, 100],
    "page-load-time": ["1.4 s", "1.3 s", "1.6 s", "2.3 s", "1.2 s", "1.1 s", "1.2 s"],
}


def load() -> None:
    actor = Actor.cli()
    release = Release.objects.filter(key="shop-1.0").first()
    if release is None:
        return
    owner = User.objects.filter(username="maria").first()
    for target in SUCCESS_METRICS:
        services.kpi_create(release=release, target=target, owner=owner, actor=actor)
    _readings(release, actor)
    _review(release, owner, actor)


def _readings(release, actor) -> None:
    days_live = (timezone.localdate() - release.go_live).days
    for kpi in release.kpis.all():
        for day, value in enumerate(READINGS.get(kpi.key, []), start=1):
            if day < days_live:
                services.kpi_checkin_record(kpi=kpi, value=str(value), slot=f"day-{day}",
                                            actor=actor)
        if days_live > 7 and kpi.key in READINGS:
            services.kpi_checkin_record(kpi=kpi, value=str(READINGS[kpi.key][-1]),
                                        slot="week-1", actor=actor)


def _review(release, owner, actor) -> None:
    services.lesson_add(release=release, kind=Lesson.WENT_WELL,
                        text="Staged deployment kept downtime under five minutes.", actor=actor)
    services.lesson_add(release=release, kind=Lesson.TO_IMPROVE,
                        text="The day 4 outage was found by users before monitoring.",
                        actor=actor)
    services.lesson_add(release=release, kind=Lesson.RECOMMENDATION,
                        text="Alert on uptime below 99% from the first hour after go-live.",
                        actor=actor)
    question = release.review_questions.first()
    if question is not None:
        services.review_question_answer(
            question=question, revision=question.revision, actor=actor,
            answer="Uptime and page load met their targets except on day 4; users and orders "
                   "are on the way to the first-month targets.")
    for signoff in release.signoffs.all():
        if signoff.role == "Project Manager" and owner is not None:
            services.signoff_assign(signoff=signoff, assignee=owner,
                                    revision=signoff.revision, actor=actor)
        if signoff.role == "Technical Lead":
            services.signoff_sign(signoff=signoff, actor=actor,
                                  comment="Deployment and monitoring verified.")

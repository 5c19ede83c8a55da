"""The demo: the five seed plans, imported as any team would, each moved to an instructive point
of its life on the day the demo is started.

One rule moves every date of a plan: the whole plan (phases, milestones, checklist dues,
meetings, messages, risks, on-call shifts ...) is shifted by the days that put its go-live where
its stage wants it, so nothing is overdue that a team at that stage would not have done.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources

from django.utils import timezone

from tminus.accounts.models import User
from tminus.accounts.roles import CONTRIBUTOR, RELEASE_MANAGER
from tminus.core.actors import Actor
from tminus.core.offsets import parse_offset
from tminus.releases import services
from tminus.releases.choices import FINISHED_ITEM_STATUSES, ItemStatus, ReleaseStatus
from tminus.releases.models import Product, Release


@dataclass(frozen=True)
class DemoRelease:
    seed: str  # the seed file's prefix in tminus/plans/demo_plans
    product_key: str
    product_name: str
    key: str
    template: str  # the built-in template shaped after the seed, for a plan without a checklist
    status: str
    go_live_in: int  # days from the day the demo is started


S = ReleaseStatus
DEMO_RELEASES = [
    DemoRelease("000", "shop", "E-Commerce Platform", "shop-create-order",
                "feature-release-plan", S.CLOSED, -56),
    DemoRelease("001", "shop", "E-Commerce Platform", "shop-1.0", "release-train", S.LIVE, -10),
    DemoRelease("002", "food", "Food Delivery Platform", "food-release-process",
                "release-by-type-major", S.PLANNING, 42),
    DemoRelease("003", "layby", "Layby Management", "layby-1.0", "go-live-plan", S.STAGING, 3),
    DemoRelease("004", "va-health", "VA.gov Health Records", "va-1095b-rollout",
                "staged-rollout", S.DEPLOYING, 0),
]
# The one checklist item of the release near its go/no-go left open past its due date, so the
# demo shows an at-risk release and its reason.
LATE_ITEM_RELEASE = "layby-1.0"
PRODUCTION = re.compile(r"production|deploy", re.I)
LIFE = [S.PLANNING, S.DEVELOPMENT, S.TESTING, S.STAGING, S.READY, S.DEPLOYING, S.LIVE, S.CLOSED]


def load(today: date | None = None) -> None:
    today = today or timezone.localdate()
    actor = Actor.cli()
    manager = _user("maria", "Maria Lopez", RELEASE_MANAGER)
    _user("dev", "Dev Patel", CONTRIBUTOR)
    for spec in DEMO_RELEASES:
        release = _import_seed(spec, manager, actor)
        _add_template_checklist(release, spec.template, actor)
        _shift_to(release, today + timedelta(days=spec.go_live_in), actor)
        _finish_past_work(release, spec.status, today, actor)
        _walk_to(release, spec.status, actor)


def _user(username: str, name: str, role: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create(username=username, display_name=name, role=role,
                                   email=f"{username}@example.com")
        user.set_unusable_password()
        user.save()
    return user


def seed_file(prefix: str):
    folder = resources.files("tminus.plans.demo_plans")
    return next(entry for entry in folder.iterdir() if entry.name.startswith(prefix))


def _import_seed(spec: DemoRelease, manager: User, actor: Actor) -> Release:
    from tminus.plans.services import plan_import

    if not Product.objects.filter(key=spec.product_key).exists():
        services.product_create(key=spec.product_key, name=spec.product_name, owner=manager,
                                actor=actor)
    entry = seed_file(spec.seed)
    # Seed 001's release train would add releases 1.1 to 1.3; the demo holds the five plans
    # only, and the roadmap page shows the train's later releases as the cadence proposes them.
    plan_import(data=entry.read_bytes(), source_name=entry.name, product_key=spec.product_key,
                release_key=spec.key, actor=actor, leave_out=("roadmap",))
    release = Release.objects.get(key=spec.key)
    services.release_update(release=release, revision=None, changes={"owner": manager},
                            actor=actor)
    return release


def _add_template_checklist(release: Release, template_key: str, actor: Actor) -> None:
    """A seed that writes no checklist gets the one of the built-in template shaped after it."""
    from tminus.plans.markdown_templates import BY_KEY
    from tminus.plans.reading import read_plan

    if release.checklist_items.exists():
        return
    spec = read_plan(BY_KEY[template_key].text(), today=timezone.localdate()).spec
    for part in spec.get("checklists", []):
        section = services.checklist_section_add(
            release=release, title=part["title"], group=part.get("group") or "",
            due_offset=parse_offset(part["due"]) if part.get("due") else None, actor=actor)
        services.checklist_items_bulk_add(section=section, items=_entries(part["items"]),
                                          actor=actor)


def _entries(items: list[dict]) -> list[dict]:
    return [{"text": item["text"], "responsible": item.get("responsible") or "",
             "children": _entries(item.get("children") or [])} for item in items]


def _anchor(release: Release) -> date | None:
    """The day the plan itself goes live on: the start of its production phase (seed 000 gives
    a release date months after it), else its go-live, else its first phase's start."""
    phases = release.phases.exclude(start_date=None).order_by("start_date")
    production = next((p for p in phases if PRODUCTION.search(p.name)), None)
    if production is not None:
        return production.start_date
    if release.go_live:
        return release.go_live
    first = phases.first()
    return first.start_date if first else None


def _shift_to(release: Release, go_live: date, actor: Actor) -> None:
    anchor = _anchor(release)
    reason = "Demo: the plan moved to the day the demo started."
    if anchor is not None:
        services.release_plan_shift(release=release, days=(go_live - anchor).days,
                                    actor=actor, reason=reason)
        release.refresh_from_db()
    if release.go_live != go_live:
        services.release_schedule_shift(release=release, go_live=go_live, actor=actor,
                                        reason=reason)
    release.refresh_from_db()


def _finish_past_work(release: Release, status: str, today: date, actor: Actor) -> None:
    """Work due before today is done, as a team at this stage would have it (one item of the
    release near its go/no-go is left late on purpose)."""
    late = release.checklist_items.exclude(status__in=FINISHED_ITEM_STATUSES)
    if status != S.CLOSED:  # a closed release finished all of its work
        late = late.filter(due_date__lt=today)
    late = late.order_by("due_date", "pk")
    keep = 1 if release.key == LATE_ITEM_RELEASE else 0
    for item in list(late)[keep:]:
        services.checklist_item_update(item=item, revision=item.revision,
                                       changes={"status": ItemStatus.DONE}, actor=actor)


def _walk_to(release: Release, status: str, actor: Actor) -> None:
    for step in LIFE[LIFE.index(release.status) + 1:LIFE.index(status) + 1]:
        if step == S.DEPLOYING:
            _gate_override(release, actor)
        services.release_transition(release=release, to_status=step, actor=actor)
        release.refresh_from_db()


def _gate_override(release: Release, actor: Actor) -> None:
    # Deploying needs a Go from the go/no-go meeting; the seed plans were decided before they
    # were kept here, so an override with its reason stands in for that meeting.
    from tminus.readiness.services import gate_override

    gate_override(release=release, actor=actor,
                  reason="Demo data: the go/no-go was held before this plan was in T-Minus.")

"""Demo products and releases in different states, with dates around today."""

from datetime import timedelta

from django.utils import timezone

from tminus.accounts.models import User
from tminus.accounts.roles import CONTRIBUTOR, RELEASE_MANAGER
from tminus.core.actors import Actor
from tminus.releases import services
from tminus.releases.choices import ItemStatus, ReleaseStatus, ScopeKind, ScopeStatus

_PATH_TO = {
    ReleaseStatus.PLANNING: [],
    ReleaseStatus.DEVELOPMENT: [ReleaseStatus.DEVELOPMENT],
    ReleaseStatus.TESTING: [ReleaseStatus.DEVELOPMENT, ReleaseStatus.TESTING],
    ReleaseStatus.LIVE: [ReleaseStatus.DEVELOPMENT, ReleaseStatus.TESTING, ReleaseStatus.STAGING,
                         ReleaseStatus.READY, ReleaseStatus.DEPLOYING, ReleaseStatus.LIVE],
}


def load() -> None:
    actor = Actor.cli()
    today = timezone.localdate()
    manager = _person("maria", "Maria Lopez", RELEASE_MANAGER)
    _person("dev", "Dev Patel", CONTRIBUTOR)
    shop = services.product_create(key="shop", name="E-Commerce Platform", owner=manager,
                                   description="Buyers, sellers and delivery agents.",
                                   actor=actor)
    layby = services.product_create(key="layby", name="Layby Management", owner=manager,
                                    description="Layaway payment plans for businesses.",
                                    actor=actor)
    plans = [
        (shop, "Create Order", "1.0", "major", today - timedelta(days=10), ReleaseStatus.LIVE),
        (shop, "Enhanced Experience", "1.1", "minor", today + timedelta(days=12),
         ReleaseStatus.TESTING),
        (shop, "Analytics & Intelligence", "1.2", "minor", today + timedelta(days=40),
         ReleaseStatus.DEVELOPMENT),
        (layby, "Layby Module", "1.0", "major", today + timedelta(days=26),
         ReleaseStatus.DEVELOPMENT),
        (layby, "Payment reminder fix", "1.0.1", "hotfix", today + timedelta(days=2),
         ReleaseStatus.PLANNING),
    ]
    for product, name, version, template, go_live, status in plans:
        release = services.release_create(product=product, name=f"{name} v{version}",
                                          version=version, template_key=template,
                                          go_live=go_live, owner=manager, actor=actor)
        _tick_past_items(release, today, actor)
        for step in _PATH_TO.get(status, []):
            if step == ReleaseStatus.DEPLOYING:
                _gate_override(release, actor)
            services.release_transition(release=release, to_status=step, actor=actor)
    _demo_scope(shop.releases.first(), actor)


def _person(username: str, name: str, role: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create(username=username, display_name=name, role=role,
                                   email=f"{username}@example.com")
        user.set_unusable_password()
        user.save()
    return user


def _tick_past_items(release, today, actor) -> None:
    # Most past-due items are done; a few are left open so the demo shows overdue work.
    for index, item in enumerate(release.checklist_items.filter(due_date__lt=today)):
        if index % 4 != 3:
            services.checklist_item_update(item=item, revision=item.revision,
                                           changes={"status": ItemStatus.DONE}, actor=actor)


def _demo_scope(release, actor) -> None:
    scope = [
        ("Create Order flow", ScopeKind.FEATURE, ScopeStatus.DONE),
        ("Order confirmation emails", ScopeKind.ENHANCEMENT, ScopeStatus.DONE),
        ("Cart totals off by one cent", ScopeKind.BUG_FIX, ScopeStatus.DONE),
        ("Payment gateway integration comes in v1.1", ScopeKind.KNOWN_ISSUE,
         ScopeStatus.PLANNED),
    ]
    for title, kind, status in scope:
        services.scope_item_add(release=release, title=title, kind=kind, status=status,
                                actor=actor)


def _gate_override(release, actor) -> None:
    # Deploying needs a Go from the go/no-go meeting; this demo release went live before its
    # plan was kept here, so an override with its reason stands in for that meeting.
    from tminus.readiness.services import gate_override

    gate_override(release=release, actor=actor,
                  reason="Demo data: the go/no-go was held before this plan was in T-Minus.")

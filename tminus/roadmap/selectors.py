"""Reads of a product's roadmap. The page runs a fixed number of queries whatever its size."""

import re
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch

from tminus.outcomes.models import Kpi
from tminus.outcomes.selectors import kpi_views, product_kpis
from tminus.releases.models import Release, ScopeItem
from tminus.releases.selectors import today
from tminus.roadmap.cadence import parse_cadence
from tminus.roadmap.models import Cadence, FeatureMove

ROADMAP_KINDS = ("feature", "enhancement")
PROPOSALS = 3


@dataclass
class Column:
    """A release on the roadmap: its theme, features with their status, success metrics."""

    release: Release
    features: list = field(default_factory=list)
    kpis: list = field(default_factory=list)

    @property
    def theme(self) -> str:
        return (self.release.goal or "").strip().splitlines()[0] if self.release.goal else ""


@dataclass
class Proposal:
    go_live: date
    version: str
    name: str


@dataclass
class Roadmap:
    product: object
    cadence: Cadence | None
    cadence_meaning: str
    cadence_error: str
    columns: list
    proposals: list
    moves: list
    product_kpis: list


def next_version(versions: list[str]) -> str:
    """The version after the latest: 1.2 → 1.3, 2.0.1 → 2.1; empty when none is numeric."""
    for version in reversed(versions):
        match = re.fullmatch(r"v?(\d+)\.(\d+)(?:\.\d+)*", (version or "").strip())
        if match:
            return f"{match.group(1)}.{int(match.group(2)) + 1}"
    return ""


def _bump(version: str) -> str:
    return next_version([version]) if version else ""


def proposals(cadence: Cadence | None, releases: list[Release], count: int = PROPOSALS,
              now: date | None = None) -> list[Proposal]:
    """The next release dates the cadence proposes after the product's latest release."""
    if cadence is None:
        return []
    try:
        parsed = parse_cadence(cadence.text)
    except ValueError:
        return []
    dated = [r for r in releases if r.go_live and r.status != "cancelled"]
    latest = max((r.go_live for r in dated), default=None)
    after = max(latest or (now or today()), now or today())
    version = next_version([r.version for r in sorted(dated, key=lambda r: r.go_live)])
    found = []
    for go_live in parsed.dates_after(after, count, anchor=latest):
        found.append(Proposal(go_live=go_live, version=version,
                              name=f"Release {version}".strip()))
        version = _bump(version)
    return found


def roadmap(product, *, now: date | None = None) -> Roadmap:
    """The product's releases in date order with features and KPIs, and what comes next."""
    features = ScopeItem.objects.filter(kind__in=ROADMAP_KINDS).order_by("order", "id")
    releases = list(
        Release.objects.filter(product=product).exclude(status="cancelled")
        .select_related("owner").prefetch_related(Prefetch("scope_items", queryset=features))
        .order_by("go_live", "key"))
    views = kpi_views(Kpi.objects.filter(release__in=releases))
    by_release: dict[int, list] = {}
    for view in views:
        by_release.setdefault(view.kpi.release_id, []).append(view)
    columns = [Column(release=r, features=list(r.scope_items.all()),
                      kpis=by_release.get(r.pk, [])) for r in releases]
    cadence = Cadence.objects.filter(product=product).first()
    meaning, error = _meaning(cadence)
    moves = (FeatureMove.objects.filter(feature__release__product=product)
             .select_related("feature", "moved_by")[:20])
    return Roadmap(product=product, cadence=cadence, cadence_meaning=meaning,
                   cadence_error=error, columns=columns,
                   proposals=proposals(cadence, releases, now=now), moves=list(moves),
                   product_kpis=product_kpis(product))


def _meaning(cadence: Cadence | None) -> tuple[str, str]:
    if cadence is None:
        return "", ""
    try:
        return parse_cadence(cadence.text).describe(), ""
    except ValueError as error:
        return "", str(error)


def feature_history(feature: ScopeItem) -> list[FeatureMove]:
    return list(feature.moves.select_related("moved_by").order_by("moved_at", "id"))

"""Reads of release plans. Lists run a fixed number of queries whatever their length."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from tminus.accounts.models import User
from tminus.core.errors import NotFound
from tminus.releases.choices import FINISHED_ITEM_STATUSES, ReleaseStatus
from tminus.releases.models import ChecklistItem, ChecklistSection, Product, Release

ACTIVE_STATUSES = [s for s in ReleaseStatus.values if s not in ("closed", "cancelled")]


def today() -> date:
    return timezone.localdate()


def portfolio(*, product: str = "", status: str = "", owner: str = "") -> QuerySet[Release]:
    """Releases with product and owner, filtered as asked, soonest go-live first; releases
    without a go-live come last on every database."""
    releases = Release.objects.select_related("product", "owner").order_by(
        F("go_live").asc(nulls_last=True), "key")
    if product:
        releases = releases.filter(product__key=product)
    if status == "active":
        releases = releases.filter(status__in=ACTIVE_STATUSES)
    elif status:
        releases = releases.filter(status=status)
    if owner:
        releases = releases.filter(owner__username=owner)
    return releases


def with_progress(releases) -> list[Release]:
    """The releases with item_total, item_done and item_overdue set, in one query.

    Counting only the releases of the page shown keeps the portfolio fast with 10,000 releases.
    """
    releases = list(releases)
    finished = Q(status__in=FINISHED_ITEM_STATUSES)
    counts = {
        row["release_id"]: row
        for row in ChecklistItem.objects.filter(release__in=[r.pk for r in releases])
        .values("release_id")
        .annotate(total=Count("id"), done=Count("id", filter=finished),
                  overdue=Count("id", filter=Q(due_date__lt=today()) & ~finished))
    }
    for release in releases:
        row = counts.get(release.pk, {})
        release.item_total = row.get("total", 0)
        release.item_done = row.get("done", 0)
        release.item_overdue = row.get("overdue", 0)
    return releases


def release_get(key: str) -> Release:
    """A release by key with its product and owner, or NotFound."""
    release = Release.objects.select_related("product", "owner").filter(key=key).first()
    if release is None:
        raise NotFound(f"No release with key {key!r}.")
    return release


@dataclass
class SectionView:
    section: ChecklistSection
    items: list = field(default_factory=list)  # (item, depth) in document order
    total: int = 0
    done: int = 0
    overdue: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def checklists(release: Release) -> list[SectionView]:
    """The release's sections, each with its items nested in order and its progress."""
    sections = list(ChecklistSection.objects.filter(release=release).select_related("owner"))
    items = list(ChecklistItem.objects.filter(release=release).order_by("order", "id"))
    _attach_people(items)
    by_section: dict[int, list[ChecklistItem]] = {section.pk: [] for section in sections}
    for item in items:
        by_section.setdefault(item.section_id, []).append(item)
    now = today()
    return [_section_view(section, by_section[section.pk], now) for section in sections]


class ItemRow:
    """A checklist item as the release page shows it: its columns, without a model object.

    Building a thousand model instances costs more than the rest of the page; a row holds
    only what the page reads (the names match the model's fields)."""

    __slots__ = ("done_at", "done_by", "done_by_id", "due_date", "due_offset", "is_overdue",
                 "nonworking", "notes", "owner", "owner_id", "parent_id", "pk", "responsible",
                 "revision", "section_id", "status", "text")
    COLUMNS = ("id", "section_id", "parent_id", "text", "owner_id", "responsible", "due_date",
               "due_offset", "status", "done_by_id", "done_at", "notes", "revision")

    def __init__(self, pk, section_id, parent_id, text, owner_id, responsible, due_date,
                 due_offset, status, done_by_id, done_at, notes, revision):
        self.pk, self.section_id, self.parent_id, self.text = pk, section_id, parent_id, text
        self.owner_id, self.responsible, self.due_date = owner_id, responsible, due_date
        self.due_offset, self.status, self.done_by_id = due_offset, status, done_by_id
        self.done_at, self.notes, self.revision = done_at, notes, revision
        self.owner = self.done_by = None
        self.is_overdue, self.nonworking = False, ""

    def __str__(self) -> str:
        return self.text


def checklist_page(release: Release) -> list[SectionView]:
    """The sections as `checklists` gives them, with each item an `ItemRow`: the page's read."""
    sections = list(ChecklistSection.objects.filter(release=release).select_related("owner"))
    rows = ChecklistItem.objects.filter(release=release).order_by("order", "id").values_list(
        *ItemRow.COLUMNS)
    items = [ItemRow(*row) for row in rows]
    people = User.objects.in_bulk(
        {pk for item in items for pk in (item.owner_id, item.done_by_id) if pk})
    by_section: dict[int, list] = {section.pk: [] for section in sections}
    for item in items:
        if item.owner_id:
            item.owner = people.get(item.owner_id)
        if item.done_by_id:
            item.done_by = people.get(item.done_by_id)
        by_section.setdefault(item.section_id, []).append(item)
    now = today()
    return [_section_view(section, by_section[section.pk], now) for section in sections]


def _attach_people(items: list[ChecklistItem]) -> None:
    # A thousand items name a handful of people: load each person once instead of joining them
    # onto every row, which would build a user object per item.
    ids = {i.owner_id for i in items} | {i.done_by_id for i in items}
    people = User.objects.in_bulk([pk for pk in ids if pk])
    for item in items:
        item.owner = people.get(item.owner_id)
        item.done_by = people.get(item.done_by_id)


def _section_view(section: ChecklistSection, items: list, now: date) -> SectionView:
    view = SectionView(section=section)
    children: dict[int | None, list] = {}
    for item in items:
        item.is_overdue = is_overdue(item, now)
        children.setdefault(item.parent_id, []).append(item)
        view.total += 1
        view.done += item.status in FINISHED_ITEM_STATUSES
        view.overdue += item.is_overdue
    _walk(children, None, 0, view.items)
    return view


def _walk(children: dict, parent_id, depth: int, out: list) -> None:
    for item in children.get(parent_id, []):
        out.append((item, depth))
        _walk(children, item.pk, depth + 1, out)


def is_overdue(item: ChecklistItem, now: date | None = None) -> bool:
    now = now or today()
    return bool(item.due_date and item.due_date < now
                and item.status not in FINISHED_ITEM_STATUSES)


def t_minus_days(release: Release, now: date | None = None) -> int | None:
    """Days until go-live (negative once it has passed)."""
    if release.go_live is None:
        return None
    return (release.go_live - (now or today())).days


def products() -> QuerySet[Product]:
    return Product.objects.annotate(release_count=Count("releases")).order_by("name")


def people_names() -> list[tuple[str, str]]:
    """(username, name) of everyone who can sign in: the names an owner is picked from."""
    return [(user.username, str(user))
            for user in User.objects.filter(is_active=True).order_by("username")]

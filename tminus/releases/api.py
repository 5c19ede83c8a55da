"""JSON endpoints for products, templates, releases, checklists and scope."""

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from tminus.accounts.models import User
from tminus.accounts.roles import CONTRIBUTE, MANAGE, VIEW
from tminus.audit.selectors import audit_for_release
from tminus.core.api import api_actor, edit_revision
from tminus.core.errors import ValidationFailed
from tminus.core.offsets import parse_offset
from tminus.releases import presenters, selectors, services
from tminus.releases.models import (
    ChecklistItem,
    ChecklistSection,
    Milestone,
    Phase,
    Product,
    ScopeItem,
)
from tminus.releases.schemas import (
    AuditOut,
    ItemIn,
    ItemOut,
    ItemPatch,
    ProductIn,
    ProductOut,
    ReleaseDetail,
    ReleaseIn,
    ReleasePatch,
    ReleaseSummary,
    ScheduleIn,
    ScopeIn,
    ScopeItemOut,
    ScopePatch,
    SectionIn,
    SectionOut,
    TemplateOut,
    TransitionIn,
)
from tminus.releases.template_catalog import template_catalog

router = Router(tags=["releases"])


class PortfolioFilter(Schema):
    product: str = ""
    status: str = ""
    owner: str = ""
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0)


class PortfolioPage(Schema):
    count: int
    items: list[ReleaseSummary]


def _user_or_error(username: str | None, field: str = "owner") -> User | None:
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ValidationFailed({field: f"No user named {username!r}."})
    return user


def _product(key: str) -> Product:
    product = Product.objects.filter(key=key).first()
    if product is None:
        raise ValidationFailed({"product": f"No product with key {key!r}."})
    return product


@router.get("/products", response=list[ProductOut])
def product_list(request):
    api_actor(request, VIEW)
    return selectors.products()


@router.post("/products", response={201: ProductOut})
def product_create(request, data: ProductIn):
    actor = api_actor(request, MANAGE)
    return Status(201, services.product_create(key=data.key, name=data.name,
                                               description=data.description, actor=actor))


@router.get("/templates", response=list[TemplateOut])
def template_list(request):
    api_actor(request, VIEW)
    return template_catalog()


@router.get("/releases", response=PortfolioPage)
def release_list(request, filters: Query[PortfolioFilter]):
    api_actor(request, VIEW)
    releases = selectors.portfolio(product=filters.product, status=filters.status,
                                   owner=filters.owner)
    page = releases[filters.offset:filters.offset + filters.limit]
    return {"count": releases.count(),
            "items": [presenters.release_summary(r) for r in selectors.with_progress(page)]}


@router.post("/releases", response={201: ReleaseDetail})
def release_create(request, data: ReleaseIn):
    actor = api_actor(request, MANAGE)
    release = services.release_create(
        product=_product(data.product), name=data.name, template_key=data.template,
        go_live=data.go_live, version=data.version, goal=data.goal, key=data.key,
        owner=_user_or_error(data.owner), planning_start=data.planning_start, actor=actor,
    )
    return Status(201, presenters.release_detail(_annotated(release.key)))


def _annotated(key: str):
    return selectors.with_progress([selectors.release_get(key)])[0]


@router.get("/releases/{key}", response=ReleaseDetail)
def release_detail(request, key: str):
    api_actor(request, VIEW)
    return presenters.release_detail(_annotated(key))


@router.patch("/releases/{key}", response=ReleaseDetail)
def release_update(request, key: str, data: ReleasePatch):
    actor = api_actor(request, MANAGE)
    changes = data.dict(exclude_unset=True)
    revision = edit_revision(request, changes.pop("revision", None))
    if "owner" in changes:
        changes["owner"] = _user_or_error(changes["owner"])
    services.release_update(release=selectors.release_get(key), revision=revision,
                            changes=changes, actor=actor)
    return presenters.release_detail(_annotated(key))


@router.post("/releases/{key}/schedule", response=ReleaseDetail)
def release_schedule(request, key: str, data: ScheduleIn):
    actor = api_actor(request, MANAGE)
    services.release_schedule_shift(release=selectors.release_get(key), go_live=data.go_live,
                                    revision=data.revision, reason=data.reason, actor=actor)
    return presenters.release_detail(_annotated(key))


@router.post("/releases/{key}/transition", response=ReleaseDetail)
def release_transition(request, key: str, data: TransitionIn):
    actor = api_actor(request, MANAGE)
    services.release_transition(release=selectors.release_get(key), to_status=data.status,
                                reason=data.reason, actor=actor)
    return presenters.release_detail(_annotated(key))


@router.get("/releases/{key}/checklists", response=list[SectionOut])
def checklist_list(request, key: str):
    api_actor(request, VIEW)
    views = selectors.checklists(selectors.release_get(key))
    return [presenters.section_dict(view) for view in views]


@router.post("/releases/{key}/checklists", response={201: SectionOut})
def checklist_section_add(request, key: str, data: SectionIn):
    actor = api_actor(request, CONTRIBUTE)
    offset = None
    if data.due:
        try:
            offset = parse_offset(data.due)
        except ValueError as error:
            raise ValidationFailed({"due": str(error)}) from None
    section = services.checklist_section_add(
        release=selectors.release_get(key), title=data.title, group=data.group,
        due_date=data.due_date, due_offset=offset, actor=actor,
    )
    return Status(201, presenters.section_dict(selectors.SectionView(section=section)))


@router.post("/checklist-sections/{section_id}/items", response={201: ItemOut})
def checklist_item_add(request, section_id: int, data: ItemIn):
    actor = api_actor(request, CONTRIBUTE)
    section = get_object_or_404(ChecklistSection, pk=section_id)
    parent = None
    if data.parent_id:
        parent = ChecklistItem.objects.filter(pk=data.parent_id).first()
        if parent is None:
            raise ValidationFailed({"parent_id": f"No checklist item {data.parent_id}."})
    item = services.checklist_item_add(section=section, text=data.text, parent=parent,
                                       owner=_user_or_error(data.owner),
                                       due_date=data.due_date, actor=actor)
    return Status(201, presenters.item_dict(item))


@router.patch("/checklist-items/{item_id}", response=ItemOut)
def checklist_item_update(request, item_id: int, data: ItemPatch):
    actor = api_actor(request, CONTRIBUTE)
    item = get_object_or_404(ChecklistItem, pk=item_id)
    changes = data.dict(exclude_unset=True)
    revision = edit_revision(request, changes.pop("revision", None))
    if "owner" in changes:
        changes["owner"] = _user_or_error(changes["owner"])
    item = services.checklist_item_update(item=item, revision=revision, changes=changes,
                                          actor=actor)
    return presenters.item_dict(item)


class PlanMoveIn(Schema):
    direction: str = Field("", description="up, down, indent or outdent (items nest)")
    before: int | None = Field(None, description="Drop before this part of the same kind; 0: "
                                                 "last place")
    section: int | None = Field(None, description="For an item: the section it is dropped into")
    revision: int | None = Field(None, description="The part's revision as you saw it (or send "
                                                   "If-Match); a stale one is refused with 409")


class PlanMoveOut(Schema):
    id: int
    order: int
    section_id: int | None = None
    parent_id: int | None = None
    revision: int


MOVABLE = {"phase": Phase, "milestone": Milestone, "section": ChecklistSection,
           "item": ChecklistItem, "scope": ScopeItem}


@router.post("/releases/{key}/plan/{kind}/{part_id}/move", response=PlanMoveOut)
def plan_part_move(request, key: str, kind: str, part_id: int, data: PlanMoveIn):
    """Reorder a phase, milestone, checklist section, item or scope item, as the page does."""
    actor = api_actor(request, CONTRIBUTE)
    if kind not in MOVABLE:
        raise ValidationFailed({"kind": f"Move one of: {', '.join(MOVABLE)}."})
    part = get_object_or_404(MOVABLE[kind], pk=part_id, release=selectors.release_get(key))
    part = services.release_part_reorder(part=part, direction=data.direction,
                                         before_id=data.before, section_id=data.section,
                                         revision=edit_revision(request, data.revision),
                                         actor=actor)
    return {"id": part.pk, "order": part.order, "section_id": getattr(part, "section_id", None),
            "parent_id": getattr(part, "parent_id", None), "revision": part.revision}


@router.get("/releases/{key}/scope", response=list[ScopeItemOut])
def scope_list(request, key: str):
    api_actor(request, VIEW)
    return selectors.release_get(key).scope_items.all()


@router.post("/releases/{key}/scope", response={201: ScopeItemOut})
def scope_item_add(request, key: str, data: ScopeIn):
    actor = api_actor(request, CONTRIBUTE)
    item = services.scope_item_add(release=selectors.release_get(key), actor=actor, **data.dict())
    return Status(201, item)


@router.patch("/scope-items/{item_id}", response=ScopeItemOut)
def scope_item_update(request, item_id: int, data: ScopePatch):
    actor = api_actor(request, CONTRIBUTE)
    changes = data.dict(exclude_unset=True)
    revision = edit_revision(request, changes.pop("revision", None))
    return services.scope_item_update(item=get_object_or_404(ScopeItem, pk=item_id),
                                      revision=revision, changes=changes, actor=actor)


@router.get("/releases/{key}/history", response=list[AuditOut])
def release_history(request, key: str):
    api_actor(request, VIEW)
    release = selectors.release_get(key)
    return [presenters.audit_dict(event) for event in audit_for_release(release.pk)]

"""The parts of a release plan people edit in place on its page, each through its service."""

from django.utils.html import escape

from tminus.accounts.roles import CONTRIBUTE, MANAGE
from tminus.core.errors import ValidationFailed
from tminus.core.inline import (
    CHOICE,
    DATE,
    LONG_TEXT,
    TEXT,
    USER,
    WHEN,
    Editable,
    InlineField,
    find_user,
    register_editable,
)
from tminus.releases import services
from tminus.releases.choices import (
    ItemStatus,
    MilestoneKind,
    ReleaseType,
    ScopeKind,
    ScopeStatus,
)
from tminus.releases.models import (
    ChecklistItem,
    ChecklistSection,
    Milestone,
    Phase,
    Release,
    ScopeItem,
)


def _fields(*specs: InlineField) -> dict[str, InlineField]:
    return {spec.name: spec for spec in specs}


def _update_release(release, revision, changes, actor):
    if "go_live" in changes:
        return services.release_schedule_shift(release=release, go_live=changes["go_live"],
                                               revision=revision, actor=actor)
    return services.release_update(release=release, revision=revision, changes=changes,
                                   actor=actor)


def item_owner_changes(text: str, item) -> dict:
    """An account when the name is someone who signs in; otherwise a person of the release
    (a stakeholder without an account) is named as responsible."""
    text = (text or "").strip()
    if not text:
        return {"owner": None, "responsible": ""}
    try:
        return {"owner": find_user(text), "responsible": ""}
    except ValueError as error:
        from tminus.people.models import Person

        person = Person.objects.filter(stakeholder_roles__release_id=item.release_id,
                                       name__iexact=text).first()
        if person is None:
            raise ValidationFailed({"owner": str(error)}) from None
        if person.user_id:
            return {"owner": person.user, "responsible": ""}
        return {"owner": None, "responsible": person.name}


def _item_owner(item) -> str:
    who = item.owner or item.responsible
    return escape(who) if who else "—"


def register() -> None:
    register_editable(Editable(
        kind="release", model=Release, capability=MANAGE, update=_update_release,
        release_id=lambda release: release.pk,
        fields=_fields(
            InlineField("name", "Name"),
            InlineField("version", "Version"),
            InlineField("release_type", "Type", CHOICE, tuple(ReleaseType.choices)),
            InlineField("goal", "Goal", LONG_TEXT, links=True),
            InlineField("owner", "Owner", USER),
            InlineField("go_live", "Go-live", DATE),
            InlineField("planning_start", "Planning start", DATE),
        ),
    ))
    register_editable(Editable(
        kind="phase", model=Phase, capability=MANAGE,
        update=lambda row, revision, changes, actor: services.phase_update(
            phase=row, revision=revision, changes=changes, actor=actor),
        fields=_fields(
            InlineField("name", "Name"),
            InlineField("start", "Start", WHEN, attrs=("start_date", "start_offset")),
            InlineField("end", "End", WHEN, attrs=("end_date", "end_offset")),
        ),
    ))
    register_editable(Editable(
        kind="milestone", model=Milestone, capability=MANAGE,
        update=lambda row, revision, changes, actor: services.milestone_update(
            milestone=row, revision=revision, changes=changes, actor=actor),
        fields=_fields(
            InlineField("name", "Name"),
            InlineField("kind", "Kind", CHOICE, tuple(MilestoneKind.choices)),
            InlineField("date", "Date", WHEN, attrs=("date", "date_offset")),
            InlineField("responsible", "Who"),
        ),
    ))
    register_editable(Editable(
        kind="section", model=ChecklistSection, capability=CONTRIBUTE,
        update=lambda row, revision, changes, actor: services.checklist_section_update(
            section=row, revision=revision, changes=changes, actor=actor),
        fields=_fields(
            InlineField("title", "Title"),
            InlineField("owner", "Owner", USER),
            InlineField("due", "Due", WHEN, attrs=("due_date", "due_offset")),
            InlineField("notes", "Notes", LONG_TEXT, links=True),
        ),
    ))
    register_editable(Editable(
        kind="item", model=ChecklistItem, capability=CONTRIBUTE,
        update=lambda row, revision, changes, actor: services.checklist_item_update(
            item=row, revision=revision, changes=changes, actor=actor),
        queryset=lambda: ChecklistItem.objects.select_related("owner", "release"),
        fields=_fields(
            InlineField("text", "Text", TEXT, links=True),
            InlineField("owner", "Owner", USER, to_changes=item_owner_changes,
                        show=_item_owner),
            InlineField("due", "Due", WHEN, attrs=("due_date", "due_offset")),
            InlineField("notes", "Notes", LONG_TEXT, links=True),
            InlineField("status", "Status", CHOICE, tuple(ItemStatus.choices)),
        ),
    ))
    register_editable(Editable(
        kind="scope", model=ScopeItem, capability=CONTRIBUTE,
        update=lambda row, revision, changes, actor: services.scope_item_update(
            item=row, revision=revision, changes=changes, actor=actor),
        fields=_fields(
            InlineField("title", "Title", TEXT, links=True),
            InlineField("kind", "Kind", CHOICE, tuple(ScopeKind.choices)),
            InlineField("status", "Status", CHOICE, tuple(ScopeStatus.choices)),
            InlineField("description", "Description", LONG_TEXT, links=True),
            InlineField("link", "Link"),
        ),
    ))

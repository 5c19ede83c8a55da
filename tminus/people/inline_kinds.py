"""Stakeholders and the people behind them, edited in place on the release page."""

from tminus.accounts.roles import MANAGE
from tminus.core.inline import (
    CHOICE,
    FLAG,
    LONG_TEXT,
    TEXT,
    USER,
    Editable,
    InlineField,
    register_editable,
)
from tminus.people import services
from tminus.people.choices import Accountability, StakeholderRole
from tminus.people.models import Person, Stakeholder


def register() -> None:
    register_editable(Editable(
        kind="stakeholder", model=Stakeholder, capability=MANAGE,
        update=lambda row, revision, changes, actor: services.stakeholder_update(
            stakeholder=row, revision=revision, changes=changes, actor=actor),
        queryset=lambda: Stakeholder.objects.select_related("person"),
        fields={spec.name: spec for spec in (
            InlineField("role", "Role", CHOICE, tuple(StakeholderRole.choices)),
            InlineField("accountability", "Accountability", CHOICE,
                        tuple(Accountability.choices)),
            InlineField("responsible_for", "Responsible for", LONG_TEXT),
            InlineField("is_approver", "Approver", FLAG),
        )},
    ))
    # A person and their account are one: linking the account lets them sign in, own items
    # and cast their own go/no-go vote.
    register_editable(Editable(
        kind="person", model=Person, capability=MANAGE, release_id=lambda person: None,
        update=lambda row, revision, changes, actor: services.person_update(
            person=row, revision=revision, changes=changes, actor=actor),
        queryset=lambda: Person.objects.select_related("user"),
        fields={spec.name: spec for spec in (
            InlineField("name", "Name", TEXT),
            InlineField("title", "Title", TEXT),
            InlineField("email", "Email", TEXT),
            InlineField("phone", "Phone", TEXT),
            InlineField("user", "Account", USER),
        )},
    ))

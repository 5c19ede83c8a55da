"""Risks edited in place on the release page, through the risk register's service."""

from django.utils.html import escape

from tminus.accounts.roles import CONTRIBUTE
from tminus.core.errors import ValidationFailed
from tminus.core.inline import (
    CHOICE,
    LONG_TEXT,
    TEXT,
    WHEN,
    Editable,
    InlineField,
    register_editable,
)
from tminus.readiness import services
from tminus.readiness.choices import Impact, Probability, RiskStatus
from tminus.readiness.models import Risk


def person_of_release(text: str, row) -> dict:
    """A person named on the plan, found by name; empty clears the owner."""
    from tminus.people.models import Person

    text = (text or "").strip()
    if not text:
        return {"owner": None}
    person = Person.objects.filter(name__iexact=text).first()
    if person is None:
        raise ValidationFailed({"owner": f"No person called {text!r}; add them under People "
                                         f"first."})
    return {"owner": person}


def register() -> None:
    register_editable(Editable(
        kind="risk", model=Risk, capability=CONTRIBUTE,
        update=lambda row, revision, changes, actor: services.risk_update(
            risk=row, revision=revision, changes=changes, actor=actor),
        queryset=lambda: Risk.objects.select_related("owner", "release"),
        fields={spec.name: spec for spec in (
            InlineField("description", "Risk", TEXT, links=True),
            InlineField("probability", "Probability", CHOICE, tuple(Probability.choices)),
            InlineField("impact", "Impact", CHOICE, tuple(Impact.choices)),
            InlineField("status", "Status", CHOICE, tuple(RiskStatus.choices)),
            InlineField("owner", "Owner", TEXT, to_changes=person_of_release,
                        show=lambda risk: escape(risk.owner.name) if risk.owner else "—"),
            InlineField("mitigation", "Mitigation", LONG_TEXT, links=True),
            InlineField("review", "Review", WHEN, attrs=("review_date", "review_offset")),
        )},
    ))

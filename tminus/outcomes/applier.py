"""Laying out a new release's close-out from its template (registered in apps.py).

A saved template carries the close-out under its "outcomes" key (questions, sign-off roles,
handoff items, KPIs); a built-in one gets the defaults for its release type.
"""

import logging

from tminus.core.offsets import date_at, parse_offset
from tminus.outcomes.defaults import HANDOFF_DUE, HANDOFF_GROUP, HANDOFF_TITLE, closeout_defaults
from tminus.outcomes.models import Closeout, Kpi, ReviewQuestion, SignOff
from tminus.outcomes.targets import parse_target
from tminus.releases.models import ChecklistItem, ChecklistSection

log = logging.getLogger(__name__)


def closeout_apply(release, definition: dict) -> None:
    """Create the review questions, sign-off roles, handoff checklist and KPIs of a release."""
    part = definition.get("outcomes") or closeout_defaults(definition.get("release_type", ""))
    closeout_layout(release, part)


def closeout_layout(release, part: dict) -> Closeout:
    ReviewQuestion.objects.bulk_create(
        ReviewQuestion(release=release, question=text, order=index)
        for index, text in enumerate(part.get("questions", []))
    )
    SignOff.objects.bulk_create(
        SignOff(release=release, role=role, order=index)
        for index, role in enumerate(dict.fromkeys(part.get("signoff_roles", [])))
    )
    section = _handoff_section(release, part.get("handoff", []), part.get("handoff_due"))
    for index, spec in enumerate(part.get("kpis", [])):
        _kpi_from_template(release, index, spec)
    closeout, _ = Closeout.objects.update_or_create(release=release,
                                                    defaults={"handoff_section": section})
    return closeout


def _handoff_section(release, items: list[str], due: str | None):
    if not items:
        return None
    offset = parse_offset(due or HANDOFF_DUE)
    section = ChecklistSection.objects.create(
        release=release, title=HANDOFF_TITLE, group=HANDOFF_GROUP,
        order=release.checklist_sections.count(), due_offset=offset,
        due_date=date_at(release.go_live, offset),
    )
    ChecklistItem.objects.bulk_create(
        ChecklistItem(release=release, section=section, text=text, order=index,
                      due_offset=offset, due_date=section.due_date)
        for index, text in enumerate(items)
    )
    return section


def _kpi_from_template(release, index: int, spec: dict) -> None:
    try:
        target = parse_target(spec["target"])
    except (KeyError, ValueError) as error:
        # Saved templates were checked when saved; a bad entry is skipped, not fatal.
        log.warning("template KPI %r skipped: %s", spec, error)
        return
    Kpi.objects.create(
        release=release, key=spec.get("key") or f"kpi-{index + 1}",
        name=spec.get("name") or target.subject or f"KPI {index + 1}",
        target_text=spec["target"], comparator=target.comparator, target_value=target.value,
        unit=target.unit, window=target.window, window_hours=target.window_hours,
        source=spec.get("source", "manual"), query=spec.get("query", ""),
        source_url=spec.get("source_url", ""), schedule=spec.get("schedule", ""), order=index,
    )

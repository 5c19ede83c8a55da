"""Outcomes and reports mappers: post-launch questions, sign-offs, lessons learned and release
notes become records; the export shows answers, who signed and when, lessons and edited notes."""

import pytest
from django.utils import timezone

from tests.plans.helpers import import_plan, missing_lines, seed, seed_part
from tminus.core.actors import Actor
from tminus.plans.exporting import export_markdown, plan_as_code
from tminus.releases.models import Release

pytestmark = pytest.mark.django_db
CLI = Actor.cli()
CLOSURE = seed_part("003", "## Project Closure")


def _imported(text: str, **kwargs) -> Release:
    return Release.objects.get(key=import_plan(text.encode(), **kwargs).release_key)


def test_seed_004_post_launch_questions_become_review_questions_and_answers_show():
    from tminus.outcomes.services import review_question_answer

    release = _imported(seed("004").read_text())
    questions = list(release.review_questions.all())
    assert len(questions) == 5
    assert questions[4].question.startswith("What technical tasks are needed to clean up")

    review_question_answer(question=questions[1], answer="Veterans like the PDF.",
                           revision=None, actor=CLI)
    exported = export_markdown(release)

    assert ("1. What qualitative feedback have you gathered from users or other stakeholders?\n"
            f"   - **Answer**: Veterans like the PDF. — {timezone.localdate():%Y-%m-%d}\n"
            ) in exported
    again = _imported(exported)
    assert again.review_questions.get(question=questions[1].question).answer == (
        "Veterans like the PDF.")


def test_seed_003_final_sign_off_shows_who_signed_and_when(manager):
    from tminus.outcomes.services import signoff_sign

    release = _imported(CLOSURE)
    roles = list(release.signoffs.values_list("role", flat=True))
    assert roles == ["Project Manager", "Technical Lead", "Product Owner", "Business Sponsor"]

    signoff_sign(signoff=release.signoffs.get(role="Technical Lead"), actor=Actor(manager, "web"))
    exported = export_markdown(release)

    assert (f"**Technical Lead**: rita-manager **Date**: {timezone.localdate():%Y-%m-%d}"
            in exported)
    assert "**Product Owner**: _______________________________ **Date**: _____________" \
        in exported
    assert {"role": "Technical Lead", "signed_by": "rita-manager",
            "signed_at": f"{timezone.localdate():%Y-%m-%d}"} in plan_as_code(release)["signoffs"]


def test_lessons_recorded_in_t_minus_fill_the_blank_lines_of_their_kind():
    from tminus.outcomes.services import lesson_add

    release = _imported(CLOSURE, key="closure")
    lesson_add(release=release, kind="went_well", text="UAT caught the rounding bug",
               actor=CLI)

    exported = export_markdown(release)

    assert ("**What Went Well**:\n1. UAT caught the rounding bug\n"
            "2. _________________________________________________\n"
            "3. _________________________________________________\n") in exported
    assert import_plan(CLOSURE.encode(), key="closure").report["changes"] == []
    assert release.lessons.count() == 1
    assert missing_lines(CLOSURE, export_markdown(_imported(CLOSURE))) == []


def test_seed_000_release_notes_become_the_release_notes_and_edits_show():
    from tminus.reports.services import release_notes_update

    text = seed_part("000", "### Release Notes:")
    release = _imported(text)
    notes = release.release_notes
    assert notes.body.startswith("New Feature: You can now easily place orders")
    assert missing_lines(text, export_markdown(release)) == []

    release_notes_update(notes=notes, body="New Feature: One-click orders.", revision=None,
                         actor=CLI)

    assert "### Release Notes:\nNew Feature: One-click orders.\n" in export_markdown(release)


KPI_TABLE = """# Checkout release

Go-Live Date: 2025-10-01

## Success metrics

| Metric | Target | Baseline | Week 1 | Week 2 | Actual |
|---|---|---|---|---|---|
| Checkout error rate | < 1% | 2.5% | 1.4% | 0.8% | 0.7% |
| Page load (p95) | 2 s | 3.1 s | 2.6 s | [FILL_IN] | TBD |
| KPI 1 actual | [FILL_IN] | | 12 | | |
| Support tickets | see [#123](https://x.example/123) | 40 | | | |

| KPI | Goal | Stage A | Stage B |
|---|---|---|---|
| Conversion | ≥ 3% | 3.2% | 2.9% |
"""


def _readings(kpi) -> list[tuple]:
    return [(c.slot, c.note, c.value) for c in kpi.checkins.order_by("id")]


def test_metric_table_rows_become_kpis_with_target_baseline_and_readings():
    release = _imported(KPI_TABLE)

    kpis = {k.name: k for k in release.kpis.all()}
    assert set(kpis) == {"Checkout error rate", "Page load (p95)", "Conversion"}
    errors = kpis["Checkout error rate"]
    assert (errors.comparator, errors.target_value, errors.unit, errors.baseline) == \
        ("<", 1.0, "%", 2.5)
    assert _readings(errors) == [("week-1", "Week 1", 1.4), ("week-2", "Week 2", 0.8),
                                 ("", "Actual", 0.7)]
    assert _readings(kpis["Conversion"]) == [("", "Stage A", 3.2), ("", "Stage B", 2.9)]
    assert missing_lines(KPI_TABLE, export_markdown(release)) == []


def test_bare_target_below_its_baseline_means_lower_is_better_and_placeholders_are_no_values():
    release = _imported(KPI_TABLE)

    load = release.kpis.get(name="Page load (p95)")
    assert (load.comparator, load.target_value, load.unit, load.baseline) == ("<=", 2.0, "s", 3.1)
    assert _readings(load) == [("week-1", "Week 1", 2.6)]
    assert not release.kpis.filter(name__icontains="KPI 1").exists()
    assert not release.kpis.filter(name="Support tickets").exists()


def test_metric_table_reimport_changes_nothing_and_a_changed_reading_is_corrected():
    release = _imported(KPI_TABLE, key="checkout")

    assert import_plan(KPI_TABLE.encode(), key="checkout").report["changes"] == []
    changed = KPI_TABLE.replace("| 1.4% | 0.8% | 0.7% |", "| 1.4% | 0.9% | 0.7% |")
    outcome = import_plan(changed.encode(), key="checkout")

    errors = release.kpis.get(name="Checkout error rate")
    assert outcome.report["changes"] == ["corrected the Week 2 reading of KPI "
                                         "'Checkout error rate'"]
    assert [v for _s, _n, v in _readings(errors)] == [1.4, 0.9, 0.7]
    code = plan_as_code(release)["kpis"]
    assert {"name": "Checkout error rate", "target": "< 1%", "baseline": "2.5%",
            "readings": [{"label": "Week 1", "value": "1.4%"},
                         {"label": "Week 2", "value": "0.9%"},
                         {"label": "Actual", "value": "0.7%"}]} in code

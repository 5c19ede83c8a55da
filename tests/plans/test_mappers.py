"""Area mappers: risk tables and KPI lists become records, and a mapper whose area is not
ready is skipped so its sections are kept as notes."""

import pytest

from tests.plans.helpers import import_plan, missing_lines, seed, seed_part
from tminus.core.actors import Actor
from tminus.plans import mapping
from tminus.plans.exporting import export_markdown, plan_as_code
from tminus.plans.mapping.kpis import KpiMapper
from tminus.plans.mapping.risks import RiskMapper
from tminus.releases.models import Release

pytestmark = pytest.mark.django_db


def _imported(number: str, heading: str = "") -> Release:
    data = seed_part(number, heading).encode() if heading else seed(number).read_bytes()
    return Release.objects.get(key=import_plan(data).release_key)


def test_mapper_registry_lists_live_mappers_in_claiming_order():
    keys = [m.key for m in mapping.active_mappers()]

    # The release claims after every area; only the go/no-go criteria that follow its
    # checklist items come after it.
    assert keys[-2:] == ["release", "readiness_criteria"]
    assert {"risks", "kpis", "tables", "events", "flags"} <= set(keys)


def test_seed_003_risk_table_becomes_the_risk_register():
    release = _imported("003", "## Risk Management")

    risks = {r.description: (r.probability, r.impact, r.mitigation) for r in release.risks.all()}
    assert risks["Security vulnerability"] == ("low", "critical",
                                               "Security audit, penetration testing")
    assert len(risks) == 5


def test_risk_changed_in_t_minus_is_rewritten_in_its_table_row_and_new_risks_follow():
    from tminus.readiness import services

    release = _imported("003", "## Risk Management")
    risk = release.risks.get(description="Integration failures")
    services.risk_update(risk=risk, revision=None, changes={"impact": "critical"},
                         actor=Actor.cli())
    services.risk_add(release=release, description="Vendor outage", probability="medium",
                      impact="high", actor=Actor.cli())

    exported = export_markdown(release)

    assert "| Integration failures | Low | Critical | Comprehensive testing, fallback " \
           "procedures |" in exported
    table_end = exported.index("| Security vulnerability |")
    assert exported.index("| Vendor outage | Medium | High |") > table_end
    assert "Vendor outage" in [r["description"] for r in plan_as_code(release)["risks"]]


def test_seed_001_success_metrics_become_kpis_with_parsed_targets():
    release = _imported("001")

    targets = {k.target_text: (k.comparator, k.target_value, k.unit) for k in release.kpis.all()}
    assert targets["95% uptime"] == (">=", 95.0, "%")
    assert targets["<2 second page load time"] == ("<", 2.0, "s")
    assert len(targets) == 5


def test_kpi_reading_is_shown_next_to_its_target_line():
    from datetime import UTC, datetime

    from tminus.outcomes.models import KpiCheckin

    release = _imported("001")
    kpi = release.kpis.get(target_text="95% uptime")
    KpiCheckin.objects.create(kpi=kpi, value=97.5, taken_at=datetime(2026, 2, 1, tzinfo=UTC),
                              source="manual")

    exported = export_markdown(release)

    assert "- 95% uptime — measured 97.5% on 2026-02-01: met" in exported


def test_seed_003_technical_metrics_are_kpis_not_checklist_items():
    release = _imported("003", "## Success Metrics")

    assert release.kpis.filter(target_text="Error rate: < 1%").exists()
    assert not release.checklist_sections.filter(title="Technical Metrics").exists()


def test_mapper_not_ready_is_skipped_and_its_table_is_kept_as_notes(monkeypatch):
    monkeypatch.setattr(RiskMapper, "ready", lambda self: False)
    monkeypatch.setattr(KpiMapper, "ready", lambda self: (_ for _ in ()).throw(ImportError()))

    release = _imported("003")

    assert not release.risks.exists() and not release.kpis.exists()
    assert missing_lines(seed("003").read_text(), export_markdown(release)) == []


def test_seed_003_escalation_path_and_on_call_rota_become_people_records():
    release = _imported("003", "### Ongoing Support")

    steps = [(s.from_party, s.to_party, s.condition) for s in release.escalation_steps.all()]
    assert steps[0] == ("User", "Support Team", "")
    assert steps[1] == ("Support Team", "Technical Lead", "if can't resolve")
    assert list(release.on_call_shifts.values_list("week", flat=True)) == [1, 2, 3, 4]


def test_on_call_names_filled_in_t_minus_appear_in_the_rota_table():
    from tminus.people.services import on_call_shift_update, person_create

    release = _imported("003", "### Ongoing Support")
    shift = release.on_call_shifts.get(week=2)
    ana = person_create(name="Ana Ruiz", actor=Actor.cli())
    on_call_shift_update(shift=shift, revision=None, changes={"primary": ana},
                         actor=Actor.cli())

    assert "| Week 2 | Ana Ruiz |  |" in export_markdown(release)

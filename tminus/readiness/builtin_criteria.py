"""The criterion kinds readiness itself provides, registered like any other area's."""

from tminus.people.choices import StakeholderRole
from tminus.people.models import Person
from tminus.readiness import selectors
from tminus.readiness.choices import LEVEL_MIN_SCORE, RiskLevel, RiskStatus, Vote
from tminus.readiness.criteria import register_criterion_kind
from tminus.releases.choices import FINISHED_ITEM_STATUSES
from tminus.releases.models import ChecklistItem

SHOWN = 5  # how many offending rows a 'why' names before it says "and N more"
GO_VOTES = (Vote.GO, Vote.GO_WITH_CONDITIONS)


def _listing(names: list[str], total: int) -> str:
    text = "; ".join(names)
    return text + (f"; and {total - len(names)} more" if total > len(names) else "")


def _choice(params: dict, name: str, allowed: list[str], default: str) -> str:
    value = params.get(name, default)
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}, not {value!r}.")
    return value


# Checklist sections complete ------------------------------------------------------------------
CHECKLIST_SCOPES = ["before_go_live", "all"]


def _checklist_clean(params: dict) -> dict:
    return {"scope": _choice(params, "scope", CHECKLIST_SCOPES, "before_go_live")}


def _checklist_describe(params: dict) -> str:
    if params.get("scope", "before_go_live") == "all":
        return "Every checklist section complete"
    return "Checklist sections due before go-live complete"


def _checklist_evaluate(release, params: dict) -> tuple[bool, str]:
    items = ChecklistItem.objects.filter(release=release)
    where = "in every section"
    if params.get("scope", "before_go_live") == "before_go_live" and release.go_live:
        items = items.exclude(section__due_date__gte=release.go_live)
        where = "in sections due before go-live"
    open_items = items.exclude(status__in=FINISHED_ITEM_STATUSES)
    total = open_items.count()
    if not total:
        return True, f"Every item {where} is done."
    shown = [f"{text} ({section})" for text, section in
             open_items.values_list("text", "section__title")[:SHOWN]]
    return False, f"{total} open item{'s' if total > 1 else ''} {where}: {_listing(shown, total)}."


# No open risk at or above a level -------------------------------------------------------------
def _risk_clean(params: dict) -> dict:
    return {"level": _choice(params, "level", list(RiskLevel.values), RiskLevel.HIGH)}


def _risk_describe(params: dict) -> str:
    return f"No open risk at {params.get('level', RiskLevel.HIGH)} level or above"


def _risk_evaluate(release, params: dict) -> tuple[bool, str]:
    level = params.get("level", RiskLevel.HIGH)
    found = selectors.risks(release).filter(status=RiskStatus.OPEN,
                                            score__gte=LEVEL_MIN_SCORE[level])
    total = found.count()
    if not total:
        return True, f"No open risk at {level} level or above."
    shown = [f"{r.description} ({r.probability} probability x {r.impact} impact = {r.score})"
             for r in found[:SHOWN]]
    return False, f"{total} open risk{'s' if total > 1 else ''}: {_listing(shown, total)}."


# Dependencies met ------------------------------------------------------------------------------
DEPENDENCY_SCOPES = ["overdue", "by_go_live"]


def _dependency_clean(params: dict) -> dict:
    return {"scope": _choice(params, "scope", DEPENDENCY_SCOPES, "overdue")}


def _dependency_describe(params: dict) -> str:
    if params.get("scope", "overdue") == "by_go_live":
        return "Every dependency needed by go-live is met"
    return "No dependency is unmet past its needed-by date"


def _dependency_evaluate(release, params: dict) -> tuple[bool, str]:
    by_go_live = params.get("scope", "overdue") == "by_go_live"
    blocking = []
    for dependency in selectors.dependencies(release):
        state = selectors.dependency_state(dependency)
        if state["met"]:
            continue
        needed_for_go_live = (release.go_live is None or dependency.needed_by is None
                              or dependency.needed_by <= release.go_live)
        if state["overdue"] or (by_go_live and needed_for_go_live):
            blocking.append(f"{dependency.name}: {state['why']}")
    if not blocking:
        scope = "needed by go-live" if by_go_live else "past its needed-by date"
        return True, f"No unmet dependency {scope}."
    return False, f"{len(blocking)} unmet: {_listing(blocking[:SHOWN], len(blocking))}"


# Sign-off by discipline -----------------------------------------------------------------------
def _discipline_clean(params: dict) -> dict:
    discipline = params.get("discipline")
    if discipline not in StakeholderRole.values:
        raise ValueError(f"discipline must be one of {', '.join(StakeholderRole.values)}, "
                         f"not {discipline!r}.")
    return {"discipline": discipline}


def _discipline_label(params: dict) -> str:
    value = params.get("discipline", "")
    return StakeholderRole(value).label if value in StakeholderRole.values else value


def _discipline_evaluate(release, params: dict) -> tuple[bool, str]:
    label = _discipline_label(params)
    votes = list(selectors.current_votes(release).filter(discipline=params.get("discipline")))
    return _votes_verdict(votes, f"No Go from {label} yet.")


def _votes_verdict(votes: list, missing: str) -> tuple[bool, str]:
    against = [v for v in votes if v.vote == Vote.NO_GO]
    if against:
        return False, "; ".join(_vote_text(v) for v in against)
    if not votes:
        return False, missing
    return True, "; ".join(_vote_text(v) for v in votes)


def _vote_text(vote) -> str:
    text = f"{vote.approver.name} voted {vote.get_vote_display()}"
    return text + (f": {vote.comment}" if vote.comment else ".")


# Sign-off by named approver -------------------------------------------------------------------
def _approver_clean(params: dict) -> dict:
    person_id = params.get("person_id")
    if not isinstance(person_id, int) or not Person.objects.filter(pk=person_id).exists():
        raise ValueError(f"person_id must name an existing person, not {person_id!r}.")
    return {"person_id": person_id}


def _approver_describe(params: dict) -> str:
    person = Person.objects.filter(pk=params.get("person_id")).first()
    return f"Sign-off from {person.name if person else 'a named approver'}"


def _approver_evaluate(release, params: dict) -> tuple[bool, str]:
    votes = list(selectors.current_votes(release).filter(approver_id=params.get("person_id")))
    person = votes[0].approver if votes else Person.objects.filter(
        pk=params.get("person_id")).first()
    name = person.name if person else "the approver (no longer on file)"
    return _votes_verdict(votes, f"No vote from {name} yet.")


# Go-live outside freeze windows ---------------------------------------------------------------
def _freeze_evaluate(release, params: dict) -> tuple[bool, str]:
    if release.go_live is None:
        return False, "No go-live date is set."
    warnings = selectors.go_live_freeze_warnings(release)
    if warnings:
        return False, " ".join(warnings)
    return True, f"No freeze window covers go-live ({release.go_live:%a %Y-%m-%d})."


def register_builtin_kinds() -> None:
    """Register the built-in kinds through the same registry other areas use."""
    register_criterion_kind("checklist_complete", "Checklist sections complete",
                            _checklist_evaluate, clean=_checklist_clean,
                            describe=_checklist_describe)
    register_criterion_kind("no_open_risk", "No open risk at or above a level", _risk_evaluate,
                            clean=_risk_clean, describe=_risk_describe)
    register_criterion_kind("dependencies_met", "Dependencies met", _dependency_evaluate,
                            clean=_dependency_clean, describe=_dependency_describe)
    register_criterion_kind("signoff_discipline", "Sign-off by discipline", _discipline_evaluate,
                            clean=_discipline_clean,
                            describe=lambda p: f"Sign-off from {_discipline_label(p)}")
    register_criterion_kind("signoff_approver", "Sign-off by named approver",
                            _approver_evaluate, clean=_approver_clean,
                            describe=_approver_describe)
    register_criterion_kind("go_live_outside_freeze", "Go-live outside freeze windows",
                            _freeze_evaluate, clean=lambda params: {},
                            describe=lambda params: "Go-live is outside every freeze window")

"""Every write to readiness: registers, criteria, the go/no-go, overrides and freeze windows."""

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from tminus.accounts.permissions import actor_can, require
from tminus.accounts.roles import ADMINISTER, CONTRIBUTE, MANAGE
from tminus.audit.services import audit_record, snapshot
from tminus.core.actors import Actor
from tminus.core.errors import NotAllowed, ValidationFailed
from tminus.core.events import emit
from tminus.core.offsets import MAX_DAYS, date_at
from tminus.people.choices import StakeholderRole
from tminus.people.editing import choice_error, create_row, remove_row, update_row
from tminus.people.models import Person, Stakeholder
from tminus.readiness import criteria as registry
from tminus.readiness import selectors
from tminus.readiness.choices import (
    IMPACT_WEIGHT,
    PROBABILITY_WEIGHT,
    DependencyKind,
    DependencyStatus,
    Impact,
    Outcome,
    Probability,
    RiskStatus,
    Vote,
)
from tminus.readiness.freeze import parse_rule
from tminus.readiness.models import (
    Contingency,
    Criterion,
    Dependency,
    FreezeWindow,
    GateOverride,
    GoNoGoDecision,
    GoNoGoVote,
    Risk,
)
from tminus.releases.choices import ReleaseStatus
from tminus.releases.models import Release

RISK_FIELDS = ["description", "probability", "impact", "score", "owner", "mitigation", "status",
               "review_date", "review_offset"]
DEPENDENCY_FIELDS = ["name", "kind", "description", "owner", "needed_by", "needed_by_offset",
                     "status", "required_release"]
CONTINGENCY_FIELDS = ["label", "name", "trigger", "steps", "owner"]
CRITERION_FIELDS = ["kind", "label", "params", "order"]
FREEZE_FIELDS = ["product", "name", "reason", "starts_at", "ends_at", "rrule"]
# The go/no-go is over once a release is deploying or beyond (until a rollback starts it again).
VOTING_CLOSED = (ReleaseStatus.DEPLOYING, ReleaseStatus.LIVE, ReleaseStatus.CLOSED,
                 ReleaseStatus.CANCELLED)


def _offset_error(offset: int | None, field: str) -> dict:
    if offset is not None and abs(offset) > MAX_DAYS:
        return {field: f"T{offset:+d}d is more than ten years from go-live."}
    return {}


def _follow_go_live(row, date_field: str, offset_field: str, changes: dict | None) -> list[str]:
    """Keep a date and its offset consistent: an offset sets the date; a date set by hand
    drops the offset, so it stays put when go-live moves."""
    if changes is None or offset_field in changes:
        offset = getattr(row, offset_field)
        if offset is not None:
            setattr(row, date_field, date_at(row.release.go_live, offset))
        return [date_field, offset_field]
    if date_field in changes:
        setattr(row, offset_field, None)
        return [offset_field]
    return []


# Risks -----------------------------------------------------------------------------------------
def _risk_errors(risk: Risk) -> dict:
    errors = {}
    if not (risk.description or "").strip():
        errors["description"] = "Describe the risk."
    for field, choices in (("probability", Probability), ("impact", Impact),
                           ("status", RiskStatus)):
        message = choice_error(getattr(risk, field), choices, field)
        if message:
            errors[field] = message
    errors.update(_offset_error(risk.review_offset, "review_date"))
    return errors


def _risk_derive(risk: Risk, changes: dict | None = None) -> list[str]:
    risk.score = PROBABILITY_WEIGHT[risk.probability] * IMPACT_WEIGHT[risk.impact]
    return ["score", *_follow_go_live(risk, "review_date", "review_offset", changes)]


@transaction.atomic
def risk_add(*, release: Release, description: str, probability: str, impact: str,
             owner: Person | None = None, mitigation: str = "", status: str = RiskStatus.OPEN,
             review_date: date | None = None, review_offset: int | None = None,
             actor: Actor) -> Risk:
    """Add a risk to a release's register; its score is probability x impact."""
    require(actor, CONTRIBUTE)
    risk = Risk(release=release, description=(description or "").strip(),
                probability=probability, impact=impact, owner=owner, mitigation=mitigation,
                status=status, review_date=review_date, review_offset=review_offset,
                order=release.risks.count())
    if not _risk_errors(risk):
        _risk_derive(risk)
    return create_row(risk, validate=_risk_errors, fields=RISK_FIELDS, action="risk.add",
                      actor=actor, release_id=release.pk)


@transaction.atomic
def risk_update(*, risk: Risk, revision: int | None, changes: dict, actor: Actor) -> Risk:
    """Edit a risk (its status as it is mitigated, accepted or closed, its rating ...)."""
    require(actor, CONTRIBUTE)
    allowed = set(RISK_FIELDS) - {"score"}
    return update_row(risk, revision=revision, changes=changes, allowed=allowed,
                      validate=_risk_errors, fields=RISK_FIELDS, action="risk.update",
                      actor=actor, release_id=risk.release_id, derive=_risk_derive)


@transaction.atomic
def risk_remove(*, risk: Risk, actor: Actor) -> None:
    """Delete a risk entered by mistake (close it instead when it simply went away)."""
    require(actor, CONTRIBUTE)
    remove_row(risk, fields=RISK_FIELDS, action="risk.remove", actor=actor,
               release_id=risk.release_id)


# Dependencies ----------------------------------------------------------------------------------
def _depends_on(start: Release, target_id: int) -> bool:
    """Whether `start` already needs the release `target_id`, directly or through others."""
    seen, frontier = set(), {start.pk}
    while frontier:
        if target_id in frontier:
            return True
        seen |= frontier
        frontier = set(Dependency.objects.filter(
            release_id__in=frontier, required_release__isnull=False)
            .values_list("required_release_id", flat=True)) - seen
    return False


def _dependency_errors(dependency: Dependency) -> dict:
    errors = {}
    if not (dependency.name or "").strip():
        errors["name"] = "Name the dependency."
    for field, choices in (("kind", DependencyKind), ("status", DependencyStatus)):
        message = choice_error(getattr(dependency, field), choices, field)
        if message:
            errors[field] = message
    errors.update(_offset_error(dependency.needed_by_offset, "needed_by"))
    other = dependency.required_release
    if dependency.kind == DependencyKind.RELEASE:
        if other is None:
            errors["required_release"] = "Choose the release this one needs live."
        elif other.pk == dependency.release_id:
            errors["required_release"] = "A release cannot depend on itself."
        elif _depends_on(other, dependency.release_id):
            errors["required_release"] = (f"{other.name} already depends on this release; "
                                          "neither could ever go live.")
    elif other is not None:
        errors["required_release"] = "Only a dependency of kind 'release' names a release."
    return errors


def _dependency_derive(dependency: Dependency, changes: dict | None = None) -> list[str]:
    return _follow_go_live(dependency, "needed_by", "needed_by_offset", changes)


@transaction.atomic
def dependency_add(*, release: Release, name: str, kind: str = DependencyKind.INTERNAL,
                   description: str = "", owner: Person | None = None,
                   needed_by: date | None = None, needed_by_offset: int | None = None,
                   status: str = DependencyStatus.OPEN, required_release: Release | None = None,
                   actor: Actor) -> Dependency:
    """Record something the release needs: an internal piece, a third party or another release."""
    require(actor, CONTRIBUTE)
    dependency = Dependency(
        release=release, name=(name or "").strip(), kind=kind, description=description,
        owner=owner, needed_by=needed_by, needed_by_offset=needed_by_offset, status=status,
        required_release=required_release, order=release.dependencies.count())
    if not _dependency_errors(dependency):
        _dependency_derive(dependency)
    return create_row(dependency, validate=_dependency_errors, fields=DEPENDENCY_FIELDS,
                      action="dependency.add", actor=actor, release_id=release.pk)


@transaction.atomic
def dependency_update(*, dependency: Dependency, revision: int | None, changes: dict,
                      actor: Actor) -> Dependency:
    """Edit a dependency (its status as it is met, its date, its owner ...)."""
    require(actor, CONTRIBUTE)
    return update_row(dependency, revision=revision, changes=changes,
                      allowed=set(DEPENDENCY_FIELDS), validate=_dependency_errors,
                      fields=DEPENDENCY_FIELDS, action="dependency.update", actor=actor,
                      release_id=dependency.release_id, derive=_dependency_derive)


@transaction.atomic
def dependency_remove(*, dependency: Dependency, actor: Actor) -> None:
    """Delete a dependency."""
    require(actor, CONTRIBUTE)
    remove_row(dependency, fields=DEPENDENCY_FIELDS, action="dependency.remove", actor=actor,
               release_id=dependency.release_id)


# Contingency plans -----------------------------------------------------------------------------
def _contingency_errors(plan: Contingency) -> dict:
    errors = {}
    if not (plan.name or "").strip():
        errors["name"] = "Name the plan."
    if not (plan.trigger or "").strip():
        errors["trigger"] = "Say what triggers this plan."
    if not isinstance(plan.steps, list) or not all(isinstance(s, str) for s in plan.steps):
        errors["steps"] = "Steps are a list of texts."
    return errors


def _clean_steps(steps) -> list:
    if isinstance(steps, list):
        return [step.strip() for step in steps if isinstance(step, str) and step.strip()] \
            if all(isinstance(step, str) for step in steps) else steps
    return steps


@transaction.atomic
def contingency_add(*, release: Release, name: str, trigger: str, steps: list[str] | None = None,
                    label: str = "", owner: Person | None = None, actor: Actor) -> Contingency:
    """Add a contingency plan with what triggers it and the steps to take."""
    require(actor, CONTRIBUTE)
    plan = Contingency(release=release, label=(label or "").strip(), name=(name or "").strip(),
                       trigger=(trigger or "").strip(), steps=_clean_steps(steps or []),
                       owner=owner, order=release.contingencies.count())
    return create_row(plan, validate=_contingency_errors, fields=CONTINGENCY_FIELDS,
                      action="contingency.add", actor=actor, release_id=release.pk)


@transaction.atomic
def contingency_update(*, plan: Contingency, revision: int | None, changes: dict,
                       actor: Actor) -> Contingency:
    """Edit a contingency plan."""
    require(actor, CONTRIBUTE)
    if "steps" in changes:
        changes = {**changes, "steps": _clean_steps(changes["steps"])}
    return update_row(plan, revision=revision, changes=changes, allowed=set(CONTINGENCY_FIELDS),
                      validate=_contingency_errors, fields=CONTINGENCY_FIELDS,
                      action="contingency.update", actor=actor, release_id=plan.release_id)


@transaction.atomic
def contingency_remove(*, plan: Contingency, actor: Actor) -> None:
    """Delete a contingency plan."""
    require(actor, CONTRIBUTE)
    remove_row(plan, fields=CONTINGENCY_FIELDS, action="contingency.remove", actor=actor,
               release_id=plan.release_id)


# Readiness criteria ----------------------------------------------------------------------------
def _criterion_errors(criterion: Criterion) -> dict:
    try:
        criterion.params = registry.clean_params(criterion.kind, criterion.params)
    except LookupError as error:
        return {"kind": str(error.args[0])}
    except ValueError as error:
        return {"params": str(error)}
    if not (criterion.label or "").strip():
        criterion.label = registry.default_label(criterion.kind, criterion.params)
    return {}


@transaction.atomic
def criterion_add(*, release: Release, kind: str, params: dict | None = None, label: str = "",
                  actor: Actor) -> Criterion:
    """Add a readiness criterion of a registered kind; its label defaults from its kind."""
    require(actor, MANAGE)
    criterion = Criterion(release=release, kind=kind, params=params or {},
                          label=(label or "").strip(), order=release.readiness_criteria.count())
    return create_row(criterion, validate=_criterion_errors, fields=CRITERION_FIELDS,
                      action="criterion.add", actor=actor, release_id=release.pk)


@transaction.atomic
def criterion_update(*, criterion: Criterion, revision: int | None, changes: dict,
                     actor: Actor) -> Criterion:
    """Change a criterion's label, parameters or place in the list."""
    require(actor, MANAGE)
    if "label" in changes:
        changes = {**changes, "label": (changes["label"] or "").strip()}
    return update_row(criterion, revision=revision, changes=changes,
                      allowed={"label", "params", "order"}, validate=_criterion_errors,
                      fields=CRITERION_FIELDS, action="criterion.update", actor=actor,
                      release_id=criterion.release_id,
                      derive=lambda row, _changes: ["label", "params"])


@transaction.atomic
def criterion_remove(*, criterion: Criterion, actor: Actor) -> None:
    """Drop a readiness criterion from a release."""
    require(actor, MANAGE)
    remove_row(criterion, fields=CRITERION_FIELDS, action="criterion.remove", actor=actor,
               release_id=criterion.release_id)


# The go/no-go meeting --------------------------------------------------------------------------
def _actor_user(actor: Actor):
    return actor.user if getattr(actor.user, "pk", None) else None


def _default_discipline(release: Release, approver: Person) -> str:
    roles = Stakeholder.objects.filter(release=release, person=approver) \
        .order_by("-is_approver", "order", "id").values_list("role", flat=True)
    return roles.first() or ""


@transaction.atomic
def vote_record(*, release: Release, approver: Person | None, vote: str, comment: str = "",
                discipline: str | None = None, actor: Actor) -> GoNoGoVote:
    """Record an approver's Go, No-Go or Go-with-conditions; a new vote replaces their last.

    An approver of the release who signs in casts their own vote whatever their role; anyone
    else needs to contribute, and only a release manager records another person's vote."""
    if approver is None:
        require(actor, CONTRIBUTE)
        raise ValidationFailed({"approver": "Choose the approver whose vote this is."})
    own_vote = approver.user_id is not None and approver.user_id == getattr(actor.user, "pk", None)
    if not (own_vote and is_approver_of(approver, release)):
        require(actor, CONTRIBUTE)
    if not own_vote and not actor_can(actor, MANAGE):
        raise NotAllowed("Only a release manager can record another person's vote.")
    release = Release.objects.select_for_update().get(pk=release.pk)
    comment = (comment or "").strip()
    errors = {}
    if release.status in VOTING_CLOSED:
        errors["vote"] = (f"The go/no-go is over: the release is "
                          f"{ReleaseStatus(release.status).label.lower()}.")
    message = choice_error(vote, Vote, "vote")
    if message:
        errors["vote"] = message
    elif vote == Vote.GO_WITH_CONDITIONS and not comment:
        errors["comment"] = "Name the conditions of a Go with conditions."
    if discipline is None:
        discipline = _default_discipline(release, approver)
    elif discipline and discipline not in StakeholderRole.values:
        errors["discipline"] = choice_error(discipline, StakeholderRole, "discipline")
    if errors:
        raise ValidationFailed(errors)
    current = GoNoGoVote.objects.filter(release=release, approver=approver,
                                        withdrawn_at__isnull=True).first()
    fields = ["approver", "discipline", "vote", "comment"]
    before = snapshot(current, fields) if current else None
    current = current or GoNoGoVote(release=release, approver=approver)
    current.discipline, current.vote, current.comment = discipline, vote, comment
    current.recorded_by = _actor_user(actor)
    current.save()
    audit_record(actor=actor, action="go_no_go.vote", obj=current, release_id=release.pk,
                 before=before, after=snapshot(current, fields))
    return current


def is_approver_of(person: Person | None, release: Release) -> bool:
    """Whether the person is named an approver of the release."""
    return person is not None and Stakeholder.objects.filter(
        release=release, person=person, is_approver=True).exists()


def _vote_snapshot(vote: GoNoGoVote) -> dict:
    return {"approver": vote.approver.name, "approver_id": vote.approver_id,
            "discipline": vote.discipline, "vote": vote.vote, "comment": vote.comment,
            "recorded_at": vote.recorded_at.isoformat()}


def _go_refusals(report: list[dict], votes: list[GoNoGoVote]) -> list[str]:
    refusals = [f"{c['label']}: {c['why']}" for c in report if not c["met"]]
    refusals += [f"{v.approver.name} voted No-Go." for v in votes if v.vote == Vote.NO_GO]
    if not votes:
        refusals.append("No approver has voted yet.")
    return refusals


@transaction.atomic
def go_decision_record(*, release: Release, outcome: str, comment: str = "",
                       actor: Actor) -> GoNoGoDecision:
    """Record the go/no-go decision with a snapshot of every criterion and vote right now.

    A Go needs every criterion met, at least one vote and no approver's No-Go; a No-Go can
    always be recorded.
    """
    require(actor, MANAGE)
    release = Release.objects.select_for_update().get(pk=release.pk)
    message = choice_error(outcome, Outcome, "outcome")
    if message:
        raise ValidationFailed({"outcome": message})
    if release.status in VOTING_CLOSED:
        raise ValidationFailed({"outcome": "The go/no-go is over: the release is "
                                           f"{ReleaseStatus(release.status).label.lower()}."})
    report = selectors.readiness_report(release)
    votes = list(selectors.current_votes(release))
    if outcome == Outcome.GO:
        refusals = _go_refusals(report, votes)
        if refusals:
            raise ValidationFailed({"outcome": ["A Go needs every criterion met and no No-Go "
                                                "vote; not yet:", *refusals]})
    decision = GoNoGoDecision.objects.create(
        release=release, outcome=outcome, comment=(comment or "").strip(), criteria=report,
        votes=[_vote_snapshot(v) for v in votes], decided_by=_actor_user(actor),
        decided_by_label=actor.label)
    met = sum(1 for c in report if c["met"])
    audit_record(actor=actor, action="go_no_go.decision", obj=decision, release_id=release.pk,
                 after={"outcome": outcome, "criteria_met": f"{met}/{len(report)}",
                        "votes": len(votes)}, reason=decision.comment)
    event = "release.go_decision" if outcome == Outcome.GO else "release.no_go_decision"
    emit(event, release=release, actor=actor,
         payload={"decision_id": decision.pk, "outcome": outcome, "comment": decision.comment,
                  "criteria": report, "votes": decision.votes})
    return decision


@transaction.atomic
def gate_override(*, release: Release, reason: str, actor: Actor) -> GateOverride:
    """Let a release deploy without a Go; admins only, with a reason, audited."""
    require(actor, ADMINISTER)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": "An override needs a reason."})
    if release.status in (ReleaseStatus.CLOSED, ReleaseStatus.CANCELLED):
        raise ValidationFailed({"reason": "The release is finished; there is nothing to "
                                          "override."})
    override = GateOverride.objects.create(release=release, reason=reason,
                                           created_by=_actor_user(actor),
                                           created_by_label=actor.label)
    status = selectors.gate_status(release)
    audit_record(actor=actor, action="gate.override", obj=override, release_id=release.pk,
                 after={"not_met": status["not_met"]}, reason=reason)
    return override


@transaction.atomic
def gate_reset(*, release: Release, reason: str, actor: Actor) -> int:
    """Withdraw the standing decision, overrides and votes, so the next go-live needs a new Go."""
    now = timezone.now()
    withdrawn = 0
    for model in (GoNoGoDecision, GateOverride, GoNoGoVote):
        withdrawn += model.objects.filter(release=release, withdrawn_at__isnull=True) \
            .update(withdrawn_at=now)
    if withdrawn:
        audit_record(actor=actor, action="gate.reset", obj=release, release_id=release.pk,
                     after={"withdrawn": withdrawn}, reason=reason)
    return withdrawn


# Freeze windows --------------------------------------------------------------------------------
def _freeze_errors(window: FreezeWindow) -> dict:
    errors = {}
    if not (window.name or "").strip():
        errors["name"] = "Name the freeze window."
    if not isinstance(window.starts_at, datetime):
        errors["starts_at"] = "Give the start as a date and time."
    if not isinstance(window.ends_at, datetime):
        errors["ends_at"] = "Give the end as a date and time."
    if errors:
        return errors
    if window.ends_at <= window.starts_at:
        errors["ends_at"] = "A freeze window must end after it starts."
    if window.rrule:
        try:
            parse_rule(window.rrule, window.starts_at)
        except ValueError as error:
            errors["rrule"] = str(error)
    return errors


def _aware(moment):
    if isinstance(moment, datetime) and timezone.is_naive(moment):
        return timezone.make_aware(moment)
    return moment


@transaction.atomic
def freeze_window_add(*, name: str, starts_at: datetime, ends_at: datetime, rrule: str = "",
                      product=None, reason: str = "", actor: Actor) -> FreezeWindow:
    """Add a freeze window: one-off, or repeating (RRULE) with each stretch as long as the first."""
    require(actor, MANAGE)
    window = FreezeWindow(name=(name or "").strip(), starts_at=_aware(starts_at),
                          ends_at=_aware(ends_at), rrule=(rrule or "").strip(), product=product,
                          reason=reason)
    return create_row(window, validate=_freeze_errors, fields=FREEZE_FIELDS,
                      action="freeze_window.add", actor=actor, release_id=None)


@transaction.atomic
def freeze_window_update(*, window: FreezeWindow, revision: int | None, changes: dict,
                         actor: Actor) -> FreezeWindow:
    """Edit a freeze window."""
    require(actor, MANAGE)
    changes = {key: _aware(value) if key in ("starts_at", "ends_at") else value
               for key, value in changes.items()}
    if "rrule" in changes:
        changes["rrule"] = (changes["rrule"] or "").strip()
    return update_row(window, revision=revision, changes=changes, allowed=set(FREEZE_FIELDS),
                      validate=_freeze_errors, fields=FREEZE_FIELDS,
                      action="freeze_window.update", actor=actor, release_id=None)


@transaction.atomic
def freeze_window_remove(*, window: FreezeWindow, actor: Actor) -> None:
    """Delete a freeze window."""
    require(actor, MANAGE)
    remove_row(window, fields=FREEZE_FIELDS, action="freeze_window.remove", actor=actor,
               release_id=None)

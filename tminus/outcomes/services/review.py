"""The post-launch review and close-out: questions, lessons learned, sign-offs by role."""

from django.db import transaction
from django.utils import timezone

from tminus.accounts.permissions import actor_can, require
from tminus.accounts.roles import CONTRIBUTE, MANAGE
from tminus.audit.services import audit_record, snapshot
from tminus.core.actors import Actor
from tminus.core.concurrency import save_versioned
from tminus.core.errors import NotAllowed, ValidationFailed
from tminus.outcomes.applier import closeout_layout
from tminus.outcomes.defaults import closeout_defaults
from tminus.outcomes.models import Closeout, Lesson, ReviewQuestion, SignOff
from tminus.outcomes.services.common import user_of

ANSWER_FIELDS = ["question", "answer", "answered_by", "answered_at"]
SIGNOFF_FIELDS = ["role", "assignee", "signed_by", "signed_by_label", "signed_at", "comment"]


@transaction.atomic
def closeout_defaults_add(*, release, actor: Actor) -> Closeout:
    """Give a release made before close-outs existed the default questions, roles and handoff."""
    require(actor, MANAGE)
    if Closeout.objects.filter(release=release).exists():
        raise ValidationFailed({"release": f"{release.key} already has its close-out."})
    closeout = closeout_layout(release, closeout_defaults(release.release_type))
    audit_record(actor=actor, action="closeout.defaults_add", obj=closeout, release_id=release.pk,
                 after={"questions": release.review_questions.count(),
                        "signoff_roles": list(release.signoffs.values_list("role", flat=True))})
    return closeout


@transaction.atomic
def review_question_add(*, release, question: str, actor: Actor) -> ReviewQuestion:
    """Add a post-launch question of the team's own."""
    require(actor, CONTRIBUTE)
    if not (question or "").strip():
        raise ValidationFailed({"question": "Write the question."})
    row = ReviewQuestion.objects.create(release=release, question=question.strip(),
                                        order=release.review_questions.count())
    audit_record(actor=actor, action="review_question.add", obj=row, release_id=release.pk,
                 after=snapshot(row, ANSWER_FIELDS))
    return row


@transaction.atomic
def review_question_answer(*, question: ReviewQuestion, answer: str, revision: int | None,
                           actor: Actor) -> ReviewQuestion:
    """Record (or change) the answer to a post-launch question."""
    require(actor, CONTRIBUTE)
    before = snapshot(question, ANSWER_FIELDS)
    question.answer = (answer or "").strip()
    question.answered_by = user_of(actor) if question.answer else None
    question.answered_at = timezone.now() if question.answer else None
    save_versioned(question, revision, ["answer", "answered_by", "answered_at"],
                   snapshot=lambda q: {**snapshot(q, ANSWER_FIELDS), "revision": q.revision})
    audit_record(actor=actor, action="review_question.answer", obj=question,
                 release_id=question.release_id, before=before,
                 after=snapshot(question, ANSWER_FIELDS))
    return question


@transaction.atomic
def lesson_add(*, release, kind: str, text: str, actor: Actor) -> Lesson:
    """Record a lesson learned: went well, to improve, or a recommendation."""
    require(actor, CONTRIBUTE)
    errors = {}
    if kind not in dict(Lesson.KINDS):
        errors["kind"] = f"Unknown kind {kind!r}; use one of {', '.join(dict(Lesson.KINDS))}."
    if not (text or "").strip():
        errors["text"] = "Write the lesson."
    if errors:
        raise ValidationFailed(errors)
    lesson = Lesson.objects.create(release=release, kind=kind, text=text.strip(),
                                   added_by=user_of(actor))
    audit_record(actor=actor, action="lesson.add", obj=lesson, release_id=release.pk,
                 after=snapshot(lesson, ["kind", "text"]))
    return lesson


@transaction.atomic
def lesson_remove(*, lesson: Lesson, actor: Actor) -> None:
    """Remove a lesson."""
    require(actor, CONTRIBUTE)
    audit_record(actor=actor, action="lesson.remove", obj=lesson, release_id=lesson.release_id,
                 before=snapshot(lesson, ["kind", "text"]))
    lesson.delete()


@transaction.atomic
def signoff_role_add(*, release, role: str, assignee=None, actor: Actor) -> SignOff:
    """Ask one more role to sign the close-out."""
    require(actor, MANAGE)
    role = (role or "").strip()
    if not role:
        raise ValidationFailed({"role": "Name the role that signs."})
    if release.signoffs.filter(role__iexact=role).exists():
        raise ValidationFailed({"role": f"{role} already signs this release."})
    signoff = SignOff.objects.create(release=release, role=role[:100], assignee=assignee,
                                     order=release.signoffs.count())
    audit_record(actor=actor, action="signoff.add", obj=signoff, release_id=release.pk,
                 after=snapshot(signoff, SIGNOFF_FIELDS))
    return signoff


@transaction.atomic
def signoff_assign(*, signoff: SignOff, assignee, actor: Actor) -> SignOff:
    """Name the person who signs for a role."""
    require(actor, MANAGE)
    before = snapshot(signoff, SIGNOFF_FIELDS)
    signoff.assignee = assignee
    save_versioned(signoff, None, ["assignee"], snapshot=lambda s: snapshot(s, SIGNOFF_FIELDS))
    audit_record(actor=actor, action="signoff.assign", obj=signoff, release_id=signoff.release_id,
                 before=before, after=snapshot(signoff, SIGNOFF_FIELDS))
    return signoff


def _require_may_sign(actor: Actor, signoff: SignOff) -> None:
    user = user_of(actor)
    if signoff.assignee_id and user is not None and user.pk == signoff.assignee_id:
        return
    if not actor_can(actor, MANAGE):
        who = f"{signoff.assignee} signs" if signoff.assignee_id else "a release manager signs"
        raise NotAllowed(f"Only the person named for {signoff.role} may sign ({who}).")


@transaction.atomic
def signoff_sign(*, signoff: SignOff, comment: str = "", actor: Actor) -> SignOff:
    """Sign the close-out for a role: records who signed and when."""
    signoff = SignOff.objects.select_for_update().get(pk=signoff.pk)
    _require_may_sign(actor, signoff)
    if signoff.signed_at:
        raise ValidationFailed({"signoff": (
            f"{signoff.role} was already signed by {signoff.signed_by_label} on "
            f"{signoff.signed_at:%Y-%m-%d}.")})
    before = snapshot(signoff, SIGNOFF_FIELDS)
    signoff.signed_by, signoff.signed_by_label = user_of(actor), actor.label
    signoff.signed_at, signoff.comment = timezone.now(), (comment or "").strip()[:500]
    save_versioned(signoff, None, ["signed_by", "signed_by_label", "signed_at", "comment"],
                   snapshot=lambda s: snapshot(s, SIGNOFF_FIELDS))
    audit_record(actor=actor, action="signoff.sign", obj=signoff, release_id=signoff.release_id,
                 before=before, after=snapshot(signoff, SIGNOFF_FIELDS))
    return signoff


@transaction.atomic
def signoff_revoke(*, signoff: SignOff, reason: str = "", actor: Actor) -> SignOff:
    """Withdraw a signature (the signer, or a release manager)."""
    signoff = SignOff.objects.select_for_update().get(pk=signoff.pk)
    user = user_of(actor)
    own = user is not None and user.pk == signoff.signed_by_id
    if not own and not actor_can(actor, MANAGE):
        raise NotAllowed("Only the signer or a release manager may withdraw a signature.")
    if not signoff.signed_at:
        raise ValidationFailed({"signoff": f"{signoff.role} has not signed yet."})
    before = snapshot(signoff, SIGNOFF_FIELDS)
    signoff.signed_by, signoff.signed_by_label, signoff.signed_at = None, "", None
    save_versioned(signoff, None, ["signed_by", "signed_by_label", "signed_at"],
                   snapshot=lambda s: snapshot(s, SIGNOFF_FIELDS))
    audit_record(actor=actor, action="signoff.revoke", obj=signoff,
                 release_id=signoff.release_id, before=before,
                 after=snapshot(signoff, SIGNOFF_FIELDS), reason=reason)
    return signoff

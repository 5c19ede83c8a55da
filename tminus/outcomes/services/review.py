"""The post-launch review and close-out: questions, lessons learned, sign-offs by role."""

from django.db import transaction
from django.utils import timezone

from tminus.accounts.permissions import actor_can, require
from tminus.accounts.roles import CONTRIBUTE, MANAGE
from tminus.audit.services import audit_record, snapshot
from tminus.core import editing
from tminus.core.actors import Actor
from tminus.core.concurrency import save_versioned
from tminus.core.errors import NotAllowed, ValidationFailed
from tminus.outcomes.applier import closeout_layout
from tminus.outcomes.defaults import closeout_defaults
from tminus.outcomes.models import Closeout, Lesson, ReviewQuestion, SignOff
from tminus.outcomes.services.common import user_of

ANSWER_FIELDS = ["question", "answer", "answered_by", "answered_at"]
LESSON_FIELDS = ["kind", "text"]
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


def _stripped(value):
    # Only text is tidied; anything else is left for the edit path to refuse by its field.
    return value.strip() if isinstance(value, str) else value


def _question_errors(question: ReviewQuestion) -> dict:
    return {} if question.question.strip() else {"question": "Write the question."}


def _answered_by(actor: Actor):
    """The derive hook of an answer: who answered and when, cleared with the answer."""
    def derive(question: ReviewQuestion, changes: dict) -> list[str]:
        question.answered_by = user_of(actor) if question.answer else None
        question.answered_at = timezone.now() if question.answer else None
        return ["answered_by", "answered_at"]
    return derive


def _lesson_errors(lesson: Lesson) -> dict:
    errors = {}
    if lesson.kind not in dict(Lesson.KINDS):
        errors["kind"] = (f"Unknown kind {lesson.kind!r}; "
                          f"use one of {', '.join(dict(Lesson.KINDS))}.")
    if not lesson.text.strip():
        errors["text"] = "Write the lesson."
    return errors


def _signoff_errors(signoff: SignOff) -> dict:
    if not signoff.role.strip():
        return {"role": "Name the role that signs."}
    others = SignOff.objects.filter(release_id=signoff.release_id).exclude(pk=signoff.pk)
    if others.filter(role__iexact=signoff.role).exists():
        return {"role": f"{signoff.role} already signs this release."}
    return {}


QUESTION = editing.Kind(model=ReviewQuestion, action="review_question", fields=ANSWER_FIELDS,
                        capability=CONTRIBUTE, validate=_question_errors,
                        fixed={"answered_by", "answered_at"}, update_verb="answer")
LESSON = editing.Kind(model=Lesson, action="lesson", fields=LESSON_FIELDS,
                      capability=CONTRIBUTE, validate=_lesson_errors)
SIGNOFF = editing.Kind(model=SignOff, action="signoff", fields=SIGNOFF_FIELDS,
                       capability=MANAGE, validate=_signoff_errors, update_verb="assign",
                       fixed={"signed_by", "signed_by_label", "signed_at", "comment"})


@transaction.atomic
def review_question_add(*, release, question: str, actor: Actor) -> ReviewQuestion:
    """Add a post-launch question of the team's own."""
    row = ReviewQuestion(release=release, question=_stripped(question),
                         order=release.review_questions.count())
    return editing.create(QUESTION, row, actor=actor)


@transaction.atomic
def review_question_answer(*, question: ReviewQuestion, answer: str, revision: int | None,
                           actor: Actor) -> ReviewQuestion:
    """Record (or change) the answer to a post-launch question."""
    return editing.update(QUESTION, question, revision=revision,
                          changes={"answer": _stripped(answer)}, actor=actor,
                          derive=_answered_by(actor))


@transaction.atomic
def lesson_add(*, release, kind: str, text: str, actor: Actor) -> Lesson:
    """Record a lesson learned: went well, to improve, or a recommendation."""
    lesson = Lesson(release=release, kind=kind, text=_stripped(text), added_by=user_of(actor))
    return editing.create(LESSON, lesson, actor=actor)


@transaction.atomic
def lesson_remove(*, lesson: Lesson, actor: Actor) -> None:
    """Remove a lesson."""
    editing.remove(LESSON, lesson, actor=actor)


@transaction.atomic
def signoff_role_add(*, release, role: str, assignee=None, actor: Actor) -> SignOff:
    """Ask one more role to sign the close-out."""
    signoff = SignOff(release=release, role=_stripped(role), assignee=assignee,
                      order=release.signoffs.count())
    return editing.create(SIGNOFF, signoff, actor=actor)


@transaction.atomic
def signoff_assign(*, signoff: SignOff, assignee, revision: int | None,
                   actor: Actor) -> SignOff:
    """Name the person who signs for a role; a stale edit gets a conflict."""
    return editing.update(SIGNOFF, signoff, revision=revision, changes={"assignee": assignee},
                          actor=actor)


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

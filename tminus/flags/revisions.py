"""Revisions of the client state: every change gets the next number and a change event.

Numbers come from one row (`RevisionSequence`) updated inside the writing transaction, so its
row lock makes concurrent writers commit in the order of their numbers: a reader that has seen
revision N has seen every change numbered below N. After the commit, `flags_state_changed`
tells this process's streams at once; other processes learn of it by a PostgreSQL notification
sent with the commit (see propagation.py), or on SQLite through their revision poll.
"""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import F
from django.dispatch import Signal

from tminus.flags import propagation
from tminus.flags.choices import ChangeKind
from tminus.flags.models import ChangeEvent, Environment, RevisionSequence

# Sent after a commit that changed the client state: environment_ids (list[int]), revision.
flags_state_changed = Signal()


def next_revision() -> int:
    """Take the next revision number; the row stays locked until the transaction ends."""
    updated = RevisionSequence.objects.filter(pk=1).update(value=F("value") + 1)
    if not updated:
        RevisionSequence.objects.get_or_create(pk=1)
        RevisionSequence.objects.filter(pk=1).update(value=F("value") + 1)
    return RevisionSequence.objects.values_list("value", flat=True).get(pk=1)


def current_revision() -> int:
    """The last revision number handed out."""
    return RevisionSequence.objects.filter(pk=1).values_list("value", flat=True).first() or 0


def record_changes(environment_ids: Iterable[int], changes: Iterable[tuple[str, str]]) -> int:
    """Log (kind, subject) changes in each environment under a new revision, and bump them."""
    environment_ids = sorted(set(environment_ids))
    changes = list(dict.fromkeys(changes))
    if not environment_ids or not changes:
        return 0
    revision = next_revision()
    ChangeEvent.objects.bulk_create(
        ChangeEvent(revision=revision, environment_id=env_id, kind=kind, subject=subject)
        for env_id in environment_ids
        for kind, subject in changes
    )
    Environment.objects.filter(pk__in=environment_ids).update(revision=revision)
    propagation.announce(f"revision:{revision}")
    _forget_cached_revisions()
    transaction.on_commit(lambda: flags_state_changed.send(
        sender=Environment, environment_ids=environment_ids, revision=revision))
    return revision


def _forget_cached_revisions() -> None:
    # Now, for this transaction's own later reads; the signal does it again after the commit.
    from tminus.flags.tokens import forget_revisions

    forget_revisions()


def flag_changed(flag, environment_ids: Iterable[int] | None = None) -> int:
    """Record that a flag changed in some (default: all) of its environments."""
    if environment_ids is None:
        environment_ids = flag.states.values_list("environment_id", flat=True)
    return record_changes(environment_ids, [(ChangeKind.FEATURE_UPDATED, flag.key)])


def flag_removed(flag_key: str, environment_ids: Iterable[int]) -> int:
    """Record that a flag is no longer served in some environments."""
    return record_changes(environment_ids, [(ChangeKind.FEATURE_REMOVED, flag_key)])


def segment_changed(segment_id: int, *, removed: bool = False) -> int:
    """Record a segment change in every environment (segments are shared across projects)."""
    kind = ChangeKind.SEGMENT_REMOVED if removed else ChangeKind.SEGMENT_UPDATED
    environment_ids = Environment.objects.values_list("pk", flat=True)
    return record_changes(environment_ids, [(kind, str(segment_id))])


def events_pruned_below() -> int:
    """Deltas from before this revision cannot be built from events any more."""
    return RevisionSequence.objects.filter(pk=1).values_list("pruned_below", flat=True).first() or 0

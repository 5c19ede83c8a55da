"""The release status workflow: which moves are allowed, and the guards other areas add."""

from collections.abc import Callable

from tminus.releases.choices import ReleaseStatus as S

TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.PLANNING: (S.DEVELOPMENT, S.CANCELLED),
    S.DEVELOPMENT: (S.TESTING, S.PLANNING, S.CANCELLED),
    S.TESTING: (S.STAGING, S.DEVELOPMENT, S.CANCELLED),
    S.STAGING: (S.READY, S.TESTING, S.CANCELLED),
    S.READY: (S.DEPLOYING, S.STAGING, S.CANCELLED),
    # Once a deployment has begun the release cannot be cancelled, only finished or rolled back.
    S.DEPLOYING: (S.LIVE, S.ROLLED_BACK),
    S.LIVE: (S.CLOSED, S.ROLLED_BACK),
    S.ROLLED_BACK: (S.PLANNING, S.DEVELOPMENT, S.TESTING, S.CLOSED),
    S.CLOSED: (),
    S.CANCELLED: (),
}

# A guard looks at a release and the status it would move to, and returns a reason to refuse or
# None. Other areas (readiness: no deploying without a Go) register theirs when their app loads.
Guard = Callable[[object, str], str | None]
_guards: list[Guard] = []


def register_guard(guard: Guard) -> Guard:
    """Add a guard that every transition must pass."""
    if guard not in _guards:
        _guards.append(guard)
    return guard


def allowed_targets(status: str) -> tuple[str, ...]:
    """Where a release can move from `status`; the next step of its life comes first."""
    return TRANSITIONS.get(status, ())


# The order a release lives in; a move to an earlier status is a step back.
LIFE = (S.PLANNING, S.DEVELOPMENT, S.TESTING, S.STAGING, S.READY, S.DEPLOYING, S.LIVE, S.CLOSED)
# Moves that end a release or undo a deployment: never made by one stray click.
DRASTIC = (S.CLOSED, S.CANCELLED, S.ROLLED_BACK)


def move_warning(from_status: str, to_status: str) -> str:
    """What a person should confirm before this move, or '' for an ordinary step forward."""
    label = S(to_status).label.lower()
    if to_status in DRASTIC:
        return f"Move this release to {label}? This cannot be undone from this page."
    if from_status in LIFE and to_status in LIFE and LIFE.index(to_status) < LIFE.index(
            from_status):
        return f"Move this release back to {label}?"
    return ""


def transition_refusal(release, to_status: str) -> str | None:
    """Why the release cannot move to to_status, or None when it can."""
    if to_status not in S.values:
        return f"{to_status!r} is not a release status; use one of {', '.join(S.values)}."
    if to_status == release.status:
        return f"The release is already {S(to_status).label.lower()}."
    if to_status not in allowed_targets(release.status):
        targets = ", ".join(S(t).label.lower() for t in allowed_targets(release.status))
        return (
            f"A release that is {S(release.status).label.lower()} cannot move to "
            f"{S(to_status).label.lower()}; it can move to: {targets or 'nothing (it is final)'}."
        )
    for guard in _guards:
        reason = guard(release, to_status)
        if reason:
            return reason
    return None

"""Checks shared by the deployment-day services."""

from tminus.core.errors import ValidationFailed
from tminus.releases.models import Release


def check_owner(values: dict, errors: dict) -> None:
    """A row is owned by a person or by a user, never both at once."""
    if values.get("owner_person") is not None and values.get("owner_user") is not None:
        errors["owner"] = "Choose a person or a user as owner, not both."


def owner_changes(changes: dict) -> dict:
    """Setting one kind of owner replaces the other kind."""
    changes = dict(changes)
    if changes.get("owner_person") is not None and "owner_user" not in changes:
        changes["owner_user"] = None
    if changes.get("owner_user") is not None and "owner_person" not in changes:
        changes["owner_person"] = None
    return changes


def check_minutes(values: dict, fields: tuple[str, ...], errors: dict) -> None:
    """Minutes are whole numbers from 0 to a week."""
    for field in fields:
        value = values.get(field)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > 10080:
            errors[field] = "Give a whole number of minutes between 0 and 10080 (a week)."


def check_text(values: dict, field: str, label: str, errors: dict) -> None:
    """A text that must not be blank."""
    if field in values and not str(values[field] or "").strip():
        errors[field] = f"{label} cannot be empty."


def step_errors(values: dict) -> dict:
    """A runbook or rollback step: a title, a sensible estimate, one kind of owner."""
    errors: dict = {}
    check_text(values, "title", "A step's title", errors)
    check_minutes(values, ("expected_minutes",), errors)
    check_owner(values, errors)
    return errors


def field_values(row, fields: set[str]) -> dict:
    return {name: getattr(row, name) for name in fields}


def trimmed(*fields: str):
    """An edit's derive hook that trims the named texts (already checked not to be blank)."""
    def derive(row, changes) -> list[str]:
        for name in fields:
            setattr(row, name, (getattr(row, name) or "").strip())
        return [name for name in fields if name in changes]
    return derive


def refuse_unknown(changes: dict, allowed: set[str]) -> None:
    """Refuse changes to fields that cannot be changed here."""
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationFailed({field: "This field cannot be changed here." for field in unknown})


def lock_release(release: Release) -> Release:
    """The release row, locked until the end of the transaction (one deployment move at once)."""
    return Release.objects.select_for_update().select_related("product").get(pk=release.pk)

"""Applying a plan spec to a release: create it or update it (by key), then each area's parts.

Called inside the import service's transaction; every write goes through an area's services,
so it is permission-checked and audited like any other change.
"""

from dataclasses import dataclass, field
from datetime import date

from tminus.accounts.models import User
from tminus.core.actors import Actor
from tminus.core.errors import ValidationFailed
from tminus.core.keys import make_key
from tminus.plans.mapping import active_mappers
from tminus.releases import services as release_services
from tminus.releases.choices import ReleaseType
from tminus.releases.models import Product, Release

BLANK_TEMPLATE = "plan-document"
RELEASE_KEYS = {"key", "product", "name", "version", "release_type", "goal", "go_live",
                "planning_start", "owner", "status", "template"}


@dataclass
class ApplyContext:
    release: Release
    spec: dict
    actor: Actor
    prune: bool
    records: dict = field(default_factory=dict)
    changes: list[str] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    _users: dict = field(default_factory=dict)

    def change(self, text: str) -> None:
        self.changes.append(text)

    def warn(self, message: str) -> None:
        if not any(w["message"] == message for w in self.warnings):
            self.warnings.append({"line": None, "message": message})

    def user(self, name: str | None, *, quiet: bool = False):
        """The account a plan names as owner (username, display name or full name), or None
        with a warning when nobody matches (none when `quiet`: a role or a team that a task
        names as responsible is kept as written)."""
        if not name:
            return None
        if name not in self._users:
            self._users[name] = find_user(name)
            if self._users[name] is None and not quiet:
                self.warn(f"No user matches '{name}'; it stays as text in the document.")
        return self._users[name]


def find_user(name: str):
    name = name.strip().lstrip("@")
    users = User.objects.filter(is_active=True)
    found = users.filter(username__iexact=name).first() or users.filter(
        display_name__iexact=name).first()
    if found is None and " " in name:
        first, last = name.split(" ", 1)
        found = users.filter(first_name__iexact=first, last_name__iexact=last).first()
    return found


def _date(value, field_name: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationFailed({field_name: f"{value!r} is not a date (YYYY-MM-DD)."}) from None


def release_values(spec: dict) -> dict:
    """The release's overview values from a spec, checked."""
    release = spec.get("release") or {}
    if not isinstance(release, dict):
        raise ValidationFailed({"release": "The plan's 'release' must be a mapping of fields."})
    unknown = set(release) - RELEASE_KEYS
    if unknown:
        raise ValidationFailed({"release": f"Unknown field(s): {', '.join(sorted(unknown))}."})
    release_type = release.get("release_type") or ReleaseType.MINOR
    if release_type not in ReleaseType.values:
        raise ValidationFailed({"release_type": f"Unknown release type {release_type!r}; use "
                                                f"one of {', '.join(ReleaseType.values)}."})
    name = str(release.get("name") or "").strip()
    if not name:
        raise ValidationFailed({"name": "The plan names no release."})
    return {
        "name": name[:200], "version": str(release.get("version") or "")[:50],
        "release_type": release_type, "goal": str(release.get("goal") or ""),
        "go_live": _date(release.get("go_live"), "go_live"),
        "planning_start": _date(release.get("planning_start"), "planning_start"),
        "owner": release.get("owner") or None,
    }


def apply_spec(*, spec: dict, product: Product, actor: Actor, key: str = "") -> ApplyContext:
    """Create the release the spec describes (or update the one with its key) and its parts."""
    values = release_values(spec)
    key = make_key(key or (spec.get("release") or {}).get("key") or "")
    release = Release.objects.filter(key=key).first() if key else None
    if release is None:
        release = _release_create(values, product=product, key=key, actor=actor)
        context = ApplyContext(release=release, spec=spec, actor=actor, prune=False)
        context.change(f"created release {release.key}")
        _owner_set(context, values)
    else:
        context = ApplyContext(release=release, spec=spec, actor=actor, prune=True)
        _release_update(context, values)
    for mapper in active_mappers():
        mapper.apply(context, spec.get(mapper.key, []))
    return context


def _release_create(values: dict, *, product: Product, key: str, actor: Actor) -> Release:
    if values["go_live"] and values["planning_start"] and (
            values["planning_start"] > values["go_live"]):
        values["planning_start"] = None
    return release_services.release_create(
        product=product, name=values["name"], template_key=BLANK_TEMPLATE,
        go_live=values["go_live"], version=values["version"], goal=values["goal"], key=key,
        planning_start=values["planning_start"], release_type=values["release_type"],
        actor=actor,
    )


def _owner_set(context: ApplyContext, values: dict) -> None:
    owner = context.user(values["owner"])
    if owner is not None:
        release_services.release_update(release=context.release, revision=None,
                                        changes={"owner": owner}, actor=context.actor)


def _release_update(context: ApplyContext, values: dict) -> None:
    release = context.release
    wanted = {name: values[name] for name in ("name", "version", "release_type", "goal")}
    if values["planning_start"]:
        wanted["planning_start"] = values["planning_start"]
    if values["owner"]:
        wanted["owner"] = context.user(values["owner"])
    changes = {name: value for name, value in wanted.items() if getattr(release, name) != value}
    if values["go_live"] and values["go_live"] != release.go_live:
        release_services.release_schedule_shift(release=release, go_live=values["go_live"],
                                                actor=context.actor,
                                                reason="Imported plan moves go-live.")
        context.change(f"moved go-live to {values['go_live']}")
    if changes:
        release_services.release_update(release=release, revision=None, changes=changes,
                                        actor=context.actor)
        context.change(f"updated release fields: {', '.join(sorted(changes))}")

"""Who a message goes to: audience entries, checked, labelled and resolved to addresses.

An entry is one of
  owner                    the release owner
  stakeholders             every stakeholder of the release
  stakeholders:<role>      the release's stakeholders in a discipline (marketing, qa ...)
  role:<tminus role>       every active T-Minus user with that role (release_manager ...)
  person:<id>              a named person (tminus.people)
  user:<username>          a T-Minus user
  name@example.com         an address
A bare role name (`marketing`, `release_manager`) is read as the matching stakeholder or T-Minus
role. Entries are stored in the canonical form above.
"""

from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from tminus.accounts.models import User
from tminus.accounts.roles import ROLE_CHOICES

TMINUS_ROLES = dict(ROLE_CHOICES)


@dataclass(frozen=True)
class Recipient:
    address: str
    name: str = ""
    user_id: int | None = None


def stakeholder_roles() -> dict[str, str]:
    """Stakeholder disciplines (value: label), when the people area is installed."""
    try:
        from tminus.people.choices import StakeholderRole
    except ImportError:
        return {}
    return dict(StakeholderRole.choices)


def _stakeholder_model():
    try:
        return apps.get_model("people", "Stakeholder")
    except LookupError:
        return None


def _person_model():
    try:
        return apps.get_model("people", "Person")
    except LookupError:
        return None


def audience_normalize(entries: list[str]) -> tuple[list[str], list[str]]:
    """Canonical entries and one error per entry that means nothing."""
    canonical: list[str] = []
    errors: list[str] = []
    for raw in entries or []:
        text = str(raw).strip()
        if not text:
            continue
        entry, error = _canonical(text)
        if error:
            errors.append(error)
        elif entry not in canonical:
            canonical.append(entry)
    return canonical, errors


def _canonical(text: str) -> tuple[str, str]:
    lowered = text.lower()
    if "@" in text and ":" not in text:
        return _address(text)
    if lowered in ("owner", "release_owner"):
        return "owner", ""
    if lowered in ("stakeholders", "all_stakeholders"):
        return "stakeholders", ""
    prefix, _, rest = text.partition(":")
    prefix = prefix.lower()
    if not rest:
        return _role(lowered, text)
    if prefix in ("role", "stakeholders", "stakeholder"):
        return _role(rest.strip().lower(), text, stakeholder_only=prefix != "role")
    if prefix == "person":
        return _person(rest.strip(), text)
    if prefix == "user":
        return _user(rest.strip(), text)
    return "", f"{text!r} is not an audience entry; {_HELP}"


_HELP = ("use an email address, owner, stakeholders, a role (e.g. marketing or "
         "release_manager), person:<id> or user:<username>.")


def _address(text: str) -> tuple[str, str]:
    try:
        validate_email(text)
    except ValidationError:
        return "", f"{text!r} is not a valid email address."
    return text, ""


def _role(name: str, text: str, stakeholder_only: bool = False) -> tuple[str, str]:
    if name in stakeholder_roles():
        return f"stakeholders:{name}", ""
    if name in TMINUS_ROLES and not stakeholder_only:
        return f"role:{name}", ""
    known = [*stakeholder_roles(), *([] if stakeholder_only else TMINUS_ROLES)]
    return "", f"{text!r} is not a known role; use one of: {', '.join(known)}."


def _person(ident: str, text: str) -> tuple[str, str]:
    model = _person_model()
    if model is None or not ident.isdigit() or not model.objects.filter(pk=ident).exists():
        return "", f"{text!r}: no such person."
    return f"person:{int(ident)}", ""


def _user(username: str, text: str) -> tuple[str, str]:
    if not User.objects.filter(username=username, is_active=True).exists():
        return "", f"{text!r}: no active user with that username."
    return f"user:{username}", ""


def audience_labels(entries: list[str], people: dict[int, str] | None = None) -> list[str]:
    """A readable label per canonical entry ('Stakeholders: Marketing', 'Release owner')."""
    roles = stakeholder_roles()
    labels = []
    for entry in entries or []:
        prefix, _, rest = entry.partition(":")
        if entry == "owner":
            labels.append("Release owner")
        elif entry == "stakeholders":
            labels.append("All stakeholders")
        elif prefix == "stakeholders":
            labels.append(f"Stakeholders: {roles.get(rest, rest)}")
        elif prefix == "role":
            labels.append(f"Everyone with the T-Minus role {TMINUS_ROLES.get(rest, rest)}")
        elif prefix == "person":
            labels.append((people or {}).get(int(rest), f"Person #{rest}"))
        else:
            labels.append(rest if prefix == "user" else entry)
    return labels


@dataclass
class Resolution:
    recipients: list[Recipient]
    skipped: list[str]  # people in the audience without an email address


def audience_resolve(release, entries: list[str]) -> Resolution:
    """The distinct addresses the audience stands for on this release, right now."""
    found: dict[str, Recipient] = {}
    skipped: list[str] = []
    for entry in entries or []:
        for name, address, user_id in _members(release, entry):
            if not address:
                skipped.append(f"{name} has no email address")
                continue
            found.setdefault(address.lower(), Recipient(address, name, user_id))
    return Resolution(list(found.values()), skipped)


def _members(release, entry: str) -> list[tuple[str, str, int | None]]:
    prefix, _, rest = entry.partition(":")
    if entry == "owner":
        owner = release.owner
        return [_from_user(owner)] if owner else []
    if prefix == "stakeholders":  # "stakeholders" alone has an empty role: all of them
        return _stakeholders(release, rest)
    if prefix == "role":
        users = User.objects.filter(role=rest, is_active=True).order_by("username")
        return [_from_user(user) for user in users]
    if prefix == "person":
        model = _person_model()
        person = model.objects.filter(pk=rest).first() if model else None
        return [(person.name, person.email, person.user_id)] if person else []
    if prefix == "user":
        user = User.objects.filter(username=rest, is_active=True).first()
        return [_from_user(user)] if user else []
    return [("", entry, None)]


def _from_user(user) -> tuple[str, str, int | None]:
    return (str(user), user.email, user.pk)


def _stakeholders(release, role: str) -> list[tuple[str, str, int | None]]:
    model = _stakeholder_model()
    if model is None:
        return []
    rows = model.objects.filter(release=release).select_related("person")
    if role:
        rows = rows.filter(role=role)
    return [(row.person.name, row.person.email, row.person.user_id) for row in rows]

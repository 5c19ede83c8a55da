"""JSON endpoints for the caller and their API tokens."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from tminus.accounts import selectors, services
from tminus.accounts.models import ApiToken
from tminus.accounts.permissions import role_of
from tminus.accounts.roles import ADMINISTER, VIEW
from tminus.core.api import api_actor, edit_revision
from tminus.core.errors import ValidationFailed
from tminus.people.models import Person

router = Router(tags=["accounts"])


class MeOut(Schema):
    username: str
    role: str
    email: str


class AccountIn(Schema):
    username: str
    role: str = "viewer"
    email: str = ""
    display_name: str = ""
    password: str | None = None
    person_id: int | None = None


class AccountPatch(Schema):
    revision: int | None = None
    role: str | None = None
    email: str | None = None
    display_name: str | None = None
    is_active: bool | None = None


class AccountOut(Schema):
    id: int
    username: str
    role: str
    email: str
    display_name: str
    is_active: bool
    last_login: datetime | None
    person_id: int | None
    revision: int


class AccountCreated(AccountOut):
    password: str | None


class PasswordOut(Schema):
    username: str
    password: str


class TokenIn(Schema):
    name: str = "API token"


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenOut):
    token: str


@router.get("/me", response=MeOut)
def me(request):
    actor = api_actor(request, VIEW)
    return {"username": actor.user.username, "role": role_of(actor.user),
            "email": actor.user.email}


@router.get("/tokens", response=list[TokenOut])
def token_list(request):
    actor = api_actor(request, VIEW)
    return selectors.token_list(user=actor.user)


@router.post("/tokens", response={201: TokenCreated})
def token_create(request, data: TokenIn):
    actor = api_actor(request, VIEW)
    token, secret = services.token_create(user=actor.user, name=data.name, actor=actor)
    return Status(201, {**TokenOut.from_orm(token).dict(), "token": secret})


@router.delete("/tokens/{token_id}", response=TokenOut)
def token_revoke(request, token_id: int):
    actor = api_actor(request, VIEW)
    get_object_or_404(ApiToken, pk=token_id)
    return services.token_revoke(token_id=token_id, actor=actor)


def _account(user) -> dict:
    person = getattr(user, "person", None)
    return {"id": user.pk, "username": user.username, "role": user.role, "email": user.email,
            "display_name": user.display_name, "is_active": user.is_active,
            "last_login": user.last_login, "person_id": person.pk if person else None,
            "revision": user.revision}


def _person(person_id: int | None):
    if person_id is None:
        return None
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise ValidationFailed({"person_id": f"No person with id {person_id}."})
    return person


@router.get("/accounts", response=list[AccountOut])
def account_list(request):
    api_actor(request, ADMINISTER)
    return [_account(user) for user in selectors.accounts()]


@router.post("/accounts", response={201: AccountCreated})
def account_create(request, data: AccountIn):
    """Without a password the account gets a temporary one, returned in this answer only."""
    actor = api_actor(request, ADMINISTER)
    values = data.dict()
    person = _person(values.pop("person_id"))
    user, generated = services.account_create(**values, person=person, actor=actor)
    return Status(201, {**_account(user), "password": generated})


@router.patch("/accounts/{user_id}", response=AccountOut)
def account_update(request, user_id: int, data: AccountPatch):
    actor = api_actor(request, ADMINISTER)
    changes = data.dict(exclude_unset=True)
    revision = edit_revision(request, changes.pop("revision", None))
    user = services.user_update(user=selectors.account_get(user_id), revision=revision,
                                changes=changes, actor=actor)
    return _account(user)


@router.post("/accounts/{user_id}/password", response=PasswordOut)
def account_password_reset(request, user_id: int):
    actor = api_actor(request, ADMINISTER)
    user = selectors.account_get(user_id)
    return {"username": user.username,
            "password": services.user_password_reset(user=user, actor=actor)}

"""JSON endpoints for the caller and their API tokens."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from tminus.accounts import selectors, services
from tminus.accounts.models import ApiToken
from tminus.accounts.permissions import role_of
from tminus.accounts.roles import VIEW
from tminus.core.api import api_actor

router = Router(tags=["accounts"])


class MeOut(Schema):
    username: str
    role: str
    email: str


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

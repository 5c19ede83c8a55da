"""Sign-in and personal API tokens."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tminus.accounts import forms, selectors, services
from tminus.accounts.models import User
from tminus.accounts.roles import ADMINISTER, VIEW
from tminus.core.actors import Actor
from tminus.core.errors import ServiceError
from tminus.core.row_pages import changes_from, form_page
from tminus.core.web import flash_service_error, role_required


@role_required(VIEW)
def token_list(request):
    return render(request, "accounts/tokens.html",
                  {"tokens": selectors.token_list(user=request.user),
                   "new_secret": request.session.pop("new_token_secret", None)})


@require_POST
@role_required(VIEW)
def token_create(request):
    _token, secret = services.token_create(user=request.user,
                                           name=request.POST.get("name", ""),
                                           actor=Actor.web(request))
    # Shown once on the next page and then gone: the database keeps only its hash.
    request.session["new_token_secret"] = secret
    return redirect("token-list")


@require_POST
@role_required(VIEW)
def token_revoke(request, token_id):
    try:
        services.token_revoke(token_id=token_id, actor=Actor.web(request))
    except ServiceError as error:
        flash_service_error(request, error)
    else:
        messages.success(request, "Token revoked.")
    return redirect("token-list")


def locked_out(request, credentials, *args, **kwargs):
    """The page a locked-out person gets instead of a sign-in (429)."""
    return render(request, "accounts/locked_out.html", {
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "limit": settings.AXES_FAILURE_LIMIT,
    }, status=429)


@role_required(ADMINISTER)
def lockout_list(request):
    return render(request, "accounts/lockouts.html", {
        "lockouts": selectors.lockouts(), "limit": settings.AXES_FAILURE_LIMIT,
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)})


@require_POST
@role_required(ADMINISTER)
def lockout_clear(request):
    username = request.POST.get("username", "")
    ip_address = request.POST.get("ip_address", "")
    try:
        cleared = services.login_lockout_clear(username=username, ip_address=ip_address,
                                               actor=Actor.web(request))
    except ServiceError as error:
        flash_service_error(request, error)
    else:
        who = " and ".join(filter(None, [username, ip_address]))
        messages.success(request, f"Unlocked {who} ({cleared} failure record"
                                  f"{'' if cleared == 1 else 's'} cleared).")
    return redirect("lockout-list")


# Accounts --------------------------------------------------------------------------------------
def _hand_over(request, user, password: str | None) -> None:
    """Keep a generated password for the next page only: shown once, never stored readable."""
    if password:
        request.session["account_password"] = {"username": user.username, "password": password}


@role_required(ADMINISTER)
def account_list(request):
    return render(request, "accounts/accounts.html", {
        "accounts": selectors.accounts(),
        "handed_over": request.session.pop("account_password", None)})


@role_required(ADMINISTER)
def account_create(request):
    initial = {}
    if request.GET.get("person", "").isdigit():
        initial["person"] = request.GET["person"]
    form = forms.AccountCreateForm(request.POST or None, initial=initial)

    def save(data):
        user, generated = services.account_create(**data, actor=Actor.web(request))
        _hand_over(request, user, generated)

    return form_page(request, form, title="New account", back=reverse("account-list"),
                     save=save, done="Account created.",
                     intro="Give a person a sign-in with a role. Link it to the person the "
                           "plans name, so their items and go/no-go votes are theirs.")


@role_required(ADMINISTER)
def account_edit(request, user_id):
    user = get_object_or_404(User, pk=user_id)
    form = forms.AccountEditForm(request.POST or None, initial={
        "revision": user.revision, "display_name": user.display_name, "email": user.email,
        "role": user.role, "is_active": user.is_active})

    def save(data):
        revision, changes = changes_from(data)
        services.user_update(user=user, revision=revision, changes=changes,
                             actor=Actor.web(request))

    return form_page(request, form, title=f"Edit account {user.username}",
                     back=reverse("account-list"), save=save)


@require_POST
@role_required(ADMINISTER)
def account_password_reset(request, user_id):
    user = get_object_or_404(User, pk=user_id)
    password = services.user_password_reset(user=user, actor=Actor.web(request))
    _hand_over(request, user, password)
    messages.success(request, f"{user.username} has a new temporary password.")
    return redirect("account-list")

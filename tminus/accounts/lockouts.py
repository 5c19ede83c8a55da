"""The client address that sign-in lockouts (django-axes) are counted by.

Axes counts failed sign-ins by username and address together and by address alone; after
TMINUS_LOGIN_FAILURE_LIMIT failures that key is locked for TMINUS_LOGIN_COOLOFF_MINUTES. API
tokens never go through django's authenticate(), so a lockout does not stop a pipeline. The
unlock is `tminus.accounts.services.login_lockout_clear`.
"""

from django.conf import settings


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or behind TMINUS_TRUSTED_PROXIES proxies the address
    the outermost of them saw (X-Forwarded-For, counted from the right, so it cannot be forged
    by the client)."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = getattr(settings, "TRUSTED_PROXIES", 0)
    if not proxies:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
                 if part.strip()]
    return forwarded[-proxies] if len(forwarded) >= proxies else remote


def forgive_own_failures(sender, request, user, **kwargs) -> None:
    """On a successful sign-in, drop the failures of that username at that address: the
    address keeps the failures of other usernames, so a password sprayer who signs in to an
    account of their own does not reset the address's count."""
    if request is None:
        return
    from axes.models import AccessAttempt

    AccessAttempt.objects.filter(username=user.get_username(),
                                 ip_address=client_ip(request)).delete()

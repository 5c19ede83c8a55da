"""Every page checks the role of whoever asks, and every API operation needs credentials.

Walks the whole URL configuration, so a page or endpoint added later without a check fails here.
"""

from django.urls import URLResolver, get_resolver
from ninja.constants import NOT_SET

from tminus.urls import api

# Reachable without signing in, each for a reason: health checks, signing in, the flag client
# APIs (which authenticate SDK tokens themselves), calendar feeds (a secret in the URL) and the
# icon browsers fetch before anyone signs in.
PUBLIC_PAGES = {
    "healthz",
    "accounts/login/",
    "accounts/logout/",
    "calendar/<str:secret>.ics",
    "favicon.ico",
}
PUBLIC_PREFIXES = ("api/client/", "api/frontend")


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern.callback


def _capability(view):
    seen = set()
    while view is not None and id(view) not in seen:
        seen.add(id(view))
        if getattr(view, "required_capability", None):
            return view.required_capability
        view = getattr(view, "__wrapped__", None)
    return None


def test_every_page_requires_a_role_unless_it_is_public_for_a_reason():
    unchecked = [
        path for path, view in _walk(get_resolver().url_patterns)
        if not path.startswith(("admin/", "api/v1/", *PUBLIC_PREFIXES))
        and path not in PUBLIC_PAGES
        and _capability(view) is None
    ]
    assert not unchecked, f"pages without @role_required: {unchecked}"


def test_every_api_operation_requires_credentials():
    open_operations = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                auth = api.auth if operation.auth_param is NOT_SET else operation.auth_param
                if not auth:
                    open_operations.append(f"{operation.methods} {prefix}{path}")
    assert not open_operations, f"API operations without authentication: {open_operations}"

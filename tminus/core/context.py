from tminus.accounts.permissions import can
from tminus.accounts.roles import ADMINISTER, CONTRIBUTE, MANAGE
from tminus.core.navigation import nav_links, nav_menus


def navigation(request):
    """What the signed-in person may do, so templates show only the actions they can take."""
    user = getattr(request, "user", None)
    return {
        "may_contribute": can(user, CONTRIBUTE),
        "may_manage": can(user, MANAGE),
        "may_administer": can(user, ADMINISTER),
        **_navigation(user),
    }


def _navigation(user) -> dict:
    links = [link for link in nav_links() if can(user, link.capability)]
    return {"nav_links": [link for link in links if not link.group],
            "nav_menus": nav_menus(links)}

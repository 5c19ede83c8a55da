"""Links in the top bar. Each area adds its own when its app loads.

A link with a group goes into that group's menu; menus keep the bar short as areas are added.
"""

from dataclasses import dataclass

# Menus in the order they appear after the top-level links.
GROUPS = ["Plans", "Reports", "People"]


@dataclass(frozen=True)
class NavLink:
    label: str
    url_name: str
    order: int = 100
    capability: str = "view"
    group: str = ""  # "" for the bar itself, else one of GROUPS


_links: dict[str, NavLink] = {}


def register_nav(link: NavLink) -> None:
    _links[link.url_name] = link


def nav_links() -> list[NavLink]:
    return sorted(_links.values(), key=lambda link: (link.order, link.label))


def nav_menus(links: list[NavLink]) -> list[tuple[str, list[NavLink]]]:
    """(group, links) for each group that has links, in GROUPS order, then any other group."""
    grouped: dict[str, list[NavLink]] = {}
    for link in links:
        if link.group:
            grouped.setdefault(link.group, []).append(link)
    order = [g for g in GROUPS if g in grouped] + sorted(set(grouped) - set(GROUPS))
    return [(group, grouped[group]) for group in order]

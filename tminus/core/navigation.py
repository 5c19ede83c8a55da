"""Links in the top bar. Each area adds its own when its app loads."""

from dataclasses import dataclass


@dataclass(frozen=True)
class NavLink:
    label: str
    url_name: str
    order: int = 100
    capability: str = "view"


_links: dict[str, NavLink] = {}


def register_nav(link: NavLink) -> None:
    _links[link.url_name] = link


def nav_links() -> list[NavLink]:
    return sorted(_links.values(), key=lambda link: (link.order, link.label))

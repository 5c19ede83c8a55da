"""Who makes a change and through which interface: every service takes one of these."""

from dataclasses import dataclass
from typing import Any

WEB, API, CLI, WORKER = "web", "api", "cli", "worker"
INTERFACES = [(WEB, "Web"), (API, "API"), (CLI, "CLI"), (WORKER, "Worker")]


@dataclass(frozen=True)
class Actor:
    """A user (or the system) acting through one interface."""

    user: Any
    interface: str

    @property
    def label(self) -> str:
        if self.user is None:
            return f"system ({self.interface})"
        return self.user.get_username()

    @classmethod
    def web(cls, request) -> "Actor":
        return cls(request.user, WEB)

    @classmethod
    def api(cls, request) -> "Actor":
        """The caller of a JSON endpoint: through the API with a token, through the web when
        T-Minus' own page called it with the browser's session."""
        user = request.auth if _is_user(getattr(request, "auth", None)) else request.user
        return cls(user, getattr(request, "tminus_interface", API))

    @classmethod
    def cli(cls, user=None) -> "Actor":
        return cls(user, CLI)

    @classmethod
    def worker(cls) -> "Actor":
        return cls(None, WORKER)


def _is_user(value) -> bool:
    return hasattr(value, "get_username")

"""Settings and shared state for compiling one features state into predicates."""

import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .context import Context
from .errors import EvaluationErrors

CustomStrategy = Callable[[Mapping[str, Any], Context], bool]


@dataclass
class Compilation:
    """What compiling needs besides the definitions themselves.

    ``defaults`` is the static context that fills fields a caller's context leaves out;
    ``custom_strategies`` maps strategy names to ``fn(parameters, context) -> bool``.
    """

    defaults: Mapping[str, Any] = field(default_factory=dict)
    errors: EvaluationErrors = field(default_factory=EvaluationErrors)
    hostname: str = field(default_factory=socket.gethostname)
    custom_strategies: Mapping[str, CustomStrategy] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def warn(self, message: str) -> None:
        """Remember a problem found while compiling (it is also counted when evaluated)."""
        self.warnings.append(message)

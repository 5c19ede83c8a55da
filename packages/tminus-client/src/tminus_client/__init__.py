"""T-Minus feature flag SDK: an Unleash-compatible engine and a client for the T-Minus server.

    from tminus_client import TMinusClient

    client = TMinusClient("https://tminus.example.com", "client-token", app_name="checkout")
    if client.is_enabled("new-checkout", {"userId": "42"}):
        ...
"""

from ._version import __version__
from .client import SyncStatus, TMinusClient
from .engine import FlagEngine, validate_state, validate_strategy

__all__ = [
    "FlagEngine",
    "SyncStatus",
    "TMinusClient",
    "__version__",
    "validate_state",
    "validate_strategy",
]

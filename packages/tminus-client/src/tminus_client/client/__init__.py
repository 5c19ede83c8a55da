"""The T-Minus SDK client: flags kept in step with the server, evaluated locally."""

from .client import TMinusClient
from .sync import SyncStatus

__all__ = ["SyncStatus", "TMinusClient"]

"""Reading the flag as SDKs see it."""

from django.test import Client
from tminus_client import TMinusClient


def sdk_from_server(secret: str, *, report_users: bool = False) -> TMinusClient:
    """An SDK answering from the state the client API serves right now."""
    response = Client(HTTP_AUTHORIZATION=secret).get("/api/client/features")
    assert response.status_code == 200, response.content
    return TMinusClient.from_state(response.json(), environment="production",
                                   report_users=report_users)


def enabled_share(client: TMinusClient, flag: str, users: range | list) -> float:
    users = list(users)
    return sum(client.is_enabled(flag, {"userId": str(u)}) for u in users) / len(users)


"""Reading the flag as SDKs see it."""

from django.test import Client
from tminus_client import TMinusClient


def sdk_from_server(secret: str) -> TMinusClient:
    """An SDK answering from the state the client API serves right now."""
    response = Client(HTTP_AUTHORIZATION=secret).get("/api/client/features")
    assert response.status_code == 200, response.content
    return TMinusClient.from_state(response.json(), environment="production")


def enabled_share(client: TMinusClient, flag: str, users: range | list) -> float:
    users = list(users)
    return sum(client.is_enabled(flag, {"userId": str(u)}) for u in users) / len(users)


def end_other_sessions() -> None:
    """End database sessions that server threads of a test left open (PostgreSQL), so that
    the test database can be dropped when the run ends."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")

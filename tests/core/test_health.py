from unittest import mock

import pytest
from django.db.utils import OperationalError

from tminus.worker.health import heartbeat_start


@pytest.mark.django_db
def test_healthz_with_database_answering_and_a_worker_alive_is_200(client):
    heartbeat_start("web-1:42")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["database"]) == ("ok", "ok")


@pytest.mark.django_db
def test_healthz_with_database_down_is_503(client):
    with mock.patch("tminus.core.views.connection.cursor", side_effect=OperationalError("gone")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert "gone" in response.json()["database"]

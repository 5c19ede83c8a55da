import json
import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn

from tminus.core.actors import Actor
from tminus.flags import services, streaming

SYSTEM = Actor.cli()
SPEC_DIR = (Path(__file__).resolve().parents[2] / "packages" / "tminus-client" / "tests"
            / "conformance" / "unleash-client-specification" / "specifications")


def spec_files() -> list[tuple[str, dict]]:
    """The Unleash client specification files, in the order of their index."""
    names = json.loads((SPEC_DIR / "index.json").read_text(encoding="utf-8"))
    return [(name, json.loads((SPEC_DIR / name).read_text(encoding="utf-8"))) for name in names]


@pytest.fixture
def project(db):
    return services.project_create(key="shop", name="Shop", actor=SYSTEM)


@pytest.fixture
def make_flag(project):
    def make(key="new-checkout", **kwargs):
        return services.flag_create(project=kwargs.pop("project", project), key=key,
                                    actor=SYSTEM, **kwargs)

    return make


@pytest.fixture
def client_token(project):
    def make(environment="production", projects=None, kind="client"):
        _token, secret = services.client_token_create(
            name="sdk", environment=environment, projects=projects or [project.key],
            kind=kind, actor=SYSTEM)
        return secret

    return make


@pytest.fixture(autouse=True)
def fresh_caches():
    """Each test has its own database: nothing cached by a previous test may leak into it."""
    from tminus.flags import client_state, evaluation, tokens

    for forget in (tokens.forget_tokens, tokens.forget_revisions, client_state.clear_caches,
                   evaluation.clear_engines):
        forget()
    yield


def _read_uncommitted(sender, connection, **kwargs):
    # The SQLite test database lives in memory, shared between threads in "shared cache" mode,
    # where a reader's table lock makes a writer fail at once instead of waiting. Servers run
    # in threads by the live tests (uvicorn, the stream watcher) only read, so their
    # connections skip read locks. Production SQLite is a file in WAL mode and needs none.
    if connection.vendor == "sqlite" and "mode=memory" in str(connection.settings_dict["NAME"]):
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA read_uncommitted = 1")


@pytest.fixture(autouse=True)
def sqlite_readers_take_no_table_locks():
    from django.db.backends.signals import connection_created

    connection_created.connect(_read_uncommitted, dispatch_uid="flags-tests-read-uncommitted")
    yield
    connection_created.disconnect(dispatch_uid="flags-tests-read-uncommitted")


def wait_for(condition, timeout: float = 5.0, step: float = 0.005) -> float | None:
    """Seconds until condition() held, or None if it never did within the timeout."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if condition():
            return time.monotonic() - start
        time.sleep(step)
    return None


@pytest.fixture
def asgi_server(transactional_db):
    """T-Minus's ASGI application (as `tminus serve` runs it) served by uvicorn, in a thread."""
    from tminus.asgi import application

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(application, host="127.0.0.1",
                                           port=port, log_level="warning", lifespan="off",
                                           timeout_graceful_shutdown=5))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    assert wait_for(lambda: server.started, timeout=10), "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    # Streams end with the server; the watcher thread stops polling once none is open.
    assert wait_for(lambda: streaming.watch.open_streams == 0, timeout=10) is not None


@pytest.fixture
def checkout(transactional_db):
    project = services.project_create(key="shop", actor=SYSTEM)
    flag = services.flag_create(project=project, key="checkout-v2", actor=SYSTEM)
    _token, secret = services.client_token_create(name="sdk", environment="production",
                                                  projects=["shop"], actor=SYSTEM)
    return flag, secret

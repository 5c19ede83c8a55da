"""The stock Node SDKs (unleash-client for servers, unleash-proxy-client for browsers) against the
production ASGI server: the tag and namePrefix filters, gzip, and the frontend API's 304."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.flags.conftest import SYSTEM
from tminus.flags import services

NODE_PROJECT = Path(__file__).resolve().parent / "node"
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="session")
def node_sdks():
    """The Node project with its locked SDK versions installed (`npm ci`, as CI does)."""
    node = shutil.which("node")
    assert node, "node is needed for the Node SDK tests (Debian package nodejs)"
    if not (NODE_PROJECT / "node_modules" / ".package-lock.json").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=NODE_PROJECT, check=True,
                       capture_output=True, timeout=300)
    return node


def run_sdk(node: str, *args: str) -> dict:
    done = subprocess.run([node, "sdk_check.js", *args], cwd=NODE_PROJECT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def shop(transactional_db):
    project = services.project_create(key="shop", actor=SYSTEM)
    flags = {key: services.flag_create(project=project, key=key, actor=SYSTEM)
             for key in ("checkout-a", "checkout-b", "search-x")}
    services.flag_tags_set(flag=flags["checkout-a"], tags=["team:checkout"], actor=SYSTEM)
    services.flag_tags_set(flag=flags["search-x"], tags=["team:checkout"], actor=SYSTEM)
    services.flag_environment_toggle(flag=flags["checkout-a"], environment="production",
                                     enabled=True, actor=SYSTEM)
    for number in range(40):  # enough for a gzipped answer
        services.flag_create(project=project, key=f"bulk-{number:03}", actor=SYSTEM)
    return project


def token(kind: str) -> str:
    return services.client_token_create(name=kind, environment="production", projects=["shop"],
                                        kind=kind, actor=SYSTEM)[1]


def test_node_server_sdk_gets_only_the_flags_its_tag_filter_names(node_sdks, asgi_server, shop):
    seen = run_sdk(node_sdks, "backend", asgi_server, token("client"), "", "team:checkout")

    assert seen["names"] == ["checkout-a", "search-x"]
    assert seen["enabled"] == {"checkout-a": True, "search-x": False}


def test_node_server_sdk_combines_name_prefix_and_tag(node_sdks, asgi_server, shop):
    by_prefix = run_sdk(node_sdks, "backend", asgi_server, token("client"), "checkout-")
    both = run_sdk(node_sdks, "backend", asgi_server, token("client"), "search", "team:checkout")

    assert by_prefix["names"] == ["checkout-a", "checkout-b"]
    assert both["names"] == ["search-x"]


def test_node_server_sdk_reads_the_whole_gzipped_state(node_sdks, asgi_server, shop):
    seen = run_sdk(node_sdks, "backend", asgi_server, token("client"))
    assert len(seen["names"]) == 43 and seen["enabled"]["checkout-a"] is True


def test_node_browser_sdk_gets_the_on_flags_then_304_for_the_same_context(node_sdks,
                                                                          asgi_server, shop):
    seen = run_sdk(node_sdks, "frontend", asgi_server, token("frontend"), "7")

    assert seen["toggles"] == [{"name": "checkout-a", "enabled": True, "variant": "disabled"}]
    assert seen["statuses"] == [200, 304]

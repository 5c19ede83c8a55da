import os
import shutil
import subprocess
import tempfile
import time
from datetime import timedelta
from urllib.request import urlopen

import pytest
from django.utils import timezone

from tests.factories import make_release
from tests.support.network import free_port
from tests.support.prometheus import prometheus  # noqa: F401
from tminus.releases.models import Release


def live_release(days_ago: int = 10, template: str = "major", **kwargs) -> Release:
    """A release that went live `days_ago` days ago (status set directly: the workflow and its
    gates are tested elsewhere)."""
    release = make_release(template=template,
                           go_live=timezone.localdate() - timedelta(days=days_ago), **kwargs)
    Release.objects.filter(pk=release.pk).update(status="live")
    release.refresh_from_db()
    return release




PROMETHEUS_BINARY = os.environ.get("TMINUS_PROMETHEUS_BINARY", "prometheus")


@pytest.fixture
def real_prometheus():
    """Debian's Prometheus server on a free port; skips (saying why) where it is not installed."""
    binary = shutil.which(PROMETHEUS_BINARY)
    if binary is None:
        pytest.skip("The prometheus server is not installed (apt-get install prometheus).")
    workdir = tempfile.mkdtemp(prefix="tminus-prometheus-")
    config = os.path.join(workdir, "prometheus.yml")
    with open(config, "w") as handle:
        handle.write("global:\n  scrape_interval: 15s\nscrape_configs: []\n")
    port = free_port()
    process = subprocess.Popen(
        [binary, f"--config.file={config}", f"--storage.tsdb.path={workdir}/data",
         f"--web.listen-address=127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


def _wait_ready(url: str, process) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail("prometheus exited at start-up")
        try:
            with urlopen(f"{url}/-/ready", timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail("prometheus did not become ready within 15 s")

"""Telling the server about this client: registration at start, then metrics in batches."""

import logging
import platform
import threading
from collections.abc import Iterable

from .._version import __version__
from .http import HttpClient
from .metrics import MetricsRecorder, iso_now

logger = logging.getLogger("tminus_client")

REGISTER_PATH = "/api/client/register"
METRICS_PATH = "/api/client/metrics"
SDK_NAME = "tminus-client-python"
SDK_VERSION = f"{SDK_NAME}:{__version__}"
CLIENT_SPEC_VERSION = "5.2.0"


class MetricsReporter:
    """A background thread that registers the client, then sends metrics every interval."""

    def __init__(
        self,
        http: HttpClient,
        recorder: MetricsRecorder,
        *,
        app_name: str,
        instance_id: str,
        connection_id: str,
        interval: float,
        strategies: Iterable[str],
        register: bool,
        send_metrics: bool,
        thread_name: str = "tminus-metrics",
    ) -> None:
        self._http = http
        self._recorder = recorder
        self._identity = {
            "appName": app_name,
            "instanceId": instance_id,
            "connectionId": connection_id,
        }
        self._interval = interval
        self._strategies = list(strategies)
        self._register = register
        self._send_metrics = send_metrics
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name=thread_name, daemon=True)

    def start(self) -> None:
        """Register (if enabled) and start sending metrics in the background."""
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread, then send what was counted since the last batch."""
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        if self._send_metrics:
            self.send()

    def register(self) -> bool:
        """Announce this client to the server; True when it accepted."""
        payload = {
            **self._identity,
            "sdkVersion": SDK_VERSION,
            "strategies": self._strategies,
            "started": iso_now(),
            "interval": int(self._interval * 1000),
            "platformName": platform.python_implementation(),
            "platformVersion": platform.python_version(),
            "specVersion": CLIENT_SPEC_VERSION,
        }
        return self._post(REGISTER_PATH, payload)

    def send(self) -> bool:
        """Send the counts since the last batch; kept for the next batch if sending fails."""
        bucket = self._recorder.take_bucket()
        if bucket is None:
            return True
        if self._post(METRICS_PATH, {**self._identity, "bucket": bucket}):
            return True
        self._recorder.restore(bucket)
        return False

    def _run(self) -> None:
        if self._register:
            self.register()
        while self._send_metrics and not self._stopped.wait(self._interval):
            self.send()

    def _post(self, path: str, payload: dict) -> bool:
        try:
            response = self._http.post_json(path, payload)
        except Exception as exc:
            logger.debug("POST %s failed: %r", path, exc)
            return False
        if response.status >= 300:
            logger.debug("POST %s answered HTTP %s", path, response.status)
            return False
        return True

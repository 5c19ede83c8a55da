"""TMinusClient: flags kept in step with the server in the background, evaluated locally."""

import logging
import socket
import uuid
from collections.abc import Mapping
from types import TracebackType
from typing import Any

from .._version import __version__
from ..engine import BUILT_IN_STRATEGIES, EvaluationErrors, FlagEngine, disabled_variant
from ..engine.compilation import CustomStrategy
from .bootstrap import Bootstrap, read_bootstrap
from .events import EventSender, event_body
from .http import HttpClient
from .metrics import MetricsRecorder
from .reporting import CLIENT_SPEC_VERSION, SDK_NAME, SDK_VERSION, MetricsReporter
from .sync import FeatureSync, SyncStatus

_NO_CONTEXT: Mapping[str, Any] = {}

logger = logging.getLogger("tminus_client")

Context = Mapping[str, Any]


class TMinusClient:
    """Feature flags from a T-Minus server (or any Unleash-compatible one), evaluated locally.

    A background thread polls ``GET {url}/api/client/features`` (or, with ``streaming=True``,
    follows ``{url}/api/client/streaming``); another registers the client and sends metrics.
    ``is_enabled`` and ``get_variant`` answer from memory: they never wait on the network and
    never raise. ``bootstrap`` (a state, or the path of a JSON file holding one) answers until
    the first fetch succeeds. Use ``from_state`` for a client that never touches the network.
    """

    def __init__(
        self,
        url: str | None,
        token: str | None = None,
        *,
        app_name: str = "default",
        environment: str | None = None,
        instance_id: str | None = None,
        refresh_interval: float = 15,
        metrics_interval: float = 60,
        streaming: bool = False,
        bootstrap: Bootstrap | None = None,
        disable_metrics: bool = False,
        disable_registration: bool = False,
        request_timeout: float = 10,
        custom_headers: Mapping[str, str] | None = None,
        custom_strategies: Mapping[str, CustomStrategy] | None = None,
        start: bool = True,
        events_token: str | None = None,
        events_interval: float = 5,
        report_users: bool = False,
    ) -> None:
        self.app_name = app_name
        self.instance_id = instance_id or _instance_id(app_name)
        self.connection_id = str(uuid.uuid4())
        static_context = {"appName": app_name}
        if environment is not None:
            static_context["environment"] = environment
        self._metrics = MetricsRecorder()
        # Each flag's evaluator counts its own answers in the recorder's counters.
        self.engine = FlagEngine(
            static_context=static_context,
            custom_strategies=custom_strategies,
            tally=self._metrics.tally,
        )
        self.status = SyncStatus()
        # Distinct (hashed) users per flag and answer go out with the metrics: a guarded
        # rollout then compares arms per exposed user. Off by default: it costs a lock.
        self._report_users = report_users
        self._sync: FeatureSync | None = None
        self._reporter: MetricsReporter | None = None
        self._events: EventSender | None = None
        self._started = self._closed = False
        if bootstrap is not None:
            self._load_bootstrap(bootstrap)
        if url is not None:
            headers = self._headers(token, custom_headers, refresh_interval, metrics_interval)
            http = HttpClient(url, headers, request_timeout)
            if events_token is not None:
                self._events = EventSender(
                    HttpClient(url, {**headers, "Authorization": events_token}, request_timeout),
                    interval=events_interval,
                    thread_name=f"tminus-events:{self.instance_id}",
                )
            self._sync = FeatureSync(
                http,
                self.engine,
                refresh_interval=refresh_interval,
                streaming=streaming,
                status=self.status,
                thread_name=f"tminus-sync:{self.instance_id}",
            )
            if not (disable_metrics and disable_registration):
                self._reporter = MetricsReporter(
                    http,
                    self._metrics,
                    app_name=app_name,
                    instance_id=self.instance_id,
                    connection_id=self.connection_id,
                    interval=metrics_interval,
                    strategies=[*BUILT_IN_STRATEGIES, *(custom_strategies or {})],
                    register=not disable_registration,
                    send_metrics=not disable_metrics,
                    thread_name=f"tminus-metrics:{self.instance_id}",
                )
            if start:
                self.start()

    @classmethod
    def from_state(
        cls,
        state: Bootstrap,
        *,
        app_name: str = "default",
        environment: str | None = None,
        custom_strategies: Mapping[str, CustomStrategy] | None = None,
        report_users: bool = False,
    ) -> "TMinusClient":
        """An offline client answering from ``state`` (or a JSON file): no threads, no network.

        Raises StateError (a ValueError) when the state is malformed.
        """
        client = cls(
            None,
            app_name=app_name,
            environment=environment,
            custom_strategies=custom_strategies,
            report_users=report_users,
        )
        client.engine.load(read_bootstrap(state))
        return client

    # -- evaluation -------------------------------------------------------------------------

    def is_enabled(self, flag: str, context: Context | None = None, default: bool = False) -> bool:
        """Whether ``flag`` is on for ``context``; ``default`` when the flag is unknown."""
        # The hottest call of an application: the engine's lookup is inlined (one Python frame
        # less), a subscript is cheaper than .get(), and the flag's evaluator counts the answer.
        try:
            try:
                evaluate = self.engine.counted[flag]
            except KeyError:
                enabled = default
                self._metrics.count(flag, default)
            else:
                enabled = evaluate(_NO_CONTEXT if context is None else context)
        except Exception:
            # Evaluators count last, after anything that can raise: this answer was not counted.
            enabled = self.engine.is_enabled(flag, context, default)  # records the error
            self._metrics.count(flag, enabled)
        if self._report_users:
            self._metrics.count_user(flag, enabled, context)
        return enabled

    def get_variant(self, flag: str, context: Context | None = None) -> dict[str, Any]:
        """The variant of ``flag`` for ``context``: name, payload, enabled, feature_enabled."""
        try:
            variant = self.engine.get_variant(flag, context)
            self._metrics.count(flag, variant["feature_enabled"], variant["name"])
            if self._report_users:
                self._metrics.count_user(flag, variant["feature_enabled"], context)
        except Exception:
            return disabled_variant(False)
        return variant

    def track(
        self,
        event: str,
        context: Context | None = None,
        *,
        flag: str | None = None,
        value: float | None = None,
    ) -> None:
        """Record a metric event (``download_error``) for ``context``, sent in the background.

        With ``flag``, the event carries the arm this client serves ``context`` (treatment:
        the flag is on for it; control: off), so a guarded rollout can compare the two. Needs
        ``events_token`` (an ingest token); without it, or on any error, nothing is sent.
        Never raises.
        """
        if self._events is None:
            return
        try:
            arm = None
            if flag is not None and flag in self.engine:
                arm = "treatment" if self.engine.is_enabled(flag, context) else "control"
            self._events.add(event_body(event, context, flag=flag, arm=arm, value=value))
        except Exception:
            logger.debug("track(%r) failed", event, exc_info=True)

    def flush_events(self) -> bool:
        """Send the tracked events now; True when the server took them all."""
        return self._events.flush() if self._events is not None else True

    @property
    def errors(self) -> EvaluationErrors:
        """Evaluations answered "off" because a flag or context could not be evaluated."""
        return self.engine.errors

    def feature_names(self) -> list[str]:
        """The names of the flags currently loaded."""
        return self.engine.names()

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> None:
        """Start the background threads (done by the constructor unless ``start=False``)."""
        if self._started or self._closed or self._sync is None:
            return
        self._started = True
        self._sync.start()
        if self._reporter is not None:
            self._reporter.start()

    def wait_until_ready(self, timeout: float | None = None) -> bool:
        """Wait until flags have been fetched from the server once; False on timeout."""
        if self._sync is None:
            return True
        return self._sync.synced.wait(timeout)

    def refresh(self) -> bool:
        """Fetch the flags now, outside the schedule; True when the server answered."""
        return self._sync.poll_once() if self._sync is not None else False

    def close(self) -> None:
        """Stop the background threads and send the metrics counted so far."""
        if self._closed:
            return
        self._closed = True
        if self._sync is not None:
            self._sync.stop()
        if self._reporter is not None and self._started:
            self._reporter.stop()
        if self._events is not None:
            self._events.stop()

    @property
    def closed(self) -> bool:
        """Whether ``close`` has been called."""
        return self._closed

    def __enter__(self) -> "TMinusClient":
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _load_bootstrap(self, bootstrap: Bootstrap) -> None:
        try:
            self.engine.load(read_bootstrap(bootstrap))
        except (OSError, ValueError) as exc:
            # A missing or broken bootstrap must not stop the application: the server will
            # provide the flags, and until then unknown flags answer their defaults.
            logger.warning("bootstrap state could not be loaded: %r", exc)
            self.status.last_error = f"bootstrap failed: {exc!r}"

    def _headers(
        self,
        token: str | None,
        custom_headers: Mapping[str, str] | None,
        refresh_interval: float,
        metrics_interval: float,
    ) -> dict[str, str]:
        headers = {
            **(custom_headers or {}),
            "UNLEASH-APPNAME": self.app_name,
            "UNLEASH-INSTANCEID": self.instance_id,
            "Unleash-Client-Spec": CLIENT_SPEC_VERSION,
            "unleash-connection-id": self.connection_id,
            "unleash-sdk": SDK_VERSION,
            "unleash-interval": str(int(refresh_interval * 1000)),
            "User-Agent": f"{SDK_NAME}/{__version__}",
        }
        if token is not None:
            headers["Authorization"] = token
        return headers


def _instance_id(app_name: str) -> str:
    """A name for this process, unique enough to tell instances of an app apart."""
    return f"{app_name}-{socket.gethostname()}-{uuid.uuid4().hex[:8]}"

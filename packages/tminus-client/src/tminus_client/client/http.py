"""A small HTTP client on the standard library, so the SDK needs no HTTP dependency."""

import contextlib
import http.client
import json
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import Message
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class HttpResponse:
    """A complete response: status, headers (case-insensitive) and body."""

    status: int
    headers: Message
    body: bytes

    def json(self) -> Any:
        """The body parsed as JSON (raises ValueError when it is not JSON)."""
        return json.loads(self.body)


class HttpStream:
    """An open response read line by line, e.g. Server-Sent Events.

    ``close`` may be called from another thread to interrupt a blocked read.
    """

    def __init__(
        self,
        connection: http.client.HTTPConnection,
        sock: socket.socket,
        response: http.client.HTTPResponse,
    ) -> None:
        self._connection = connection
        # The response owns the socket once headers are read, so keep it to shut it down.
        self._sock = sock
        self._response = response
        self.status = response.status

    def readline(self) -> bytes:
        """The next line including its newline; empty at the end of the stream."""
        return self._response.readline()

    def close(self) -> None:
        """Close the connection, waking up a thread blocked in ``readline``."""
        # OSError: the other side closed it already.
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self._response.close()
        self._connection.close()


class HttpClient:
    """Sends requests to one server, under its base URL, with a fixed set of headers."""

    def __init__(self, base_url: str, headers: Mapping[str, str], timeout: float) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"url must be an http:// or https:// URL, not {base_url!r}")
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port
        self._base_path = parts.path.rstrip("/")
        self.headers = dict(headers)
        self.timeout = timeout

    def get(self, path: str, headers: Mapping[str, str] | None = None) -> HttpResponse:
        """GET ``path`` (relative to the base URL) and read the whole response."""
        return self._request("GET", path, headers, None)

    def post_json(self, path: str, payload: Any) -> HttpResponse:
        """POST ``payload`` as JSON and read the whole response."""
        body = json.dumps(payload).encode("utf-8")
        return self._request("POST", path, {"Content-Type": "application/json"}, body)

    def open_stream(
        self, path: str, headers: Mapping[str, str], read_timeout: float
    ) -> HttpStream:
        """GET ``path`` and return the response unread, for streaming.

        ``read_timeout`` bounds how long a read may wait for the next byte.
        """
        connection = self._connection()
        try:
            connection.request("GET", self._base_path + path, headers={**self.headers, **headers})
            sock = connection.sock
            sock.settimeout(read_timeout)
            response = connection.getresponse()
        except BaseException:
            connection.close()
            raise
        return HttpStream(connection, sock, response)

    def _request(
        self, method: str, path: str, headers: Mapping[str, str] | None, body: bytes | None
    ) -> HttpResponse:
        connection = self._connection()
        try:
            all_headers = {**self.headers, **(headers or {})}
            connection.request(method, self._base_path + path, body=body, headers=all_headers)
            response = connection.getresponse()
            return HttpResponse(response.status, response.headers, response.read())
        finally:
            connection.close()

    def _connection(self) -> http.client.HTTPConnection:
        if self._https:
            context = ssl.create_default_context()
            return http.client.HTTPSConnection(
                self._host, self._port, timeout=self.timeout, context=context
            )
        return http.client.HTTPConnection(self._host, self._port, timeout=self.timeout)

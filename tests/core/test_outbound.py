"""Outbound calls to saved URLs: internal addresses refused when saved and when used, the
connection pinned to the checked address, redirects checked hop by hop."""

import ipaddress
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ImproperlyConfigured

from tminus import conf
from tminus.core import outbound

INTERNAL_URLS = [
    "http://127.0.0.1/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://localhost:8000/",
    "http://[::1]/",
    "http://0.0.0.0/",
    "http://2130706433/",
    "http://0x7f.0.0.1/",
    "http://0177.0.0.1/",
    "http://127.1/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:a9fe:a9fe]/",
    "http://[64:ff9b::a9fe:a9fe]/",
    "http://[2002:7f00:1::]/",
    "http://[fe80::1]/",
    "http://[fd00::1]/",
    "http://10.0.0.5/",
    "http://172.16.3.4/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",
    "http://224.0.0.1/",
    "http://240.0.0.1/",
    "http://255.255.255.255/",
    "http://printer.local/",
    "http://router.lan/",
    "http://db/",
]


@pytest.fixture
def no_allowance(settings):
    settings.OUTBOUND_ALLOW = []
    settings.PROMETHEUS_URL = ""
    return settings


@pytest.mark.parametrize("url", INTERNAL_URLS)
def test_url_problem_for_an_internal_address_says_why(no_allowance, url):
    problem = outbound.url_problem(url)
    assert "internal" in problem and "TMINUS_OUTBOUND_ALLOW" in problem


@pytest.mark.parametrize("url", ["https://93.184.216.34/hook", "https://[2606:4700::1111]/",
                                 "https://hooks.slack.com/services/T0/B0/x"])
def test_url_problem_for_a_public_address_or_unresolved_name_is_empty(no_allowance, url):
    assert outbound.url_problem(url) == ""


@pytest.mark.parametrize("url, words", [("ftp://files.example.com/", "http:// or https://"),
                                        ("https:///nohost", "host name"),
                                        ("http://example.com:99999/", "port")])
def test_url_problem_for_a_malformed_url_names_the_fault(no_allowance, url, words):
    assert words in outbound.url_problem(url)


def test_allowance_by_range_lets_that_range_through_and_no_other(settings):
    settings.OUTBOUND_ALLOW = ["10.1.0.0/16"]
    assert outbound.url_problem("http://10.1.2.3:9090/") == ""
    assert "internal" in outbound.url_problem("http://10.2.0.1/")


def test_allowance_by_name_and_wildcard_lets_those_names_through(settings):
    settings.OUTBOUND_ALLOW = ["localhost", "*.corp"]
    assert outbound.url_problem("http://localhost:9090/") == ""
    assert outbound.url_problem("http://prom.eu.corp/") == ""
    assert "internal" in outbound.url_problem("http://127.0.0.1/")


def test_configured_prometheus_host_and_port_are_allowed_and_only_they(no_allowance):
    no_allowance.PROMETHEUS_URL = "http://10.0.0.9:9090"
    assert outbound.url_problem("http://10.0.0.9:9090/api/v1/query") == ""
    assert "internal" in outbound.url_problem("http://10.0.0.9:22/")


@pytest.mark.parametrize("value", ["10.0.0.0/33", "not a host!", "fd00::/200"])
def test_outbound_allow_setting_with_a_bad_entry_stops_start_up(monkeypatch, value):
    monkeypatch.setenv("TMINUS_OUTBOUND_ALLOW", f"hooks.example.com,{value}")
    with pytest.raises(ImproperlyConfigured, match="TMINUS_OUTBOUND_ALLOW"):
        conf.env_hosts_and_ranges("TMINUS_OUTBOUND_ALLOW", "")


def test_masked_url_keeps_scheme_and_host_only():
    assert (outbound.masked_url("https://hooks.slack.com/services/T0/B0/secret")
            == "https://hooks.slack.com/…")
    assert outbound.masked_url("http://user:pw@[::1]:8080/x?token=1") == "http://[::1]:8080/…"


# --- at send time ------------------------------------------------------------------------

class Peer:
    """An HTTP server on one loopback address that counts requests and answers `status`."""

    def __init__(self, host: str, port: int = 0, status: int = 200, location: str = ""):
        self.requests: list[dict] = []
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length", 0) or 0)
                peer.requests.append({"path": self.path, "host": self.headers.get("Host"),
                                      "body": self.rfile.read(length)})
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            do_GET = do_POST = _answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def peers():
    started: list[Peer] = []

    def start(*args, **kwargs) -> Peer:
        peer = Peer(*args, **kwargs)
        started.append(peer)
        return peer

    yield start
    for peer in started:
        peer.close()


def test_fetch_to_an_internal_address_refuses_before_connecting(no_allowance, peers):
    peer = peers("127.0.0.1")
    with pytest.raises(outbound.OutboundRefused, match="internal"):
        outbound.fetch("POST", f"http://127.0.0.1:{peer.port}/hook", body=b"{}")
    assert peer.requests == []


def test_fetch_connects_to_the_checked_address_when_the_name_rebinds(settings, peers,
                                                                     monkeypatch):
    # 127.0.0.2 stands for a public address (allowed); 127.0.0.1 for the internal one the name
    # resolves to a moment after the check.
    settings.OUTBOUND_ALLOW = ["127.0.0.2/32"]
    checked = peers("127.0.0.2")
    try:
        internal = peers("127.0.0.1", checked.port)
    except OSError:
        pytest.skip("the same port is taken on 127.0.0.1")
    real_getaddrinfo = socket.getaddrinfo
    answers = iter(["127.0.0.2"])

    def rebinding(host, port, *args, **kwargs):
        if host != "hooks.rebind.example":
            return real_getaddrinfo(host, port, *args, **kwargs)
        address = next(answers, "127.0.0.1")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)

    response = outbound.fetch("POST", f"http://hooks.rebind.example:{checked.port}/in",
                              body=b"{}")

    assert response.status == 200
    assert len(checked.requests) == 1 and internal.requests == []
    assert checked.requests[0]["host"] == f"hooks.rebind.example:{checked.port}"


def test_fetch_name_resolving_to_an_internal_address_is_refused(no_allowance, monkeypatch):
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, port, *a, **k: [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", port))])
    with pytest.raises(outbound.OutboundRefused, match=r"169\.254\.169\.254"):
        outbound.fetch("GET", "http://mixed.example.com/")


def test_fetch_does_not_follow_a_redirect_to_an_internal_address(settings, peers):
    settings.OUTBOUND_ALLOW = ["127.0.0.1/32"]
    redirecting = peers("127.0.0.1", status=302,
                        location="http://169.254.169.254/latest/meta-data/")
    with pytest.raises(outbound.OutboundRefused, match=r"169\.254\.169\.254"):
        outbound.fetch("GET", f"http://127.0.0.1:{redirecting.port}/", redirects=3)
    assert len(redirecting.requests) == 1


def test_fetch_post_answered_with_a_redirect_returns_it_unfollowed(settings, peers):
    settings.OUTBOUND_ALLOW = ["127.0.0.1/32"]
    target = peers("127.0.0.1")
    redirecting = peers("127.0.0.1", status=307, location=f"http://127.0.0.1:{target.port}/")
    response = outbound.fetch("POST", f"http://127.0.0.1:{redirecting.port}/", body=b"{}")
    assert response.status == 307 and target.requests == []


@pytest.mark.parametrize("address, internal", [
    ("8.8.8.8", False), ("2606:4700::1111", False), ("127.0.0.1", True), ("::1", True),
    ("::ffff:10.0.0.1", True), ("::ffff:8.8.8.8", False), ("fc00::1", True),
    ("ff02::1", True), ("::", True), ("192.0.2.1", True), ("198.18.0.1", True),
])
def test_is_internal_by_address(address, internal):
    assert outbound.is_internal(ipaddress.ip_address(address)) is internal

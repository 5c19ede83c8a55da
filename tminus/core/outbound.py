"""Outbound HTTP to addresses that people typed: webhooks, KPI sources, Prometheus servers.

A URL that someone saved must not turn T-Minus into a way to reach what sits behind it (cloud
metadata, the database, admin ports on loopback). So every such URL is checked twice:
- when it is saved, `url_problem` says what is wrong with it (for a 422 with a field message);
- when it is used, `fetch` resolves the host once, refuses it when any address is internal, and
  connects to the address it checked, so a name that resolves differently a moment later (DNS
  rebinding) gets nowhere. Redirects are followed only when asked for, and each hop is checked.

Internal means loopback, private, link-local, multicast, reserved, unspecified, shared (CGNAT) or
anything else that is not globally routable, in every spelling the resolver accepts (decimal
`2130706433`, octal, hex, IPv4-mapped IPv6, 6to4, NAT64) and special-use names such as
`localhost` or `*.internal`. `TMINUS_OUTBOUND_ALLOW` lets named hosts and CIDR ranges through; the
host of `TMINUS_PROMETHEUS_URL` is always allowed, since the operator chose it.
"""

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Names that only ever mean "this machine" or "this private network" (RFC 6761, RFC 6762,
# RFC 8375, ICANN's .internal) and the cloud metadata names.
INTERNAL_NAMES = {"localhost", "metadata", "metadata.google.internal", "instance-data"}
INTERNAL_SUFFIXES = (".localhost", ".local", ".internal", ".localdomain", ".home.arpa", ".lan",
                     ".intranet", ".corp", ".private")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
MAX_BODY_BYTES = 10_000_000


class OutboundRefused(Exception):
    """A URL that T-Minus will not call; the message says why, for the person who typed it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Response:
    status: int
    reason: str
    headers: dict[str, str]
    body: bytes
    url: str

    def text(self) -> str:
        return self.body.decode(errors="replace")


# --- what is internal ---------------------------------------------------------------------

def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address.sixtofour:
        return address.sixtofour
    if address.teredo:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_internal(address: IPAddress) -> bool:
    """Whether an address is anything but a public, routable unicast address."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return is_internal(embedded)
    return (address.is_loopback or address.is_private or address.is_link_local
            or address.is_multicast or address.is_reserved or address.is_unspecified
            or not address.is_global)


def _literal(host: str) -> IPAddress | None:
    """The address a host written as an address stands for, in any form the resolver takes
    (127.1, 2130706433, 0x7f.0.0.1, 0177.0.0.1, ::ffff:127.0.0.1)."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except (OSError, ValueError):
        return None


def _internal_name(host: str) -> bool:
    return host in INTERNAL_NAMES or host.endswith(INTERNAL_SUFFIXES) or "." not in host


# --- what is allowed anyway ---------------------------------------------------------------

@dataclass(frozen=True)
class _Allowances:
    names: frozenset[str]
    suffixes: tuple[str, ...]
    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]
    endpoints: frozenset[tuple[str, int]]

    def name(self, host: str, port: int) -> bool:
        return (host in self.names or host.endswith(self.suffixes)
                or (host, port) in self.endpoints)

    def address(self, address: IPAddress) -> bool:
        return any(address.version == net.version and address in net for net in self.networks)


def _allowances() -> _Allowances:
    names, suffixes, networks, endpoints = set(), [], [], set()
    for entry in getattr(settings, "OUTBOUND_ALLOW", []):
        entry = entry.strip().lower()
        try:
            networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            continue
        except ValueError:
            pass
        if entry.startswith(("*.", ".")):
            suffixes.append("." + entry.lstrip("*."))
        elif entry:
            names.add(entry)
    # The operator's own Prometheus: only its host and port, not the whole machine.
    configured = urlsplit(getattr(settings, "PROMETHEUS_URL", "") or "")
    if configured.hostname:
        endpoints.add((configured.hostname.lower(), _port(configured)))
    return _Allowances(frozenset(names), tuple(suffixes), tuple(networks), frozenset(endpoints))


# --- checking a URL -----------------------------------------------------------------------

@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str
    port: int
    path: str


def _port(parts) -> int:
    return parts.port or (443 if parts.scheme == "https" else 80)


def _target(url: str) -> _Target:
    parts = urlsplit((url or "").strip())
    if parts.scheme not in ("http", "https"):
        shown = f"{parts.scheme}://" if parts.scheme else repr(url)
        raise OutboundRefused(f"The URL must start with http:// or https://, not {shown}.")
    try:
        host, port = (parts.hostname or "").rstrip(".").lower(), _port(parts)
    except ValueError:
        raise OutboundRefused("The URL's port is not a number between 1 and 65535.") from None
    if not host:
        raise OutboundRefused("The URL needs a host name.")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return _Target(parts.scheme, host, port, path)


def _refused_address(host: str, address: IPAddress) -> OutboundRefused:
    shown = host if host == str(address) else f"{host} ({address})"
    return OutboundRefused(
        f"{shown} is an internal address (loopback, private, link-local or reserved); T-Minus "
        f"does not call those. An administrator can allow it with TMINUS_OUTBOUND_ALLOW.")


def _check_addresses(host: str, addresses: list[IPAddress], allow: _Allowances) -> None:
    for address in addresses:
        if is_internal(address) and not allow.address(address):
            raise _refused_address(host, address)


def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise OSError(f"could not resolve {host}: {error}") from None
    addresses: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


def _addresses_for(target: _Target, *, resolve: bool) -> list[IPAddress]:
    """The checked addresses to connect to; raises OutboundRefused or (resolving) OSError."""
    allow = _allowances()
    literal = _literal(target.host)
    if literal is not None:
        if not allow.name(target.host, target.port):
            _check_addresses(target.host, [literal], allow)
        return [literal]
    if allow.name(target.host, target.port):
        return _resolve(target.host, target.port) if resolve else []
    if _internal_name(target.host):
        raise OutboundRefused(
            f"{target.host} is an internal host name; T-Minus does not call those. An "
            f"administrator can allow it with TMINUS_OUTBOUND_ALLOW.")
    if not resolve:
        return []
    addresses = _resolve(target.host, target.port)
    _check_addresses(target.host, addresses, allow)
    return addresses


def url_problem(url: str) -> str:
    """What keeps T-Minus from calling this URL, for a field message; '' when it may be saved.

    A name that does not resolve now is accepted: it is resolved and checked again when used.
    """
    try:
        target = _target(url)
        _addresses_for(target, resolve=True)
    except OutboundRefused as refused:
        return refused.message
    except OSError:
        return ""
    return ""


def check_url(url: str) -> None:
    """Raise OutboundRefused when T-Minus must not call this URL (resolving it now)."""
    _addresses_for(_target(url), resolve=True)


def url_origin(url: str) -> str:
    """Scheme, host and port of a URL, without user, path or query: http://prometheus:9090."""
    parts = urlsplit((url or "").strip())
    try:
        host, port = parts.hostname or "", f":{parts.port}" if parts.port else ""
    except ValueError:
        host, port = parts.hostname or "", ""
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}{port}" if parts.scheme and host else ""


def masked_url(url: str) -> str:
    """A URL with everything after its host hidden (webhook URLs carry their secret in the
    path): https://hooks.slack.com/…"""
    origin = url_origin(url)
    return f"{origin}/…" if origin else ("…" if url else "")


# --- calling it ---------------------------------------------------------------------------

class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Speaks to the host by name (Host header) but connects to the address that was checked."""

    def __init__(self, host: str, port: int, address: IPAddress, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.address = str(address)

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """As above over TLS; the certificate is verified against the host name."""

    def __init__(self, host: str, port: int, address: IPAddress, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = str(address)

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _connection(target: _Target, address: IPAddress, timeout: float):
    kind = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    return kind(target.host, target.port, address, timeout)


def _send_once(method: str, url: str, body: bytes | None, headers: dict, timeout: float,
               limit: int) -> Response:
    target = _target(url)
    addresses = _addresses_for(target, resolve=True)
    error: OSError | None = None
    for address in addresses:
        connection = _connection(target, address, timeout)
        try:
            connection.request(method, target.path, body=body, headers=headers)
            answer = connection.getresponse()
            return Response(answer.status, answer.reason,
                            {k.lower(): v for k, v in answer.getheaders()},
                            answer.read(limit), url)
        except (OSError, http.client.HTTPException) as failure:
            error = failure if isinstance(failure, OSError) else OSError(str(failure))
        finally:
            connection.close()
    raise error or OSError(f"no address for {target.host}")


def fetch(method: str, url: str, *, body: bytes | None = None, headers: dict | None = None,
          timeout: float = 10, limit: int = MAX_BODY_BYTES, redirects: int = 0) -> Response:
    """Call a URL someone saved, checked again now; the answer's body is read up to `limit`.

    Raises OutboundRefused for an address T-Minus does not call, OSError when the server cannot
    be reached. A 3xx is returned as it is unless `redirects` allows following it (GET only);
    every hop is checked like the first.
    """
    headers = {"User-Agent": "T-Minus", **(headers or {})}
    response = _send_once(method, url, body, headers, timeout, limit)
    hops = 0
    while (300 <= response.status < 400 and response.headers.get("location")
           and method == "GET" and hops < redirects):
        hops += 1
        url = urljoin(response.url, response.headers["location"])
        response = _send_once(method, url, body, headers, timeout, limit)
    return response

"""Where a webhook may be sent, and the one HTTP call that sends it.

A target must be http(s) and resolve only to public addresses: loopback, link-local,
private-network, shared, multicast and reserved addresses are refused (server-side request
forgery), unless the host is named in ``WEBHOOK_ALLOWED_HOSTS`` by whoever runs the
server. The address checked is the address connected to, so a name that resolves to a
public address for the check and a private one for the call cannot slip through."""

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings


class TargetRefused(Exception):
    """The URL may not be called; the message says why."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str


def _host_allowed(host: str) -> bool:
    return host.lower() in {h.lower() for h in settings.WEBHOOK_ALLOWED_HOSTS}


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve_target(url: str) -> Target:
    """The address to connect to for `url`, or TargetRefused saying why it may not be."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise TargetRefused("Use an http:// or https:// URL.")
    if not parts.hostname:
        raise TargetRefused("The URL names no host.")
    if parts.username or parts.password:
        raise TargetRefused(
            "Put no user name or password in the URL; the signature proves the sender."
        )
    host = parts.hostname
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise TargetRefused("The URL's port is not a number between 1 and 65535.") from None
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise TargetRefused(f"{host} does not resolve to an address.") from None
    addresses = [info[4][0] for info in infos]
    if not _host_allowed(host):
        refused = [a for a in addresses if not _public(a)]
        if refused:
            raise TargetRefused(
                f"{host} resolves to {refused[0]}, a loopback, link-local or private-network "
                "address; such hosts receive webhooks only when the server's "
                "WEBHOOK_ALLOWED_HOSTS names them."
            )
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(scheme=parts.scheme, host=host, port=port, path=path, address=addresses[0])


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to an address already checked, with the certificate checked for the host name."""

    def __init__(self, target: Target, timeout: float):
        super().__init__(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
        self._address = target.address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


@dataclass(frozen=True)
class Answer:
    status: int
    body_excerpt: str


def post(target: Target, *, body: bytes, headers: dict[str, str], timeout: float) -> Answer:
    """POST `body` to the checked address; redirects are not followed (a 3xx is a failure)."""
    if target.scheme == "https":
        connection: http.client.HTTPConnection = _PinnedHTTPSConnection(target, timeout)
    else:
        connection = http.client.HTTPConnection(target.address, target.port, timeout=timeout)
    host_header = target.host if target.port in (80, 443) else f"{target.host}:{target.port}"
    try:
        connection.request(
            "POST",
            target.path,
            body=body,
            headers={"Host": host_header, "Content-Type": "application/json", **headers},
        )
        response = connection.getresponse()
        excerpt = response.read(2000).decode("utf-8", "replace")
        return Answer(status=response.status, body_excerpt=excerpt[:1000])
    finally:
        connection.close()

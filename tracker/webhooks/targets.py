"""Where a webhook may be sent, checked when an endpoint is registered and again at each
delivery: an `https` address (no user name or password in it) whose host resolves only to
public addresses, never loopback, private, link-local, multicast or reserved ones. The request
then goes to the address that was checked (a name that resolves elsewhere a moment later is not
followed), with a short timeout.

`WEBHOOK_ALLOW_LOCAL` (a setting, never read from the environment) lets tests use a plain-http
receiver on the loopback interface.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app

MAX_URL_LENGTH = 2000


class TargetRefused(ValueError):
    """The address may not receive webhooks; the message says why."""


def _allow_local() -> bool:
    return bool(current_app.config.get("WEBHOOK_ALLOW_LOCAL"))


@dataclass(frozen=True)
class Target:
    """A checked address: where to connect, and what to ask for."""

    scheme: str
    host: str
    port: int
    address: str
    path: str


def _parts(url: str):
    if not url or len(url) > MAX_URL_LENGTH:
        raise TargetRefused(f"Give an address of at most {MAX_URL_LENGTH} characters.")
    if any(ord(ch) <= 32 or ord(ch) == 127 for ch in url):
        raise TargetRefused("The address may not contain spaces or control characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise TargetRefused("This is not a valid address.") from None
    allowed = ("https", "http") if _allow_local() else ("https",)
    if parts.scheme not in allowed:
        raise TargetRefused("The address must start with https://.")
    if not parts.hostname:
        raise TargetRefused("The address must name a host.")
    if parts.username is not None or parts.password is not None:
        raise TargetRefused("Leave the user name and password out of the address.")
    if parts.fragment:
        raise TargetRefused("Leave the #fragment out of the address.")
    return parts, port or (443 if parts.scheme == "https" else 80)


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check(url: str) -> Target:
    """The checked target of `url`; TargetRefused (with the reason) when it may not be used."""
    parts, port = _parts(url)
    host = parts.hostname.rstrip(".")
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise TargetRefused(f"The host {host} could not be found.") from None
    addresses = [info[4][0] for info in found]
    if not addresses:
        raise TargetRefused(f"The host {host} could not be found.")
    if not _allow_local() and not all(_public(address) for address in addresses):
        raise TargetRefused(
            "The address leads to a private, loopback or link-local network: only public "
            "addresses may receive webhooks."
        )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, host, port, addresses[0], path)


def post(target: Target, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST `body` to the checked `target`, connecting to the address that was checked (TLS
    still verifies the host's certificate by its name); returns the response's status code."""
    connection: http.client.HTTPConnection
    if target.scheme == "https":
        connection = http.client.HTTPSConnection(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(target.host, target.port, timeout=timeout)

    def pinned(_address, timeout=timeout, source_address=None):
        return socket.create_connection((target.address, target.port), timeout, source_address)

    connection._create_connection = pinned  # type: ignore[attr-defined]
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(65536)  # a little of the answer, then the connection is closed
        return response.status
    finally:
        connection.close()

"""SSRF guard for webhook targets: public https endpoints only, checked twice.

A URL is checked when a subscription is made and again at each delivery, where the request
is then sent to the very address that was checked (the URL's host stays in the `Host`
header and the TLS server name), so a DNS answer that changes in between (DNS rebinding)
cannot point a delivery at an internal service.
"""

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from app.core.errors import UnprocessableContent

Resolver = Callable[..., list[tuple[Any, ...]]]

# Looked up through the module so tests can stand in a resolver for rebinding scenarios.
resolve: Resolver = socket.getaddrinfo


class UnsafeUrl(UnprocessableContent):
    """The URL is malformed, not https, or resolves to a non-public address."""

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"The webhook URL is not allowed: {reason}.",
            errors=[{"field": "body.url", "message": reason, "type": "unsafe_url"}],
        )
        self.reason = reason


@dataclass(frozen=True)
class Target:
    """Where to send: the URL with its host replaced by the checked address."""

    url: str
    host: str
    host_header: str
    address: str
    scheme: str


def check_url(url: str, *, allow_private: bool, allow_http: bool) -> Target:
    """Resolve `url` and return the address to send to; raise UnsafeUrl if it is not allowed."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise UnsafeUrl("it is not a valid URL") from exc
    scheme = parsed.scheme
    if scheme not in ("https", "http"):
        raise UnsafeUrl("only https URLs are accepted")
    if scheme == "http" and not (allow_http or allow_private):
        raise UnsafeUrl("only https URLs are accepted")
    host = parsed.host
    if not host:
        raise UnsafeUrl("the URL has no host")
    if parsed.userinfo:
        raise UnsafeUrl("credentials in the URL are not accepted")
    port = parsed.port or (443 if scheme == "https" else 80)
    addresses = _addresses(host, port)
    if not addresses:
        raise UnsafeUrl(f"{host} does not resolve")
    if not allow_private:
        for address in addresses:
            if not is_public(address):
                raise UnsafeUrl(f"{host} resolves to a non-public address ({address})")
    address = addresses[0]
    pinned = parsed.copy_with(host=address)
    host_header = host if parsed.port is None else f"{_bracket(host)}:{parsed.port}"
    return Target(
        url=str(pinned), host=host, host_header=host_header, address=address, scheme=scheme
    )


def is_public(address: str) -> bool:
    """True for a globally routable unicast address (IPv4-mapped IPv6 judged as IPv4)."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def _addresses(host: str, port: int) -> list[str]:
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    try:
        infos = resolve(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    seen: list[str] = []
    for info in infos:
        address = str(info[4][0]).split("%", 1)[0]
        if address not in seen:
            seen.append(address)
    return seen


def _bracket(host: str) -> str:
    return f"[{host}]" if ":" in host else host

"""The client's network address, for per-IP limits and the internal API's source check.

`X-Forwarded-For` is anyone's to write, so it is believed only when the peer that sent it is a
configured trusted proxy (GATEWAY_TRUSTED_PROXIES), and only for as many hops as are trusted.
`ClientAddressMiddleware` puts the result in the ASGI scope, so `request.client` is the real
client everywhere (uvicorn's own proxy-header handling is off). Limits count IPv6 clients per
/64: one subscriber is usually given a whole /64 to rotate through.
"""

from __future__ import annotations

import ipaddress

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from citybot.networks import Network, parse_networks


def _ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None


def resolve(peer: str | None, forwarded_for: list[str], trusted: tuple[Network, ...]) -> str | None:
    """Walk X-Forwarded-For from the right while each hop was handed over by a trusted proxy."""
    current = _ip(peer or "")
    if current is None:
        return peer
    hops = [h for header in forwarded_for for h in header.split(",") if h.strip()]
    while hops and any(current in net for net in trusted):
        previous = _ip(hops.pop())
        if previous is None:
            break  # a garbled hop: keep the last address a trusted proxy vouched for
        current = previous
    return str(current)


def limit_key(address: str | None) -> str:
    """The unit a per-IP limit counts: the address, or its /64 for IPv6."""
    ip = _ip(address or "")
    if ip is None:
        return "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{ip}/64", strict=False))
    return str(ip)


class ClientAddressMiddleware:
    def __init__(self, app: ASGIApp, trusted_proxies: str) -> None:
        self.app = app
        self.trusted = parse_networks(trusted_proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and self.trusted and scope.get("client"):
            forwarded = [v.decode("latin-1") for k, v in scope.get("headers") or [] if k == b"x-forwarded-for"]
            if forwarded:
                host, port = scope["client"]
                # In place, as uvicorn's own proxy middleware does, so its access log shows it too.
                scope["client"] = (resolve(host, forwarded, self.trusted), port)
        await self.app(scope, receive, send)


def client_ip(conn: HTTPConnection) -> str:
    """The per-IP limit key of this request's client (already resolved by the middleware)."""
    return limit_key(conn.client.host if conn.client else None)

"""Source-address checks for endpoints meant for our own networks only (`/metrics`, `/internal`)."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=16)
def parse_networks(spec: str) -> tuple[Network, ...]:
    """`"127.0.0.1/32, ::1/128"` -> networks; host bits after the prefix are ignored."""
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in spec.split(",") if part.strip())


def address_allowed(host: str | None, networks: str) -> bool:
    """True when `host` is an IP address inside one of the comma-separated `networks`."""
    if host is None:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in parse_networks(networks))

"""Who is asking: the client's address, as the socket saw it or as the proxies in front of us did."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The socket's address, or the one the NUM_PROXIES proxies in front of us saw (each appends the
    address it was reached from to X-Forwarded-For, so what comes before theirs is the client's claim).
    A forwarded value that is not an address is ignored."""
    address = request.META.get("REMOTE_ADDR") or None
    if settings.NUM_PROXIES:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= settings.NUM_PROXIES:
            address = forwarded[-settings.NUM_PROXIES]
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return request.META.get("REMOTE_ADDR") or None

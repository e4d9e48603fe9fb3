"""Fetching evidence pages for the fact-check queue: the only code that reaches out to the web.

Readers and staff paste the URLs, so every fetch is treated as hostile: only http(s), never a private,
loopback or link-local address, nor one hidden in an IPv6 form (checked after DNS resolution and again at
every redirect, and the connection goes to exactly the address that was checked), no proxy, bounded in
time and size, and only text the checker can read.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx

MAX_REDIRECTS = 5
TEXT_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
USER_AGENT = "NewsroomLinkCheck/1.0 (+fact-check evidence verification)"

type Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# Not globally reachable, but missed by the `ipaddress` tables of some Python versions.
REFUSED_NETWORKS = {
    ipaddress.ip_network("100.64.0.0/10"): "shared carrier-grade NAT space",
    ipaddress.ip_network("192.0.0.0/24"): "reserved for protocol assignments",
    ipaddress.ip_network("192.88.99.0/24"): "the retired 6to4 relay range",
    ipaddress.ip_network("64:ff9b:1::/48"): "local-use NAT64",
    ipaddress.ip_network("3fff::/20"): "reserved for documentation",
    ipaddress.ip_network("5f00::/16"): "reserved for segment routing",
}
NAT64 = ipaddress.ip_network("64:ff9b::/96")
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


class FetchError(Exception):
    """Why a page could not be checked; `kind` is an Evidence.LinkStatus value."""

    def __init__(self, kind: str, detail: str):
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


@dataclass(frozen=True)
class Page:
    url: str  # after redirects
    status: int
    content_type: str
    text: str  # readable text, markup removed


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[tuple[str, ipaddress.IPv4Address]]:
    """The IPv4 addresses an IPv6 address carries, by the name of the form that carries them."""
    low32 = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.ipv4_mapped:
        return [("IPv4-mapped", address.ipv4_mapped)]
    if address in NAT64:
        return [("NAT64", low32)]
    if address.sixtofour:
        return [("6to4", address.sixtofour)]
    if address.teredo:  # the client address comes back already un-obfuscated
        return [("Teredo", embedded) for embedded in address.teredo]
    if address in IPV4_COMPATIBLE and int(address) > 1:  # :: and ::1 are not IPv4-compatible
        return [("IPv4-compatible", low32)]
    return []


def _refusal_reason(address: Address) -> str | None:
    """Why the checker must not connect to an address, or None for a public one."""
    if isinstance(address, ipaddress.IPv6Address):
        for form, embedded in _embedded_ipv4(address):
            reason = _refusal_reason(embedded)
            if reason:
                return f"the {form} form of {embedded}, which is {reason}"
        if address.ipv4_mapped or address in NAT64:
            return None  # a translation of the public IPv4 address it carries
    for network, reason in REFUSED_NETWORKS.items():
        if address in network:
            return reason
    flags = {
        "unspecified": address.is_unspecified,
        "loopback": address.is_loopback,
        "link-local": address.is_link_local,
        "site-local": isinstance(address, ipaddress.IPv6Address) and address.is_site_local,
        "multicast": address.is_multicast,
        "private": address.is_private,
        "reserved": address.is_reserved,
        "not globally reachable": not address.is_global,
    }
    return next((reason for reason, raised in flags.items() if raised), None)


def _resolve(url: httpx.URL, allowed_hosts: set[str]) -> list[Address]:
    """Every address the URL's host stands for, each vetted; the host named in `allowed_hosts` is exempt."""
    host = url.host
    try:
        addresses: list[Address] = [ipaddress.ip_address(host)]
    except ValueError:
        port = url.port or (443 if url.scheme == "https" else 80)
        try:
            infos = socket.getaddrinfo(url.raw_host.decode("ascii"), port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise FetchError("broken", f"The host {host} does not resolve.") from exc
        addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))
    if {host, url.raw_host.decode("ascii")} & allowed_hosts:  # the name as written or in IDNA form
        return addresses
    for address in addresses:
        reason = _refusal_reason(address)
        if reason:
            raise FetchError(
                "refused", f"{host} points to a private or local address ({address} is {reason})."
            )
    return addresses


class _PinnedTransport(httpx.HTTPTransport):
    """Connects each request to an address its host resolved to, after every one of them was vetted.

    Left to itself httpx would resolve the name again to connect, and a rebinding DNS server could answer
    the second time with an internal address. Here the URL's host becomes the vetted IP, while the Host
    header (already set from the original URL), TLS SNI and the certificate check keep the name.
    """

    def __init__(self, allowed_hosts: list[str]):
        # No kept-alive connections: one opened for a host must not carry another host's request, as its
        # certificate was checked for the first name only.
        super().__init__(limits=httpx.Limits(max_keepalive_connections=0))
        self.allowed_hosts = {host.strip().lower().strip("[]") for host in allowed_hosts if host.strip()}

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        addresses = _resolve(request.url, self.allowed_hosts)
        for address in addresses[:-1]:
            try:
                return super().handle_request(self._pinned(request, address))
            except httpx.ConnectError:
                continue  # the next vetted address, as socket.create_connection would
        return super().handle_request(self._pinned(request, addresses[-1]))

    @staticmethod
    def _pinned(request: httpx.Request, address: Address) -> httpx.Request:
        return httpx.Request(
            request.method,
            request.url.copy_with(host=str(address)),
            headers=request.headers,
            stream=request.stream,
            extensions={**request.extensions, "sni_hostname": request.url.raw_host.decode("ascii")},
        )


def fetch_text(url: str, *, timeout: float, max_bytes: int, allowed_hosts: list[str]) -> Page:
    """GET a page's text, following redirects by hand so each hop is checked before it is contacted."""
    deadline = time.monotonic() + timeout
    headers = {"User-Agent": USER_AGENT, "Accept": "text/html,text/plain;q=0.9"}
    with httpx.Client(
        transport=_PinnedTransport(allowed_hosts),
        trust_env=False,  # no proxy from the environment: it would connect on the checker's behalf
        timeout=httpx.Timeout(timeout, connect=min(5.0, timeout)),
        headers=headers,
    ) as client:
        for _ in range(MAX_REDIRECTS + 1):
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise FetchError(
                    "refused", f"Only http and https links can be checked, not {parts.scheme or 'this'}."
                )
            try:
                with client.stream("GET", url, follow_redirects=False) as response:
                    if response.is_redirect:
                        url = urljoin(url, response.headers.get("location", ""))
                        continue
                    return _read(response, url, deadline, max_bytes)
            except httpx.InvalidURL as exc:
                raise FetchError("refused", f"Not a valid link: {exc}.") from exc
            except httpx.TimeoutException as exc:
                raise FetchError("timeout", f"No answer within {timeout:g} seconds.") from exc
            except httpx.HTTPError as exc:
                raise FetchError("broken", f"The connection failed: {type(exc).__name__}.") from exc
    raise FetchError("broken", f"More than {MAX_REDIRECTS} redirects.")


def _read(response: httpx.Response, url: str, deadline: float, max_bytes: int) -> Page:
    if response.status_code >= 400:
        raise FetchError("broken", f"The server answered {response.status_code}.")
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in TEXT_TYPES:
        raise FetchError("unsupported", f"Not a web page ({content_type or 'no content type'}).")
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise FetchError("too_large", f"Larger than {max_bytes // 1024} KiB.")
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > max_bytes:
            raise FetchError("too_large", f"Larger than {max_bytes // 1024} KiB.")
        if time.monotonic() > deadline:
            raise FetchError("timeout", "The page took too long to arrive.")
    text = body.decode(response.encoding or "utf-8", errors="replace")
    if content_type != "text/plain":
        text = html_to_text(text)
    return Page(url=url, status=response.status_code, content_type=content_type, text=text)


class _TextExtractor(HTMLParser):
    SKIP = {"script", "style", "noscript", "template", "svg", "head"}
    BLOCKS = {
        "p",
        "div",
        "li",
        "br",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "tr",
        "td",
        "th",
        "section",
        "article",
    }

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _TextExtractor()
    parser.feed(html)
    return "\n".join(" ".join(line.split()) for line in "".join(parser.parts).splitlines() if line.strip())

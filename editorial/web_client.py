"""Fetching evidence pages for the fact-check queue: the only code that reaches out to the web.

Readers and staff paste the URLs, so every fetch is treated as hostile: only http(s), never a private,
loopback or link-local address (checked after DNS resolution and again at every redirect), bounded in
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


def _check_address(url: str, allowed_hosts: list[str]) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(
            "refused", f"Only http and https links can be checked, not {parts.scheme or 'this'}."
        )
    if parts.hostname in allowed_hosts:
        return
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise FetchError("broken", f"The host {parts.hostname} does not resolve.") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global or address.is_multicast:
            raise FetchError("refused", f"{parts.hostname} points to a private or local address ({address}).")


def fetch_text(url: str, *, timeout: float, max_bytes: int, allowed_hosts: list[str]) -> Page:
    """GET a page's text, following redirects by hand so each hop is checked before it is contacted."""
    deadline = time.monotonic() + timeout
    headers = {"User-Agent": USER_AGENT, "Accept": "text/html,text/plain;q=0.9"}
    with httpx.Client(timeout=httpx.Timeout(timeout, connect=min(5.0, timeout)), headers=headers) as client:
        for _ in range(MAX_REDIRECTS + 1):
            _check_address(url, allowed_hosts)
            try:
                with client.stream("GET", url, follow_redirects=False) as response:
                    if response.is_redirect:
                        url = urljoin(url, response.headers.get("location", ""))
                        continue
                    return _read(response, url, deadline, max_bytes)
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

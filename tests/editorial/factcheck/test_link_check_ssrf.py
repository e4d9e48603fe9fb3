"""An evidence link cannot steer the checker at an internal address: not by DNS rebinding, not by an IPv4
address hidden in an IPv6 form, not by a redirect and not through proxy settings.

Made-up names are answered by a stub resolver and every TCP connection is recorded, so nothing here
leaves the machine: a pinned public address is either refused or routed to a server on 127.0.0.1.
"""

import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from werkzeug import Response

from editorial import web_client
from editorial.web_client import FetchError

PUBLIC_V4 = "93.184.215.14"
PUBLIC_V6 = "2606:4700:4700::1111"
REAL_GETADDRINFO = socket.getaddrinfo
REAL_CREATE_CONNECTION = socket.create_connection


class Recorder(BaseHTTPRequestHandler):
    """Answers every GET with a small page, or a redirect listed in `server.redirects`, and keeps what it
    was asked."""

    protocol_version = "HTTP/1.1"  # keeps connections open, as real servers do

    def do_GET(self):
        self.server.requests.append({"path": self.path, "host": self.headers.get("Host")})
        if self.path in self.server.redirects:
            self.send_response(302)
            self.send_header("Location", self.server.redirects[self.path])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b"<p>Internal page: the council approved 12 new homes.</p>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class RecordingServer(ThreadingHTTPServer):
    def __init__(self, tls: ssl.SSLContext | None = None):
        super().__init__(("127.0.0.1", 0), Recorder)
        self.requests: list[dict] = []
        self.redirects: dict[str, str] = {}
        if tls:
            self.socket = tls.wrap_socket(self.socket, server_side=True)

    @property
    def port(self) -> int:
        return self.server_address[1]

    def handle_error(self, request, client_address):
        pass  # a refused TLS handshake is part of the test


@pytest.fixture
def start_server():
    servers = []

    def start(tls: ssl.SSLContext | None = None) -> RecordingServer:
        server = RecordingServer(tls)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


class Resolver:
    """Answers made-up names in turn (the last answer repeats); other names resolve as usual."""

    def __init__(self):
        self.answers: dict[str, list[list[str]]] = {}
        self.asked: list[str] = []

    def answer(self, host: str, *answers: list[str]) -> None:
        self.answers[host] = list(answers)

    def getaddrinfo(self, host, port, *args, **kwargs):
        if host not in self.answers:
            return REAL_GETADDRINFO(host, port, *args, **kwargs)
        self.asked.append(host)
        queue = self.answers[host]
        addresses = queue.pop(0) if len(queue) > 1 else queue[0]
        port = int(port or 0)
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (a, port, 0, 0))
            if ":" in a
            else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in addresses
        ]


@pytest.fixture
def dns(monkeypatch):
    resolver = Resolver()
    monkeypatch.setattr(socket, "getaddrinfo", resolver.getaddrinfo)
    return resolver


class Dialer:
    """Records every TCP connection. A routed public address reaches a local port; any other public
    address is refused; everything else connects for real, so a leak to loopback shows up as a request."""

    def __init__(self):
        self.dialed: list[tuple[str, int]] = []
        self.routes: dict[str, int] = {}

    def create_connection(self, address, *args, **kwargs):
        host, port = address[0], address[1]
        self.dialed.append((host, port))
        if host in self.routes:
            return REAL_CREATE_CONNECTION(("127.0.0.1", self.routes[host]), *args, **kwargs)
        if host in (PUBLIC_V4, PUBLIC_V6):
            raise ConnectionRefusedError(f"{host} is not reachable from the tests")
        return REAL_CREATE_CONNECTION(address, *args, **kwargs)


@pytest.fixture
def dialer(monkeypatch):
    recorder = Dialer()
    monkeypatch.setattr(socket, "create_connection", recorder.create_connection)
    return recorder


def fetch(url: str, allowed: tuple[str, ...] = ()) -> web_client.Page:
    return web_client.fetch_text(url, timeout=2, max_bytes=64 * 1024, allowed_hosts=list(allowed))


def test_it_connects_to_the_address_it_vetted_when_dns_rebinds(dns, dialer, start_server):
    local = start_server()
    dns.answer("rebind.example", [PUBLIC_V4], ["127.0.0.1"])
    with pytest.raises(FetchError) as caught:
        fetch(f"http://rebind.example:{local.port}/secret")
    assert caught.value.kind == "broken"
    assert local.requests == []
    assert dialer.dialed == [(PUBLIC_V4, local.port)]
    assert dns.asked == ["rebind.example"]


def test_it_pins_a_public_address_and_keeps_the_host_name(dns, dialer, start_server):
    local = start_server()
    dns.answer("news.example", [PUBLIC_V4])
    dialer.routes[PUBLIC_V4] = local.port
    page = fetch(f"http://news.example:{local.port}/minutes")
    assert (page.status, page.text) == (200, "Internal page: the council approved 12 new homes.")
    assert dialer.dialed == [(PUBLIC_V4, local.port)]
    assert local.requests == [{"path": "/minutes", "host": f"news.example:{local.port}"}]


def test_it_pins_an_ipv6_literal(dialer, start_server):
    local = start_server()
    dialer.routes[PUBLIC_V6] = local.port
    assert fetch(f"http://[{PUBLIC_V6}]:{local.port}/").status == 200
    assert dialer.dialed == [(PUBLIC_V6, local.port)]
    assert local.requests == [{"path": "/", "host": f"[{PUBLIC_V6}]:{local.port}"}]


def test_it_refuses_a_name_when_any_of_its_addresses_is_private(dns, dialer):
    dns.answer("mixed.example", [PUBLIC_V4, "10.0.0.7"])
    with pytest.raises(FetchError) as caught:
        fetch("http://mixed.example/")
    assert caught.value.kind == "refused"
    assert caught.value.detail == (
        "mixed.example points to a private or local address (10.0.0.7 is private)."
    )
    assert dialer.dialed == []


@pytest.mark.parametrize(
    "url",
    [
        "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 of 169.254.169.254
        "http://[64:ff9b::7f00:1]/",  # NAT64 of 127.0.0.1
        "http://[64:ff9b:1::a9fe:a9fe]/",  # local-use NAT64
        "http://[2002:a9fe:a9fe::]/",  # 6to4 of 169.254.169.254
        "http://[2002:7f00:1::]/",  # 6to4 of 127.0.0.1
        "http://[::127.0.0.1]/",  # IPv4-compatible
        "http://[::ffff:127.0.0.1]/",  # IPv4-mapped
        "http://[::ffff:a9fe:a9fe]/",
        "http://[2001:0:a00:1::f7f7:fbfb]/",  # Teredo: server 10.0.0.1, client 8.8.4.4
        "http://[2001:0:808:808::3f57:fefe]/",  # Teredo: server 8.8.8.8, client 192.168.1.1 (obfuscated)
        "http://0.0.0.0/",
        "http://[::]/",
        "http://100.64.0.1/",
        "http://192.0.0.9/",
        "http://224.0.0.1/",
        "http://240.0.0.1/",
        "http://[fe80::1]/",
        "http://[fec0::1]/",
        "http://[ff02::1]/",
        "http://[fd00::1]/",
        "http://2130706433/",  # 127.0.0.1 as one decimal number
        "http://0177.0.0.1/",  # octal
        "http://0x7f.1/",
        "http://127.1/",
    ],
)
def test_it_refuses_an_internal_address_in_any_form_without_connecting(dialer, url):
    with pytest.raises(FetchError) as caught:
        fetch(url)
    assert caught.value.kind == "refused"
    assert dialer.dialed == []


@pytest.mark.parametrize(
    ("url", "detail"),
    [
        (
            "http://[64:ff9b::7f00:1]/",
            "64:ff9b::7f00:1 points to a private or local address "
            "(64:ff9b::7f00:1 is the NAT64 form of 127.0.0.1, which is loopback).",
        ),
        (
            "http://[2001:0:808:808::3f57:fefe]/",
            "2001:0:808:808::3f57:fefe points to a private or local address "
            "(2001:0:808:808::3f57:fefe is the Teredo form of 192.168.1.1, which is private).",
        ),
        (
            "http://100.64.0.1/",
            "100.64.0.1 points to a private or local address (100.64.0.1 is shared carrier-grade NAT space).",
        ),
    ],
)
def test_it_says_which_host_was_refused_and_why(dialer, url, detail):
    with pytest.raises(FetchError) as caught:
        fetch(url)
    assert caught.value.detail == detail


@pytest.mark.parametrize("alias", ["localhost", "2130706433", "127.1", "[::ffff:127.0.0.1]"])
def test_it_exempts_exactly_the_allowed_host_and_not_its_aliases(dialer, start_server, alias):
    local = start_server()
    assert fetch(f"http://127.0.0.1:{local.port}/", allowed=("127.0.0.1",)).status == 200
    with pytest.raises(FetchError) as caught:
        fetch(f"http://{alias}:{local.port}/", allowed=("127.0.0.1",))
    assert caught.value.kind == "refused"
    assert len(local.requests) == 1


@pytest.mark.parametrize(
    "target",
    [
        "http://[64:ff9b::7f00:1]:{port}/",
        "http://nat64.example:{port}/",
        "http://127.0.0.1:{port}/",
        "http://rebind.example:{port}/",
    ],
)
def test_it_refuses_a_redirect_hop_to_an_internal_address(dns, dialer, httpserver, start_server, target):
    local = start_server()
    dns.answer("nat64.example", ["64:ff9b::7f00:1"])
    dns.answer("rebind.example", ["127.0.0.1"])
    httpserver.expect_request("/jump").respond_with_response(
        Response(status=302, headers={"Location": target.format(port=local.port)})
    )
    with pytest.raises(FetchError) as caught:
        fetch(httpserver.url_for("/jump"), allowed=(httpserver.host,))
    assert caught.value.kind == "refused"
    assert "private or local address" in caught.value.detail
    assert local.requests == []
    assert [port for _, port in dialer.dialed] == [httpserver.port]


def test_it_re_resolves_and_pins_every_redirect_hop(dns, dialer, httpserver, start_server):
    local = start_server()
    dns.answer("news.example", [PUBLIC_V4])
    dialer.routes[PUBLIC_V4] = local.port
    httpserver.expect_request("/old").respond_with_response(
        Response(status=301, headers={"Location": f"http://news.example:{local.port}/new"})
    )
    page = fetch(httpserver.url_for("/old"), allowed=(httpserver.host,))
    assert page.url == f"http://news.example:{local.port}/new"
    assert dialer.dialed[-1] == (PUBLIC_V4, local.port)
    assert local.requests == [{"path": "/new", "host": f"news.example:{local.port}"}]


def test_it_ignores_proxy_settings(monkeypatch, dns, dialer, start_server):
    proxy, local = start_server(), start_server()
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.setenv(name, f"http://127.0.0.1:{proxy.port}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    dns.answer("news.example", [PUBLIC_V4])
    dialer.routes[PUBLIC_V4] = local.port
    assert fetch(f"http://news.example:{local.port}/").status == 200
    assert proxy.requests == []
    assert len(local.requests) == 1


# A throwaway CA and a certificate for news.example signed by it (valid 2000-2100), used only to serve
# TLS from 127.0.0.1 in the test below.
TEST_CA = """-----BEGIN CERTIFICATE-----
MIIBaTCCAQ+gAwIBAgIBATAKBggqhkjOPQQDAjAbMRkwFwYDVQQDDBBOZXdzcm9v
bSB0ZXN0IENBMCAXDTAwMDEwMTAwMDAwMFoYDzIxMDAwMTAxMDAwMDAwWjAbMRkw
FwYDVQQDDBBOZXdzcm9vbSB0ZXN0IENBMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcD
QgAEALhsqzbezidvev5TAxD4nqQxHknzZSCVOx8N0u3f7uM2JkffuAZkTNYPd7Qd
Fd995/8sdjp7qZPNH5zOziNY5aNCMEAwDwYDVR0TAQH/BAUwAwEB/zAOBgNVHQ8B
Af8EBAMCAQYwHQYDVR0OBBYEFGhEn9/5hApha079juLUrEaRP6PBMAoGCCqGSM49
BAMCA0gAMEUCIQDBgl0EHOxleaejhFlUJLJyLqAD1CnhZNsd9OXEDG3wVgIgGW+z
0olqUCNQI6m8kBy2XOQfUKY5r9wOd3qKZUYgcio=
-----END CERTIFICATE-----
"""
NEWS_EXAMPLE_CERT_AND_KEY = """-----BEGIN CERTIFICATE-----
MIIBszCCAVmgAwIBAgIBAjAKBggqhkjOPQQDAjAbMRkwFwYDVQQDDBBOZXdzcm9v
bSB0ZXN0IENBMCAXDTAwMDEwMTAwMDAwMFoYDzIxMDAwMTAxMDAwMDAwWjAXMRUw
EwYDVQQDDAxuZXdzLmV4YW1wbGUwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQS
ENuN2MYFXHuhM5/t6F7K9yNURKRwyeNilhZKEn1NCMv/CyxGZnzh2bZvojbojQqR
qBxVjlFWWzE7f50W+ftwo4GPMIGMMBcGA1UdEQQQMA6CDG5ld3MuZXhhbXBsZTAM
BgNVHRMBAf8EAjAAMA4GA1UdDwEB/wQEAwIHgDATBgNVHSUEDDAKBggrBgEFBQcD
ATAdBgNVHQ4EFgQU2nbYYfRQLnQxFy1NHxxpwfL1LLUwHwYDVR0jBBgwFoAUaESf
3/mECmFrTv2O4tSsRpE/o8EwCgYIKoZIzj0EAwIDSAAwRQIhAJcq9ciq+j63sEdA
9ewZKHV2z+vc6cnCmIBYI2zeTbTNAiAfcqNzaavbKa6f6t/V0Dvjof8GBbmSFUqg
eIj5Md9zDA==
-----END CERTIFICATE-----
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgYVnFvwDyEmZPY8zS
DO+qRM77gmI9fm86K/CCWztj/fShRANCAAQSENuN2MYFXHuhM5/t6F7K9yNURKRw
yeNilhZKEn1NCMv/CyxGZnzh2bZvojbojQqRqBxVjlFWWzE7f50W+ftw
-----END PRIVATE KEY-----
"""


@pytest.fixture
def tls_news_example(tmp_path, monkeypatch, start_server):
    """A TLS server on 127.0.0.1 holding a certificate for news.example only; the fetch trusts its CA."""
    (tmp_path / "ca.pem").write_text(TEST_CA)
    (tmp_path / "server.pem").write_text(NEWS_EXAMPLE_CERT_AND_KEY)
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))  # httpx's trust store, as deployed
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "server.pem")
    names: list[str | None] = []
    context.sni_callback = lambda sock, name, ctx: names.append(name)
    server = start_server(context)
    server.sni_names = names
    return server


@pytest.mark.parametrize(("host", "verified"), [("news.example", True), ("other.example", False)])
def test_it_sends_sni_and_checks_the_certificate_for_the_host_name(
    dns, dialer, tls_news_example, host, verified
):
    dns.answer(host, [PUBLIC_V4])
    dialer.routes[PUBLIC_V4] = tls_news_example.port
    url = f"https://{host}:{tls_news_example.port}/evidence"
    if verified:
        assert fetch(url).status == 200
        assert tls_news_example.requests == [{"path": "/evidence", "host": f"{host}:{tls_news_example.port}"}]
    else:
        with pytest.raises(FetchError) as caught:
            fetch(url)
        assert caught.value.kind == "broken"
        assert tls_news_example.requests == []
    assert tls_news_example.sni_names == [host]
    assert dialer.dialed == [(PUBLIC_V4, tls_news_example.port)]


def test_it_opens_a_new_connection_for_each_host_name(dns, dialer, tls_news_example):
    """Two names on one address: the second must not ride on the connection checked for the first."""
    port = tls_news_example.port
    dns.answer("news.example", [PUBLIC_V4])
    dns.answer("other.example", [PUBLIC_V4])
    dialer.routes[PUBLIC_V4] = port
    tls_news_example.redirects["/old"] = f"https://other.example:{port}/new"
    with pytest.raises(FetchError) as caught:
        fetch(f"https://news.example:{port}/old")
    assert caught.value.kind == "broken"
    assert tls_news_example.sni_names == ["news.example", "other.example"]
    assert [r["path"] for r in tls_news_example.requests] == ["/old"]

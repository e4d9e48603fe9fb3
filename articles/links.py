"""Links that people paste (a reader's evidence, a fact-checker's source): one normal form, or a clear
refusal. They are shown to staff as links, so a link carries no user name or password (the classic way to
make `https://trusted.example@evil.example/` read as another site), no control, invisible or
direction-changing characters (U+202E turns `moc.elpmaxe` into `example.com` on screen), and its host in
its IDNA form (what browsers connect to), so what the desk reads is where the link goes.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import quote, urlsplit, urlunsplit

import idna
from django.core.exceptions import ValidationError

SCHEMES = ("http", "https")
# Printable ASCII that may stand in a path, query or fragment as it is; the rest is percent-encoded.
SAFE = "/:@!$&'()*+,;=-._~%?#[]"


def _refuse(message: str) -> ValidationError:
    return ValidationError(message, code="invalid_link")


def _host(hostname: str) -> str:
    if hostname.startswith("["):  # an IPv6 literal: kept as it is written
        return hostname
    invalid = _refuse(
        "The link's site name is not a valid address. Copy the link from your browser's address bar."
    )
    try:
        host = idna.encode(hostname.rstrip("."), uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        raise invalid from None
    labels = host.split(".")
    if (
        labels[-1].isdigit()
        and all(label.isdigit() and int(label) < 256 for label in labels)
        and len(labels) == 4
    ):
        return host  # an IPv4 address
    top = labels[-1].lower()
    if len(labels) < 2 or not (top.isalpha() or top.startswith("xn--")):
        raise invalid
    return host


def normalised_url(value: str) -> str:
    """`value` as an http(s) link in normal form; ValidationError with a reader-facing message if it cannot
    be one."""
    value = value.strip()
    if any(ch.isspace() or unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co", "Zl", "Zp"} for ch in value):
        raise _refuse(
            "A link cannot contain spaces or invisible characters. Copy it again from your browser."
        )
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise _refuse("This is not a valid web address.") from None
    if parts.scheme.lower() not in SCHEMES or not parts.hostname:
        raise _refuse("Enter a web address that starts with http:// or https://.")
    if "@" in parts.netloc:
        raise _refuse(
            "A link cannot contain a user name or password (the part before “@”). Send the page's "
            "address only."
        )
    netloc = _host(parts.netloc.rsplit(":", 1)[0] if port is not None else parts.netloc).lower()
    if port is not None:
        netloc = f"{netloc}:{port}"
    return urlunsplit(
        (
            parts.scheme.lower(),
            netloc,
            quote(parts.path, safe=SAFE) or "/",
            quote(parts.query, safe=SAFE),
            quote(parts.fragment, safe=SAFE),
        )
    )

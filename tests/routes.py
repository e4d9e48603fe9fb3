"""The URL conf's routes as strings, for the tests that walk every address."""

from django.urls import URLPattern, URLResolver


def walk(patterns, prefix: str = ""):
    """Each route below `patterns`, its prefixes joined (`articles/<slug:slug>/changes/`)."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)

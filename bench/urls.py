"""The site, plus /bench/reference/<name>/: a view that returns the bytes of a published page (read once
from BENCH_REFERENCE_DIR) through the whole middleware stack. It is what "the speed limit" means: a Django
view that does no work but return the page."""

import os
from pathlib import Path

from django.http import HttpResponse
from django.urls import path

from editorial.urls import urlpatterns as site

_pages: dict[str, bytes] = {}


def reference(request, name: str) -> HttpResponse:
    if name not in _pages:
        _pages[name] = (Path(os.environ["BENCH_REFERENCE_DIR"]) / f"{name}.html").read_bytes()
    return HttpResponse(_pages[name], content_type="text/html; charset=utf-8")


urlpatterns = [path("bench/reference/<str:name>/", reference), *site]

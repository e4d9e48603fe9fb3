"""The site's settings plus the benchmark's reference view (bench/urls.py); used only by make bench."""

from editorial.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

import time

from django.conf import settings
from django.core.management.base import BaseCommand

from articles import pages


class Command(BaseCommand):
    help = (
        "Render every public page the page store keeps, for this build (run on deploy); with --recent N, "
        "the site's own pages and those of the N most recent articles only (the first reader of any other "
        "page bakes it). With --prune, remove the pages of earlier builds."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--prune", action="store_true", help="remove pages stored by other builds")
        parser.add_argument("--recent", type=int, default=None, help="bake only these many articles' pages")

    def handle(self, *args, prune: bool = False, recent: int | None = None, **options) -> None:
        if not settings.PAGES_ENABLED:
            self.stdout.write("The page store is off (PAGES_ENABLED=false): nothing to bake.")
            return
        started = time.monotonic()
        paths = pages.all_pages(recent)
        changed = pages.bake(paths)
        took = time.monotonic() - started
        self.stdout.write(
            f"Baked {len(paths)} pages for build {pages.build_id()} in {took:.1f} s ({len(changed)} changed)."
        )
        if prune:
            self.stdout.write(f"Removed {pages.prune()} files of earlier builds.")

import time

from django.conf import settings
from django.core.management.base import BaseCommand

from articles import pages


class Command(BaseCommand):
    help = (
        "Render the public pages the page store keeps for this build (run on deploy): the site's own pages "
        "and those of the most recent articles (--recent, default 200), or every one (--all); the first "
        "reader of any other page bakes it. With --prune, remove the pages of earlier builds."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--prune", action="store_true", help="remove pages stored by other builds")
        parser.add_argument("--recent", type=int, default=200, help="articles whose pages are baked now")
        parser.add_argument("--all", action="store_true", help="bake every live article's pages")

    def handle(self, *args, prune: bool = False, recent: int = 200, **options) -> None:
        if not settings.PAGES_ENABLED:
            self.stdout.write("The page store is off (PAGES_ENABLED=false): nothing to bake.")
            return
        started = time.monotonic()
        paths = pages.all_pages(None if options["all"] else recent)
        changed = pages.bake(paths)
        took = time.monotonic() - started
        self.stdout.write(
            f"Baked {len(paths)} pages for build {pages.build_id()} in {took:.1f} s ({len(changed)} changed)."
        )
        if prune:
            self.stdout.write(f"Removed {pages.prune()} files of earlier builds.")

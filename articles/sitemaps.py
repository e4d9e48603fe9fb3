from types import SimpleNamespace

from django.contrib.sitemaps import Sitemap
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db.models import Max, QuerySet
from django.utils.functional import cached_property

from articles.models import Article, Topic

# Addresses per page of a sitemap section (Google takes up to 50,000); pages after the first are rendered
# per request, the first is in the page store.
SITEMAP_PAGE_SIZE = 1000


class IdRangePaginator:
    """A sitemap section's pages by ranges of ids (page 1 holds ids 1 to 5000, page 2 the next 5000…): how
    many pages there are is the largest id over the page size (one index lookup, not a count), and a page
    is one range scan. A page may list fewer addresses (the ids of drafts), never a wrong one."""

    def __init__(self, items: QuerySet, per_page: int):
        self.items, self.per_page = items, per_page

    @cached_property
    def num_pages(self) -> int:
        top = self.items.model.objects.aggregate(top=Max("pk"))["top"] or 0
        return max(1, -(-top // self.per_page))

    def page(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger("That page number is not an integer") from None
        if not 1 <= number <= self.num_pages:
            raise EmptyPage("That page contains no results")
        start = (number - 1) * self.per_page
        return SimpleNamespace(object_list=self.items.filter(pk__gt=start, pk__lte=start + self.per_page))


class ArticleSitemap(Sitemap):
    changefreq = "daily"
    limit = SITEMAP_PAGE_SIZE

    @property
    def paginator(self):
        return IdRangePaginator(self.items(), self.limit)

    def items(self):
        # Oldest first: a new article goes on the last page, and the earlier pages stay as they were.
        live = Article.objects.live().select_related("live_version")
        return live.only("live_version__slug", "published_at", "updated_at").order_by("pk")

    def lastmod(self, item: Article):
        return item.date_modified

    def get_latest_lastmod(self):
        # The index gives no date for the section: Django's own would read every article's (each
        # address in the section carries its own lastmod).
        return None


class TopicSitemap(Sitemap):
    changefreq = "daily"
    limit = SITEMAP_PAGE_SIZE

    def items(self):
        return Topic.objects.in_use().order_by("pk")

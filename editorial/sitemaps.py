from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, OuterRef

from articles.models import Listing
from articles.sitemaps import SITEMAP_PAGE_SIZE, ArticleSitemap, TopicSitemap
from editorial.models import Person, PolicyPage


class AuthorSitemap(Sitemap):
    """The profiles of the people live bylines name, authors and editors alike."""

    changefreq = "weekly"
    limit = SITEMAP_PAGE_SIZE

    def items(self):
        named = Listing.objects.filter(kind=Listing.Kind.PERSON, target_id=OuterRef("pk"))
        return Person.objects.filter(Exists(named)).order_by("pk")


class PolicySitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return PolicyPage.objects.order_by("pk")

    def lastmod(self, item: PolicyPage):
        return item.updated_at


# The sitemap's sections (/sitemap-<name>.xml), listed by /sitemap.xml.
SITEMAPS = {
    "articles": ArticleSitemap,
    "topics": TopicSitemap,
    "authors": AuthorSitemap,
    "policies": PolicySitemap,
}

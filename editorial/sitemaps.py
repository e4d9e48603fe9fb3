from django.contrib.sitemaps import Sitemap

from articles.models import Article
from editorial.models import Person, PolicyPage


class AuthorSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Person.objects.filter(articles__in=Article.objects.live()).distinct()


class PolicySitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return PolicyPage.objects.all()

    def lastmod(self, item: PolicyPage):
        return item.updated_at

from django.contrib.sitemaps import Sitemap
from django.db.models import Q

from articles.models import Article
from editorial.models import Person, PolicyPage


class AuthorSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        live = Article.objects.live()
        return Person.objects.filter(
            Q(pk__in=live.values("live_version__author")) | Q(pk__in=live.values("live_version__editor"))
        )


class PolicySitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return PolicyPage.objects.all()

    def lastmod(self, item: PolicyPage):
        return item.updated_at

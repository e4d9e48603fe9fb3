from django.contrib.sitemaps import Sitemap

from editorial.models import Person, PolicyPage


class AuthorSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Person.objects.filter(articles__status="published").distinct()


class PolicySitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return PolicyPage.objects.all()

    def lastmod(self, item: PolicyPage):
        return item.updated_at

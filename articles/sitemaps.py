from django.contrib.sitemaps import Sitemap

from articles.models import Article, Topic


class ArticleSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return Article.objects.live().only("slug", "published_at", "updated_at")

    def lastmod(self, item: Article):
        return item.date_modified


class TopicSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return Topic.objects.in_use()

from django.conf import settings
from django.contrib.syndication.views import Feed

from articles.models import Article


class LatestArticlesFeed(Feed):
    link = "/"

    def title(self) -> str:
        return f"{settings.PUBLISHER_NAME}: latest articles"

    def description(self) -> str:
        return f"The latest articles published by {settings.PUBLISHER_NAME}."

    def items(self):
        return Article.objects.live().with_live_version()[:30]

    def item_title(self, item: Article) -> str:
        return item.public_title

    def item_description(self, item: Article) -> str:
        return item.live_version.dek

    def item_author_name(self, item: Article) -> str:
        return item.live_version.author.name

    def item_pubdate(self, item: Article):
        return item.published_at

    def item_updateddate(self, item: Article):
        return item.date_modified

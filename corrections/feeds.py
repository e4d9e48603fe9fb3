from django.conf import settings
from django.contrib.syndication.views import Feed

from corrections.models import Correction


class CorrectionsFeed(Feed):
    link = "/corrections/"

    def title(self) -> str:
        return f"{settings.PUBLISHER_NAME}: corrections and clarifications"

    def description(self) -> str:
        return f"Every correction and clarification {settings.PUBLISHER_NAME} has published, newest first."

    def items(self):
        return Correction.objects.public()[:50]

    def item_title(self, item: Correction) -> str:
        return f"{item.get_kind_display()}: {item.article.public_title}"

    def item_description(self, item: Correction) -> str:
        return item.note

    def item_link(self, item: Correction) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: Correction):
        return item.published_at

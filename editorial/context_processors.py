from django.conf import settings

from editorial.models import PolicyPage


def publisher(request) -> dict:
    return {"publisher_name": settings.PUBLISHER_NAME, "policy": PolicyPage.Slug}

from django.conf import settings


def publisher(request) -> dict:
    return {"publisher_name": settings.PUBLISHER_NAME}

"""AI assist: the contract every provider keeps (`contract`), the providers, and which one runs."""

from django.conf import settings

from editorial.ai.contract import Provider
from editorial.ai.local import LocalProvider
from editorial.ai.openai_compat import OpenAIProvider


def get_provider() -> Provider:
    if settings.AI_PROVIDER == "openai":
        return OpenAIProvider(
            base_url=settings.AI_BASE_URL, api_key=settings.AI_API_KEY, model=settings.AI_MODEL
        )
    return LocalProvider()

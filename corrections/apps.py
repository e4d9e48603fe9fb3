from django.apps import AppConfig


class CorrectionsConfig(AppConfig):
    name = "corrections"

    def ready(self) -> None:
        from articles import hooks
        from corrections.views import article_pages

        hooks.register(hooks.ARTICLE_PAGES, article_pages)

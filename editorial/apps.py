from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate


def _sync_roles_and_policies(sender, apps=global_apps, **kwargs) -> None:
    from editorial.roles import sync_policies, sync_roles

    sync_roles(apps)
    sync_policies(apps)


class EditorialConfig(AppConfig):
    name = "editorial"
    verbose_name = "Newsroom"

    def ready(self) -> None:
        from articles.services import article_moved
        from editorial.services import article_notify

        post_migrate.connect(_sync_roles_and_policies, sender=self)
        article_moved.connect(article_notify, dispatch_uid="editorial.article_notify")

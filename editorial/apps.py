from django.apps import AppConfig
from django.apps import apps as global_apps
from django.contrib.admin.apps import AdminConfig
from django.db.models.signals import post_migrate


def _sync_roles_and_policies(sender, apps=global_apps, **kwargs) -> None:
    from editorial.roles import sync_policies, sync_roles

    sync_roles(apps)
    sync_policies(apps)


def _reanchor_claims(sender, instance, history_instance, **kwargs) -> None:
    from editorial.services import claims_reanchor

    claims_reanchor(instance, history_instance)


class EditorialConfig(AppConfig):
    name = "editorial"
    verbose_name = "Newsroom"

    def ready(self) -> None:
        from simple_history.signals import post_create_historical_record

        from articles import gate
        from articles.models import HistoricalArticle
        from articles.services import article_moved
        from editorial.services import article_notify, factcheck_gate

        post_migrate.connect(_sync_roles_and_policies, sender=self)
        article_moved.connect(article_notify, dispatch_uid="editorial.article_notify")
        post_create_historical_record.connect(
            _reanchor_claims, sender=HistoricalArticle, dispatch_uid="editorial.reanchor_claims"
        )
        gate.register(factcheck_gate)


class NewsroomAdminConfig(AdminConfig):
    default_site = "editorial.admin_site.NewsroomAdminSite"

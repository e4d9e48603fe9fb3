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

        from articles import hooks
        from articles.models import HistoricalArticle
        from articles.services import article_moved
        from editorial import views
        from editorial.services import article_notify, factcheck_gate

        post_migrate.connect(_sync_roles_and_policies, sender=self)
        article_moved.connect(article_notify, dispatch_uid="editorial.article_notify")
        post_create_historical_record.connect(
            _reanchor_claims, sender=HistoricalArticle, dispatch_uid="editorial.reanchor_claims"
        )
        # Editorial's admin modules add its panels and bulk actions to the article admin.
        hooks.register(hooks.PUBLISH_CHECKS, factcheck_gate)
        hooks.register(hooks.ARTICLE_PAGE_CONTEXT, views.article_page_context)
        hooks.register(hooks.PUBLISHER_JSON_LD, views.publisher_json_ld)
        hooks.register(hooks.ARTICLE_PAGES, views.article_pages)
        hooks.register(hooks.SITE_PAGES, views.site_pages)
        self._connect_sign_in_audit()

    def _connect_sign_in_audit(self) -> None:
        # Importing axes.signals connects axes' receivers first: ours then see the attempt it counted.
        from axes.signals import user_locked_out
        from django.contrib.auth import signals as auth

        from editorial import sign_in

        auth.user_logged_in.connect(sign_in.audit_signed_in, dispatch_uid="editorial.audit_signed_in")
        auth.user_logged_out.connect(sign_in.audit_signed_out, dispatch_uid="editorial.audit_signed_out")
        auth.user_login_failed.connect(sign_in.audit_sign_in_failed, dispatch_uid="editorial.audit_failed")
        user_locked_out.connect(sign_in.audit_locked_out, dispatch_uid="editorial.audit_locked_out")


class NewsroomAdminConfig(AdminConfig):
    default_site = "editorial.admin_site.NewsroomAdminSite"

from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from articles.pages import baked
from articles.sitemaps import ArticleSitemap, TopicSitemap
from editorial import views
from editorial.sitemaps import AuthorSitemap, PolicySitemap

sitemaps = {
    "articles": ArticleSitemap,
    "topics": TopicSitemap,
    "authors": AuthorSitemap,
    "policies": PolicySitemap,
}

editorial_patterns = (
    [
        path("authors/<slug:slug>/", baked(views.AuthorView.as_view()), name="author"),
        path("policies/<slug:slug>/", baked(views.policy), name="policy"),
    ],
    "editorial",
)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("articles.urls")),
    path("", include("corrections.urls")),
    path("", include(editorial_patterns)),
    path("sitemap.xml", baked(sitemap), {"sitemaps": sitemaps}, name="sitemap"),
    path("robots.txt", baked(views.robots_txt), name="robots"),
    path("healthz", views.healthz, name="healthz"),
]

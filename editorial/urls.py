from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from articles.pages import baked
from editorial import errors, views
from editorial.sitemaps import SITEMAPS

sitemaps = SITEMAPS

handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error

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
    # An index of sections, each paginated (SITEMAP_PAGE_SIZE addresses a page, oldest first).
    path(
        "sitemap.xml",
        baked(sitemap_views.index),
        {"sitemaps": sitemaps, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<slug:section>.xml",
        baked(sitemap_views.sitemap),
        {"sitemaps": sitemaps},
        name="sitemap-section",
    ),
    path("robots.txt", baked(views.robots_txt), name="robots"),
    path("healthz", views.healthz, name="healthz"),
]

from django.urls import path

from articles import views
from articles.feeds import LatestArticlesFeed
from articles.pages import baked

app_name = "articles"

urlpatterns = [
    # baked(): pages the page store keeps (articles/pages.py), baked when what they show changes.
    path("", baked(views.HomeView.as_view()), name="home"),
    path("articles/<slug:slug>/", baked(views.ArticleView.as_view()), name="detail"),
    path("articles/<slug:slug>/changes/", baked(views.ChangesView.as_view()), name="changes"),
    path("topics/<slug:slug>/", baked(views.TopicView.as_view()), name="topic"),
    path("entities/<slug:slug>/", baked(views.EntityView.as_view()), name="entity"),
    path("feed/", baked(LatestArticlesFeed()), name="feed"),
    # Rendered per request: every query is a page of its own.
    path("search/", views.SearchView.as_view(), name="search"),
]

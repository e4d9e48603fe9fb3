from django.urls import path

from articles import views
from articles.feeds import LatestArticlesFeed

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("articles/<slug:slug>/", views.ArticleView.as_view(), name="detail"),
    path("articles/<slug:slug>/changes/", views.ChangesView.as_view(), name="changes"),
    path("topics/<slug:slug>/", views.TopicView.as_view(), name="topic"),
    path("entities/<slug:slug>/", views.EntityView.as_view(), name="entity"),
    path("feed/", LatestArticlesFeed(), name="feed"),
]

from django.urls import path

from articles.pages import baked
from corrections import views
from corrections.feeds import CorrectionsFeed

app_name = "corrections"

urlpatterns = [
    path("articles/<slug:slug>/corrections/new/", views.new_request, name="new"),
    path("corrections/", baked(views.CorrectionsLogView.as_view()), name="log"),
    path("corrections/feed/", baked(CorrectionsFeed()), name="feed"),
    path("corrections/status/<slug:token>/", views.status, name="status"),
]

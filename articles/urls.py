"""The public site's addresses, in each edition: English unprefixed, Spanish under /es/
(tmsinfo/urls.py wraps them in i18n_patterns). Machine addresses that have one language-neutral
form (sitemaps, robots.txt, /healthz, /connect/) are in articles/machine_urls.py."""

from django.urls import path

from . import views
from .seo import UpdatesFeed

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("topics/<slug:key>/", views.topic, name="topic"),
    path("tms/<slug:slug>/", views.article_detail, name="detail"),
    path("tms/<slug:slug>/print/", views.article_print, name="print"),
    path("tms/<slug:slug>/print/large/", views.article_print_large, name="print-large"),
    path("tms/<slug:slug>/qr.svg", views.article_qr, name="qr"),
    path("help/", views.help_page, name="help"),
    path("search/", views.search, name="search"),
    path("clinicians/", views.clinicians, name="clinicians"),
    path("about/", views.about, name="about"),
    path("feedback/", views.feedback_view, name="feedback"),
    path("feed/", UpdatesFeed(), name="feed"),
]

from django.contrib.sitemaps.views import sitemap
from django.urls import path

from . import views
from .seo import SITEMAPS, UpdatesFeed, sitemap_index

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("topics/<slug:key>/", views.topic, name="topic"),
    path("tms/<slug:slug>/", views.article_detail, name="detail"),
    path("tms/<slug:slug>/print/", views.article_print, name="print"),
    path("tms/<slug:slug>/qr.svg", views.article_qr, name="qr"),
    path("help/", views.help_page, name="help"),
    path("search/", views.search, name="search"),
    path("clinicians/", views.clinicians, name="clinicians"),
    path("about/", views.about, name="about"),
    path("feedback/", views.feedback_view, name="feedback"),
    path("feed/", UpdatesFeed(), name="feed"),
    path("sitemap.xml", sitemap_index, name="sitemap"),
    path("sitemap-<slug:section>.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap-section"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("healthz", views.healthz, name="healthz"),
    # Health-record infobuttons, MedlinePlus Connect's paths (docs/connect.md).
    path("connect/service", views.connect_service, name="connect-service"),
    path("connect/application", views.connect_application, name="connect-application"),
]

"""Addresses for machines, in one language-neutral form: the sitemap (listing both editions),
robots.txt, the health check and the health-record responder (whose language is a parameter)."""

from django.contrib.sitemaps.views import sitemap
from django.urls import path

from . import views
from .seo import SITEMAPS, sitemap_index

app_name = "machines"

urlpatterns = [
    path("sitemap.xml", sitemap_index, name="sitemap"),
    path("sitemap-<slug:section>.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap-section"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("healthz", views.healthz, name="healthz"),
    # Health-record infobuttons, MedlinePlus Connect's paths (docs/connect.md).
    path("connect/service", views.connect_service, name="connect-service"),
    path("connect/application", views.connect_application, name="connect-application"),
]

from django.urls import path

from . import views

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("tms/<slug:slug>/", views.article_detail, name="detail"),
    path("help/", views.help_page, name="help"),
    path("about/", views.about, name="about"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("healthz", views.healthz, name="healthz"),
]

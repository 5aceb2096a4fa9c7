from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from markdownx.views import MarkdownifyView

from tmsinfo.security import staff_only

urlpatterns = [
    path(settings.ADMIN_PATH, admin.site.urls),
    # The editor's live preview. Staff only (others get the 404 page, which names no admin path);
    # image upload is deliberately not routed.
    path("markdownx/markdownify/", staff_only(MarkdownifyView.as_view()), name="markdownx_markdownify"),
    path("", include("articles.machine_urls")),
    # Browsers ask for /favicon.ico on pages that name no icon (the admin): no 404 in the console.
    # Temporary redirect: the target's hashed name changes with the file.
    path("favicon.ico", lambda request: redirect(static("img/favicon.svg"))),
    # The public pages in each edition: English unprefixed (printed links never break), Spanish at /es/.
    *i18n_patterns(path("", include("articles.urls")), prefix_default_language=False),
]

admin.site.site_header = "TMS Info editorial"
admin.site.site_title = "TMS Info admin"
admin.site.index_title = "Articles, reviewers and people"

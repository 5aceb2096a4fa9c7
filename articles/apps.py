from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles and reviewers"

    def ready(self):
        from .caching import content_changed

        # Any saved or deleted article, reviewer or history entry invalidates every cached page.
        post_save.connect(content_changed, dispatch_uid="articles-content-changed-save")
        post_delete.connect(content_changed, dispatch_uid="articles-content-changed-delete")

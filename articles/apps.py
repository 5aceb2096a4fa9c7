from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles and reviewers"

    def ready(self):
        from .caching import content_changed

        # Any saved or deleted article, reviewer or history entry invalidates every cached page.
        post_save.connect(content_changed, dispatch_uid="articles-content-changed-save")
        post_delete.connect(content_changed, dispatch_uid="articles-content-changed-delete")
        # The editor and reviewer groups, after every migrate and flush (after this app's
        # permissions, which django.contrib.auth makes first).
        from .workflow import create_missing_role_groups

        post_migrate.connect(create_missing_role_groups, sender=self, dispatch_uid="articles-role-groups")

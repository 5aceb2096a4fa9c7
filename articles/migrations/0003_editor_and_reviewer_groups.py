"""The two editorial roles as Django groups with real permissions (see articles/workflow.py)."""

from django.db import migrations

# Frozen copy of articles.workflow.ROLE_PERMISSIONS at the time of this migration.
EDITOR_PERMS = [
    "view_article",
    "add_article",
    "change_article",
    "view_reviewer",
    "view_pagechange",
    "change_pagechange",
]
ROLE_PERMISSIONS = {
    "Editors": EDITOR_PERMS,
    "Medical reviewers": [
        *EDITOR_PERMS,
        "sign_off_article",
        "publish_article",
        "add_reviewer",
        "change_reviewer",
        "delete_pagechange",
    ],
}


def create_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions
    from django.contrib.contenttypes.management import create_contenttypes

    # Permissions are normally created after all migrations; make this app's exist now.
    app_config = apps.get_app_config("articles")
    app_config.models_module = True
    create_contenttypes(app_config, apps=apps, verbosity=0)
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(Permission.objects.filter(content_type__app_label="articles", codename__in=codenames))


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0002_workflow_history_and_page_changes"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]

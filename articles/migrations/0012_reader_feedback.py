"""Reader feedback (issue 17): the ``Feedback`` table, and both editorial groups may read it and
mark entries handled (nobody may add or edit one in the admin)."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

# Frozen copy of what articles.workflow.ROLE_PERMISSIONS adds for reader feedback at this migration.
FEEDBACK_PERMS = ["view_feedback", "change_feedback"]
GROUPS = ("Editors", "Medical reviewers")


def grant_feedback(apps, schema_editor):
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
    perms = Permission.objects.filter(content_type__app_label="articles", codename__in=FEEDBACK_PERMS)
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.add(*perms)


def revoke_feedback(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = Permission.objects.filter(content_type__app_label="articles", codename__in=FEEDBACK_PERMS)
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.remove(*perms)


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0011_pagechange_version'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.CreateModel(
            name='Feedback',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('language', models.CharField(default='en', max_length=8)),
                ('version', models.PositiveIntegerField(blank=True, help_text='The published version the reader saw', null=True)),
                ('helpful', models.BooleanField(blank=True, help_text='“Was this page helpful?”: yes, no, or not asked', null=True)),
                ('section', models.CharField(blank=True, help_text='A section id of the page', max_length=100)),
                ('reason', models.CharField(blank=True, choices=[('unclear', 'It is hard to understand'), ('wrong', 'Something is wrong or out of date'), ('link', 'A link does not work'), ('missing', 'Something is missing'), ('other', 'Something else')], max_length=20)),
                ('text', models.TextField(blank=True, help_text='As the reader wrote it, emails and phone numbers removed')),
                ('received_on', models.DateField(default=django.utils.timezone.localdate)),
                ('flagged', models.BooleanField(default=False, help_text='The text has words that may mean the reader is in danger')),
                ('handled', models.BooleanField(default=False)),
                ('article', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='feedback', to='articles.article')),
            ],
            options={
                'verbose_name': 'reader feedback',
                'verbose_name_plural': 'reader feedback',
                'ordering': ['handled', '-flagged', '-received_on', '-pk'],
                'indexes': [models.Index(fields=['article', 'language', 'version'], name='feedback_per_version'), models.Index(fields=['handled', 'flagged'], name='feedback_new'), models.Index(fields=['received_on'], name='feedback_received')],
            },
        ),
        migrations.RunPython(grant_feedback, revoke_feedback),
    ]

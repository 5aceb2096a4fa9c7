"""A reviewer's identity is kept by administrators only, and every change to it is kept.

The history of reviewer profiles starts here, with one record of each profile as it stands; the
"Medical reviewers" group loses add_reviewer and change_reviewer (articles.workflow.ROLE_PERMISSIONS).
"""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

TAKEN_AWAY = ("add_reviewer", "change_reviewer")
PROFILE_FIELDS = ("id", "name", "credentials", "role", "profile_url", "conflicts_of_interest", "user_id")


def keep_profiles_to_administrators(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    taken = Permission.objects.filter(content_type__app_label="articles", codename__in=TAKEN_AWAY)
    for group in Group.objects.filter(name="Medical reviewers"):
        group.permissions.remove(*taken)
    Reviewer = apps.get_model("articles", "Reviewer")
    History = apps.get_model("articles", "HistoricalReviewer")
    now = timezone.now()
    History.objects.bulk_create(
        History(**{name: getattr(reviewer, name) for name in PROFILE_FIELDS}, history_date=now, history_type="+",
                history_change_reason="The profile as it stood when its history began")
        for reviewer in Reviewer.objects.all()
    )  # fmt: skip


def give_profiles_back(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    given = Permission.objects.filter(content_type__app_label="articles", codename__in=TAKEN_AWAY)
    for group in Group.objects.filter(name="Medical reviewers"):
        group.permissions.add(*given)


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0007_code_map'),
        ('articles', '0003_editor_and_reviewer_groups'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalReviewer',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('name', models.CharField(max_length=200)),
                ('credentials', models.CharField(help_text='For example: MD, board-certified psychiatrist', max_length=200)),
                ('role', models.CharField(blank=True, max_length=200)),
                ('profile_url', models.URLField(blank=True, help_text='Licence or profile page')),
                ('conflicts_of_interest', models.TextField(blank=True, help_text='Declared conflicts, or leave empty for none')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('user', models.ForeignKey(blank=True, db_constraint=False, help_text='The admin account that signs off as this reviewer', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical reviewer',
                'verbose_name_plural': 'historical reviewers',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.RunPython(keep_profiles_to_administrators, give_profiles_back),
    ]

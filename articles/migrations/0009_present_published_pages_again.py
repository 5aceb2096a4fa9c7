"""Published pages show their body the way the site now presents it: cut between whole top-level
elements (issue 19) and with tables in scrolling, labelled regions (issue 18). The parts are made
once, when a page is published; this makes them again, from each published page's own approved
markdown, for pages published before those changes. The text itself does not change."""

from django.db import migrations


def present_again(apps, schema_editor):
    from articles.markdown import present_body, render_markdown

    PublishedPage = apps.get_model("articles", "PublishedPage")
    for page in PublishedPage.objects.iterator():
        parts = present_body(render_markdown(page.body).html)
        PublishedPage.objects.filter(pk=page.pk).update(
            key_points=parts.key_points, main=parts.main, references=parts.references
        )


class Migration(migrations.Migration):
    dependencies = [("articles", "0008_reviewer_identity")]

    operations = [migrations.RunPython(present_again, migrations.RunPython.noop)]

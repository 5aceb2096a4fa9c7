from pathlib import Path

from django.core.management.base import BaseCommand

from articles.content import export_content


class Command(BaseCommand):
    help = "Write every article to DIRECTORY/<slug>.md in the content file format."

    def add_arguments(self, parser):
        parser.add_argument("directory")

    def handle(self, *args, directory, **options):
        written = export_content(Path(directory))
        self.stdout.write(f"Exported {len(written)} article(s) to {directory}.")

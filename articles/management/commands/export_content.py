from pathlib import Path

from django.core.management.base import BaseCommand

from articles.content import export_content


class Command(BaseCommand):
    help = "Write every article to DIRECTORY/<slug>.md in the content file format."

    def add_arguments(self, parser):
        parser.add_argument("directory")

    def handle(self, *args, directory, **options):
        written = export_content(Path(directory))
        pages = [path for path in written if path.suffix == ".md"]
        code_map = " and the code map" if len(pages) < len(written) else ""
        self.stdout.write(f"Exported {len(pages)} article(s){code_map} to {directory}.")

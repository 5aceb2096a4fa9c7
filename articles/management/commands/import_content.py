from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from articles.content import ContentError, import_content


class Command(BaseCommand):
    help = "Validate every content file, then write them all in one transaction."

    def add_arguments(self, parser):
        parser.add_argument("directory", nargs="?", default=str(Path(settings.BASE_DIR) / "content"))
        parser.add_argument(
            "--new-only",
            action="store_true",
            help="Only create pages missing from the database; never overwrite a page edited in the admin.",
        )

    def handle(self, *args, directory, new_only, **options):
        try:
            report = import_content(Path(directory), only_new=new_only)
        except ContentError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(exc.problems)} problem(s) found; nothing was imported.") from None
        self.stdout.write(
            f"Imported {directory}: {len(report.created)} created, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged."
            + (f" {len(report.kept)} already in the database were left as they are." if report.kept else "")
            + (f" The {report.code_map}." if report.code_map else "")
        )

"""Delete reader feedback received more than 12 months ago (docs/feedback.md).

Run it daily from a scheduled job: `manage.py delete_old_feedback`. The site promises readers
that their messages are deleted after 12 months, so the time kept is not an option here.
"""

from django.core.management.base import BaseCommand

from articles.feedback import RETENTION_MONTHS, delete_expired


class Command(BaseCommand):
    help = f"Delete reader feedback received more than {RETENTION_MONTHS} months ago (run it daily)."

    def handle(self, *args, **options):
        deleted = delete_expired()
        self.stdout.write(f"Deleted {deleted} reader feedback entr{'y' if deleted == 1 else 'ies'} older than "
                          f"{RETENTION_MONTHS} months.")  # fmt: skip

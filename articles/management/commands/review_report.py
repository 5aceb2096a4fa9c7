"""Print the articles whose medical review is due soon or overdue, and the pages readers have sent
problem reports about that nobody has handled yet; fail when a review is overdue.

For a scheduled job: `manage.py review_report` exits 1 when a review is overdue, else 0 (new
problem reports are listed, flagged ones first, but do not change the exit status).
"""

from django.core.management.base import BaseCommand, CommandError

from articles.feedback import problem_report_lines
from articles.workflow import review_report


class Command(BaseCommand):
    help = (
        "List published pages whose medical review is due within N days or overdue (exit 1 if any overdue), "
        "and pages with new problem reports from readers."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30, help="Look this many days ahead (default 30)")

    def handle(self, *args, days, **options):
        report = review_report(within_days=days)
        self.stdout.write("\n".join([*report.lines, "", *problem_report_lines()]))
        if report.overdue:
            raise CommandError(f"{report.overdue} page(s) overdue for medical review.", returncode=1)

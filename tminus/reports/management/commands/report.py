from django.core.management.base import CommandError

from tminus.core.errors import NotFound
from tminus.core.management.base import TMinusCommand
from tminus.releases.selectors import release_get
from tminus.reports import exports, selectors


class Command(TMinusCommand):
    help = "Reports as Markdown: a release's status report, the weekly report, releases at risk."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        status = sub.add_parser("status", help="The one-page status report of a release.")
        status.add_argument("release")
        weekly = sub.add_parser("weekly", help="The weekly report across releases.")
        weekly.add_argument("--week", default="", help="2026-W47 or a date; default this week.")
        sub.add_parser("at-risk", help="Releases at risk, with the reasons.")

    def handle(self, *args, action, **options):
        if action == "status":
            try:
                release = release_get(options["release"])
            except NotFound as error:
                raise CommandError(error.message) from None
            self.stdout.write(exports.status_report_markdown(selectors.status_report(release)))
        elif action == "weekly":
            try:
                monday = selectors.week_of(options["week"])
            except ValueError as error:
                raise CommandError(str(error)) from None
            self.stdout.write(exports.weekly_report_markdown(selectors.weekly_report(monday)))
        else:
            for row in selectors.releases_at_risk():
                reasons = "; ".join(reason.text for reason in row.reasons)
                self.stdout.write(f"{row.release.key}\t{row.health}\t{reasons}")

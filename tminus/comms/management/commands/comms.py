from django.core.management.base import CommandError

from tminus.comms import delivery, selectors
from tminus.comms.reminders import reminders_send
from tminus.core.errors import NotFound
from tminus.core.management.base import TMinusCommand
from tminus.releases.selectors import release_get


class Command(TMinusCommand):
    help = "The communication plan: send what is due now, send reminders, show a plan."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("send-due", help="Run one round of sending now: release due messages "
                                        "and send every pending delivery that is due.")
        sub.add_parser("remind", help="Queue today's checklist reminder digests (at most one "
                                      "per person per day); a worker sends them.")
        show = sub.add_parser("plan", help="A release's messages, one a line.")
        show.add_argument("key")

    def handle(self, *args, action, **options):
        getattr(self, "_" + action.replace("-", "_"))(options)

    def _send_due(self, options):
        outcome = delivery.send_due_round()
        self.stdout.write(
            f"released {outcome.pop('released')} message(s); sent {outcome.get('sent', 0)}, "
            f"retrying {outcome.get('retrying', 0)}, failed {outcome.get('failed', 0)}"
            + (f"; {outcome['stale']} stale marked failed" if outcome.get("stale") else "")
        )

    def _remind(self, options):
        self.stdout.write(f"queued {reminders_send()} reminder digest(s)")

    def _plan(self, options):
        try:
            release = release_get(options["key"])
        except NotFound as error:
            raise CommandError(error.message) from None
        for view in selectors.plan(release):
            self.stdout.write(f"{view.message.pk}\t{view.when}\t{view.state}\t"
                              f"{view.message.name}")

from django.core.management.base import CommandError

from tminus.comms import delivery, flag_changes, selectors
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
        subscribe = sub.add_parser("subscribe", help="Send flag changes to a channel or an "
                                                     "email address.")
        target = subscribe.add_mutually_exclusive_group(required=True)
        target.add_argument("--channel", default="", help="A channel's key.")
        target.add_argument("--email", default="")
        subscribe.add_argument("--project", default="", help="Only this flag project.")
        subscribe.add_argument("--environment", default="", help="Only this environment.")
        sub.add_parser("subscriptions", help="Who receives flag changes, one a line.")
        unsubscribe = sub.add_parser("unsubscribe", help="Remove a flag-change subscription.")
        unsubscribe.add_argument("id", type=int)

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

    def _subscribe(self, options):
        subscription = flag_changes.flag_subscription_create(
            channel=options["channel"], email=options["email"], project=options["project"],
            environment=options["environment"], actor=self.actor(options))
        self.stdout.write(f"{subscription.pk}\t{subscription}")

    def _subscriptions(self, options):
        for subscription in flag_changes.flag_subscriptions():
            self.stdout.write(f"{subscription.pk}\t{subscription}")

    def _unsubscribe(self, options):
        flag_changes.flag_subscription_delete(subscription_id=options["id"],
                                              actor=self.actor(options))
        self.stdout.write(f"Removed subscription {options['id']}.")

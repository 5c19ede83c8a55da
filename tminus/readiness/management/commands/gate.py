import argparse
import json

from django.core.management.base import CommandError
from django.core.serializers.json import DjangoJSONEncoder

from tminus.core.errors import NotFound
from tminus.core.management.base import TMinusCommand
from tminus.people.models import Person
from tminus.readiness import presenters, selectors, services
from tminus.releases.selectors import release_get


def _release(key: str):
    try:
        return release_get(key)
    except NotFound as error:
        raise CommandError(error.message) from None


class Command(TMinusCommand):
    help = "The go/no-go gate: check it (exit 0 on Go, 1 otherwise), vote, decide, override."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("check", help="Exit 0 on Go, 1 otherwise, listing what is not met.")
        check.add_argument("release")
        check.add_argument("--json", action="store_true", help="Print the gate as JSON.")
        show = sub.add_parser("show", help="Every criterion, met or not, and why.")
        show.add_argument("release")
        vote = sub.add_parser("vote", help="Record an approver's vote.")
        vote.add_argument("release")
        vote.add_argument("--approver", required=True, help="The approver's email or person id.")
        vote.add_argument("--vote", required=True, choices=["go", "go_with_conditions", "no_go"])
        vote.add_argument("--comment", default="")
        decide = sub.add_parser("decide", help="Record the go/no-go decision.")
        decide.add_argument("release")
        decide.add_argument("--outcome", required=True, choices=["go", "no_go"])
        decide.add_argument("--comment", default="")
        override = sub.add_parser("override", help="Let the release deploy without a Go.")
        override.add_argument("release")
        override.add_argument("--reason", required=True)
        for command in (check, show, vote, decide, override):
            # --as may also follow the sub-command: `tminus gate vote R ... --as maria`.
            command.add_argument("--as", dest="as_user", default=argparse.SUPPRESS,
                                 help="Record changes as made by this user.")

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(_release(options["release"]), options)

    def _check(self, release, options):
        status = selectors.gate_status(release)
        if options["json"]:
            self.stdout.write(json.dumps(presenters.gate_dict(status), cls=DjangoJSONEncoder,
                                         indent=2))
        else:
            self._print_check(release, status)
        if not status["go"]:
            raise SystemExit(1)

    def _print_check(self, release, status):
        self.stdout.write(f"{release.key}: {'GO' if status['go'] else 'NO-GO'}")
        if status["override"] is not None:
            override = status["override"]
            self.stdout.write(f"  overridden by {override.created_by_label}: {override.reason}")
        for line in status["not_met"]:
            self.stdout.write(f"  not met: {line}")
        for warning in status["freeze_warnings"]:
            self.stdout.write(f"  warning: {warning}")

    def _show(self, release, options):
        for row in selectors.readiness_report(release):
            self.stdout.write(f"[{'x' if row['met'] else ' '}] {row['label']}: {row['why']}")

    def _vote(self, release, options):
        approver = self._person(options["approver"])
        vote = services.vote_record(release=release, approver=approver, vote=options["vote"],
                                    comment=options["comment"], actor=self.actor(options))
        self.stdout.write(f"{vote.approver.name}: {vote.get_vote_display()}")

    def _decide(self, release, options):
        decision = services.go_decision_record(release=release, outcome=options["outcome"],
                                               comment=options["comment"],
                                               actor=self.actor(options))
        self.stdout.write(f"{release.key}: {decision.get_outcome_display()} recorded.")

    def _override(self, release, options):
        services.gate_override(release=release, reason=options["reason"],
                               actor=self.actor(options))
        self.stdout.write(f"{release.key}: gate overridden.")

    @staticmethod
    def _person(text: str) -> Person:
        person = (Person.objects.filter(pk=int(text)).first() if text.isdigit()
                  else Person.objects.filter(email__iexact=text).first())
        if person is None:
            raise CommandError(f"No person with email or id {text!r}.")
        return person

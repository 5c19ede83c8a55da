import json

from dateutil.parser import ParserError
from dateutil.parser import parse as parse_datetime
from django.core.management.base import CommandError
from django.utils import timezone

from tminus.audit.presenters import audit_entry
from tminus.audit.selectors import audit_entries
from tminus.core.management.base import TMinusCommand


class Command(TMinusCommand):
    help = "The audit log: who changed what, when and through which interface."

    def add_arguments(self, parser):
        for name, text in [("--kind", "An action (flag.toggle) or its first part (flag)."),
                           ("--object-type", "app.model, such as flags.flag."),
                           ("--object", "An object's id or name."),
                           ("--actor", "A username."), ("--interface", "web, api, cli or worker."),
                           ("--project", "A flag project."), ("--environment", "An environment."),
                           ("--since", "From this moment (ISO 8601)."),
                           ("--until", "Before this moment (ISO 8601).")]:
            parser.add_argument(name, default="", help=text)
        parser.add_argument("--limit", type=int, default=100)
        parser.add_argument("--json", action="store_true", help="One JSON object a line.")

    def handle(self, *args, **options):
        rows = audit_entries(
            kind=options["kind"], object_type=options["object_type"], obj=options["object"],
            actor=options["actor"], interface=options["interface"], project=options["project"],
            environment=options["environment"], since=self._moment(options, "since"),
            until=self._moment(options, "until"), include_accounts=True)
        for event in rows[:max(options["limit"], 0)]:
            if options["json"]:
                self.stdout.write(json.dumps(audit_entry(event), default=str))
            else:
                where = "/".join(p for p in (event.project, event.environment) if p)
                self.stdout.write(f"{event.created_at:%Y-%m-%d %H:%M:%S}\t{event.actor_label}\t"
                                  f"{event.interface}\t{event.action}\t{event.object_label}\t"
                                  f"{where}")

    @staticmethod
    def _moment(options, name):
        text = options[name]
        if not text:
            return None
        try:
            moment = parse_datetime(text)
        except (ParserError, ValueError, OverflowError):
            raise CommandError(f"--{name}: {text!r} is not a date and time.") from None
        return moment if timezone.is_aware(moment) else timezone.make_aware(moment)

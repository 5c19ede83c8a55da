from tminus.core.management.base import TMinusCommand
from tminus.metrics import selectors, services


class Command(TMinusCommand):
    help = "Declare and list the metrics events may report."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        declare = self.add_subcommand(sub, "declare", help="Declare a metric.")
        declare.add_argument("key")
        declare.add_argument("--name", default="")
        declare.add_argument("--unit", default="")
        declare.add_argument("--description", default="")
        self.add_subcommand(sub, "list", help="List declared metrics.")

    def handle(self, *args, action, **options):
        if action == "declare":
            metric = services.metric_declare(key=options["key"], name=options["name"],
                                             unit=options["unit"],
                                             description=options["description"],
                                             actor=self.actor(options))
            self.stdout.write(metric.key)
            return
        for metric in selectors.metric_list():
            self.stdout.write(f"{metric.key}\t{metric.unit}\t{metric.name}")

import sys
from pathlib import Path

from django.core.management.base import CommandError

from tminus.core.management.base import TMinusCommand
from tminus.plans import services
from tminus.plans.decoding import MAX_BYTES


class Command(TMinusCommand):
    help = ("Import a release plan (Markdown, or a YAML/JSON plan file) and print the key of the "
            "release it created or updated on the last line.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="The plan file, or - for standard input.")
        parser.add_argument("--product", default="",
                            help="Product key (created if missing; default: the plan's own, "
                                 "else 'imported').")
        parser.add_argument("--key", default="",
                            help="Release key: an existing release with it is updated.")
        parser.add_argument("--preview", action="store_true",
                            help="Show what the import would do and change nothing.")

    def handle(self, *args, file, product, key, preview, **options):
        data, name = self._read(file)
        actor = self.actor(options)
        if preview:
            pending = services.plan_import_preview(data=data, source_name=name,
                                                   product_key=product, release_key=key,
                                                   actor=actor)
            report, release_key = pending.report, pending.report["release"]["key"]
        else:
            outcome = services.plan_import(data=data, source_name=name, product_key=product,
                                           release_key=key, actor=actor)
            report, release_key = outcome.report, outcome.release_key
        self._print_report(report, preview)
        self.stdout.write(release_key)

    def _read(self, file: str) -> tuple[bytes, str]:
        if file == "-":
            return sys.stdin.buffer.read(MAX_BYTES + 1), "stdin"
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No file {file!r}.")
        with path.open("rb") as handle:
            return handle.read(MAX_BYTES + 1), path.name

    def _print_report(self, report: dict, preview: bool) -> None:
        release = report["release"]
        verb = "would be" if preview else "was"
        state = "created" if release["created"] else "updated"
        self.stdout.write(f"Release {release['key']} ({release['name']}) {verb} {state} in "
                          f"product {release['product']}.")
        summary = ", ".join(f"{count} {what}" for what, count in report["summary"].items())
        if summary:
            self.stdout.write(f"From the plan: {summary}.")
        for warning in report["warnings"]:
            where = f"line {warning['line']}: " if warning.get("line") else ""
            self.stderr.write(f"warning: {where}{warning['message']}")

from pathlib import Path

from django.core.management.base import CommandError

from tminus.core.management.base import TMinusCommand
from tminus.plans import exporting
from tminus.releases import selectors


class Command(TMinusCommand):
    help = "Export a release plan as Markdown, JSON, YAML, ICS or printable HTML."

    def add_arguments(self, parser):
        parser.add_argument("key", help="The release's key.")
        parser.add_argument("--format", dest="fmt", default="md", choices=list(exporting.FORMATS))
        parser.add_argument("--output", default="", help="Write to this file (default: stdout).")

    def handle(self, *args, key, fmt, output, **options):
        release = selectors.release_get(key)
        text = exporting.export(release, fmt)
        if output:
            try:
                Path(output).write_text(text, encoding="utf-8")
            except OSError as error:
                raise CommandError(f"Cannot write {output!r}: {error.strerror}.") from None
            self.stderr.write(f"Wrote {output}.")
        else:
            self.stdout.write(text, ending="")

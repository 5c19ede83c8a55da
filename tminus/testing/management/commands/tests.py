import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.core.serializers.json import DjangoJSONEncoder

from tminus.core.management.base import TMinusCommand
from tminus.releases.selectors import release_get
from tminus.testing import presenters, selectors, services


class Command(TMinusCommand):
    help = "Upload JUnit XML results for a release, or show its pass rates."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        upload = sub.add_parser("upload", help="Record a run from a JUnit XML file.")
        upload.add_argument("release")
        upload.add_argument("file", help="JUnit XML written by pytest, Surefire, Jest ...")
        upload.add_argument("--environment", required=True, help="qa, staging, production ...")
        upload.add_argument("--kind", default="", help="Kind of the cases the file creates "
                                                       "(default: unit).")
        summary = sub.add_parser("summary", help="Pass rates by kind and environment, as JSON.")
        summary.add_argument("release")

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(options)

    def _upload(self, options):
        release = release_get(options["release"])
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file {str(path)!r}.")
        with path.open("rb") as handle:
            content = handle.read(settings.JUNIT_MAX_BYTES + 1)
        run, created = services.test_run_junit_upload(
            release=release, environment=options["environment"], content=content,
            filename=path.name, kind=options["kind"], actor=self.actor(options))
        if created:
            self.stdout.write(f"Recorded run {run.pk} on {run.environment.key}: {run.passed} "
                              f"passed, {run.failed} failed, {run.skipped} skipped.")
        else:
            self.stdout.write(f"Already uploaded as run {run.pk} on {run.environment.key} "
                              f"({run.created_at:%Y-%m-%d %H:%M}); not counted again.")

    def _summary(self, options):
        release = release_get(options["release"])
        summary = presenters.pass_rates_dict(selectors.pass_rates(release))
        self.stdout.write(json.dumps(summary, cls=DjangoJSONEncoder, indent=2))

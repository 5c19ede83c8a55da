from django.core.management.base import CommandError

from tminus.core.errors import NotFound
from tminus.core.management.base import TMinusCommand
from tminus.releases.selectors import release_get
from tminus.reports import selectors, services
from tminus.reports.notes import notes_html_document


class Command(TMinusCommand):
    help = "Release notes: draft them from the scope, export them, send them."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        generate = sub.add_parser("generate", help="Draft the notes from the release's scope.")
        generate.add_argument("release")
        generate.add_argument("--replace-edits", action="store_true",
                              help="Redraft even when a person edited the notes.")
        export = sub.add_parser("export", help="Print the notes as Markdown or HTML.")
        export.add_argument("release")
        export.add_argument("--format", choices=["md", "html"], default="md")
        send = sub.add_parser("send", help="Send through the communication plan.")
        send.add_argument("release")
        send.add_argument("--to", required=True,
                          help="Addresses and/or roles, comma-separated.")
        send.add_argument("--subject", default="")

    def handle(self, *args, action, **options):
        try:
            release = release_get(options["release"])
        except NotFound as error:
            raise CommandError(error.message) from None
        getattr(self, f"_{action}")(release, options)

    def _notes(self, release):
        notes = selectors.notes_of(release)
        if notes is None:
            raise CommandError(f"{release.key} has no release notes; run 'tminus notes "
                               f"generate {release.key}' first.")
        return notes

    def _generate(self, release, options):
        current = selectors.notes_of(release)
        revision = current.revision if current and options["replace_edits"] else None
        notes = services.release_notes_generate(release=release, revision=revision,
                                                actor=self.actor(options))
        self.stdout.write(notes.body)

    def _export(self, release, options):
        notes = self._notes(release)
        if options["format"] == "html":
            self.stdout.write(notes_html_document(release, notes.body))
        else:
            self.stdout.write(notes.body)

    def _send(self, release, options):
        audience = [part.strip() for part in options["to"].split(",")]
        message = services.release_notes_send(notes=self._notes(release), audience=audience,
                                              subject=options["subject"],
                                              actor=self.actor(options))
        self.stdout.write(f"queued message {getattr(message, 'pk', '')}")

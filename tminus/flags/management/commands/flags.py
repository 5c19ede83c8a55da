import json
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError

from tminus.core.management.base import TMinusCommand
from tminus.flags import services, transfer
from tminus.flags.choices import TokenKind
from tminus.flags.cli import FlagCommands
from tminus.flags.models import ClientToken

# Sub-commands with sub-commands of their own: the option naming the second word.
GROUPS = {"token": "token_action", "strategies": "strategy_action",
          "segments": "segment_action", "dependencies": "dependency_action"}


class Command(FlagCommands, TMinusCommand):
    help = ("Feature flags: create, toggle, archive and revive flags; edit their strategies, "
            "variants, tags and dependencies; manage segments; import or export an "
            "environment; create and revoke tokens.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        self.add_flag_commands(sub)
        importing = sub.add_parser(
            "import", help="Replace an environment's flags with an Unleash features state.")
        importing.add_argument("file", help="A /api/client/features response (JSON, or YAML "
                                            "for .yaml/.yml); - reads standard input.")
        importing.add_argument("--project", required=True)
        importing.add_argument("--environment", required=True)
        exporting = sub.add_parser("export", help="Write an environment's flags as JSON.")
        exporting.add_argument("--project", required=True)
        exporting.add_argument("--environment", required=True)
        exporting.add_argument("--output", default="", help="File to write (default: stdout).")
        token = sub.add_parser("token", help="Client tokens.")
        token_sub = token.add_subparsers(dest="token_action", required=True)
        create = token_sub.add_parser("create", help="Print a new token, once.")
        create.add_argument("--project", action="append", required=True,
                            help="A project key (repeat for several; * for every project).")
        create.add_argument("--environment", required=True)
        create.add_argument("--frontend", action="store_true",
                            help="A frontend token (for /api/frontend) instead of a backend one.")
        create.add_argument("--kind", choices=TokenKind.values, default=None,
                            help="client (default), frontend, or ingest (metric events only).")
        create.add_argument("--name", default="")
        token_sub.add_parser("list", help="List tokens (never their secrets).")
        revoke = token_sub.add_parser("revoke", help="Revoke a token.")
        revoke.add_argument("id", type=int)

    def handle(self, *args, action, **options):
        second = f"_{options[GROUPS[action]]}" if action in GROUPS else ""
        getattr(self, f"_{action}{second}")(options)

    def _import(self, options):
        state = self._read_state(options["file"])
        result = transfer.flags_import(project_key=options["project"],
                                       environment_key=options["environment"], state=state,
                                       actor=self.actor(options))
        self.stdout.write(
            f"Imported into {result.project.key}/{result.environment.key}: "
            f"{len(result.created)} created, {len(result.updated)} updated, "
            f"{len(result.removed)} removed from the environment.")
        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(f"warning: {warning} (evaluates as off)"))

    @staticmethod
    def _read_state(name: str):
        # Read at most one byte over the limit: a huge file is refused without filling memory.
        limit = settings.FLAGS_IMPORT_MAX_BYTES + 1
        try:
            if name == "-":
                data = sys.stdin.buffer.read(limit)
            else:
                with Path(name).open("rb") as source:
                    data = source.read(limit)
        except OSError as error:
            raise CommandError(f"Cannot read {name}: {error.strerror}.") from None
        return transfer.state_read(data, name="standard input" if name == "-" else name)

    def _export(self, options):
        state = transfer.flags_export(project_key=options["project"],
                                      environment_key=options["environment"])
        text = json.dumps(state, indent=2, ensure_ascii=False) + "\n"
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
            self.stdout.write(f"Wrote {len(state['features'])} flags to {options['output']}.")
        else:
            self.stdout.write(text, ending="")

    def _token_create(self, options):
        kind = options["kind"] or (TokenKind.FRONTEND if options["frontend"]
                                   else TokenKind.CLIENT)
        _token, secret = services.client_token_create(
            name=options["name"], environment=options["environment"],
            projects=options["project"], kind=kind, actor=self.actor(options))
        self.stdout.write(secret)

    def _token_list(self, options):
        for token in ClientToken.objects.prefetch_related("projects"):
            projects = "*" if token.all_projects else ",".join(
                p.key for p in token.projects.all())
            state = "revoked" if token.revoked_at else "active"
            self.stdout.write(f"{token.pk}\t{token.kind}\t{projects}\t{token.environment}\t"
                              f"{token.prefix}…\t{token.name}\t{state}")

    def _token_revoke(self, options):
        token = ClientToken.objects.filter(pk=options["id"]).first()
        if token is None:
            raise CommandError(f"No client token with id {options['id']}.")
        services.client_token_revoke(token=token, actor=self.actor(options))
        self.stdout.write(f"Revoked token {token.pk} ({token.prefix}…).")

import json
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError

from tminus.core.management.base import TMinusCommand
from tminus.flags import control, permissions, selectors, services, transfer
from tminus.flags.choices import TokenKind
from tminus.flags.models import ClientToken


class Command(TMinusCommand):
    help = "Feature flags: import or export an environment's flags, create and revoke tokens."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
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
        role = sub.add_parser("role", help="Allow or forbid a role to change a project's flags "
                                           "(in one environment, or every one).")
        role.add_argument("--project", required=True)
        role.add_argument("--role", required=True)
        role.add_argument("--environment", default="")
        role.add_argument("may_change", choices=["allow", "deny", "default"])
        roles = sub.add_parser("roles", help="Who may change a project's flags, per role and "
                                             "environment.")
        roles.add_argument("--project", required=True)
        revoke = token_sub.add_parser("revoke", help="Revoke a token.")
        revoke.add_argument("id", type=int)

    def handle(self, *args, action, **options):
        if action == "token":
            getattr(self, f"_token_{options['token_action']}")(options)
        else:
            getattr(self, f"_{action}")(options)

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

    def _role(self, options):
        project = selectors.project_get(options["project"])
        may_change = {"allow": True, "deny": False, "default": None}[options["may_change"]]
        control.role_rule_set(project=project, role=options["role"], may_change=may_change,
                              environment=options["environment"], actor=self.actor(options))
        self._roles(options)

    def _roles(self, options):
        table = permissions.effective(selectors.project_get(options["project"]))
        for role, cells in table.items():
            self.stdout.write(role + "\t" + "\t".join(
                f"{env}={'yes' if allowed else 'no'}" for env, allowed in cells.items()))

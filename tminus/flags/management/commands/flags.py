import json
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError

from tminus.core.management.base import TMinusCommand
from tminus.flags import (
    change_requests,
    control,
    lifecycle,
    permissions,
    selectors,
    services,
    transfer,
)
from tminus.flags.choices import TokenKind
from tminus.flags.cli import FlagCommands
from tminus.flags.models import ClientToken, Flag

# Sub-commands with sub-commands of their own: the option naming the second word.
GROUPS = {"token": "token_action", "change": "change_action", "strategies": "strategy_action",
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
        role = sub.add_parser("role", help="Allow or forbid a role to change a project's flags "
                                           "(in one environment, or every one).")
        role.add_argument("--project", required=True)
        role.add_argument("--role", required=True)
        role.add_argument("--environment", default="")
        role.add_argument("may_change", choices=["allow", "deny", "default"])
        roles = sub.add_parser("roles", help="Who may change a project's flags, per role and "
                                             "environment.")
        roles.add_argument("--project", required=True)
        protect = sub.add_parser("protect", help="Make changes to an environment need approval "
                                                 "(or, with --off, not).")
        protect.add_argument("--project", required=True)
        protect.add_argument("--environment", required=True)
        protect.add_argument("--approver-role", default="",
                             help="Who may approve (default release_manager, and up).")
        protect.add_argument("--off", action="store_true")
        change = sub.add_parser("change", help="Change requests: list, request, approve, reject, "
                                               "cancel.")
        change_sub = change.add_subparsers(dest="change_action", required=True)
        listing = change_sub.add_parser("list", help="Change requests, newest first.")
        listing.add_argument("--status", default="pending",
                             help="pending (default), open, approved, applied, rejected, "
                                  "cancelled, failed or all.")
        request = change_sub.add_parser("request", help="Request (or schedule) a change.")
        request.add_argument("operation", help="flag_environment_toggle, strategy_create ...")
        request.add_argument("arguments", help='JSON: {"flag": "checkout", "environment": '
                                               '"production", "enabled": true}')
        request.add_argument("--at", default="", help="2027-03-12 09:00")
        request.add_argument("--time-zone", default="", help="Europe/Oslo")
        for verb in ("approve", "reject", "cancel"):
            decide = change_sub.add_parser(verb, help=f"{verb.title()} a change request.")
            decide.add_argument("id", type=int)
            if verb != "cancel":
                decide.add_argument("--comment", default="")
        schedule = sub.add_parser("schedule", help="Switch a flag on or off at a moment.")
        schedule.add_argument("flag")
        schedule.add_argument("--environment", required=True)
        state = schedule.add_mutually_exclusive_group(required=True)
        state.add_argument("--on", action="store_true")
        state.add_argument("--off", action="store_true")
        schedule.add_argument("--at", required=True, help="2027-03-12 09:00")
        schedule.add_argument("--time-zone", default="", help="Europe/Oslo (default: the "
                                                              "server's TMINUS_TIME_ZONE)")
        schedule.add_argument("--reason", default="")
        life = sub.add_parser("lifecycle", help="Each flag's stage, last evaluation, unused and "
                                                "potentially stale marks.")
        life.add_argument("--project", default="")
        cleanup = sub.add_parser("cleanup", help="Mark a flag for cleanup (its work is done).")
        cleanup.add_argument("flag")
        cleanup.add_argument("--undo", action="store_true")
        delete = sub.add_parser("delete", help="Delete an archived flag for good.")
        delete.add_argument("flag")
        kill = sub.add_parser("kill", help="Turn every flag of an environment off for SDKs "
                                           "(--release to undo).")
        kill.add_argument("--project", required=True)
        kill.add_argument("--environment", required=True)
        kill.add_argument("--release", action="store_true")
        kill.add_argument("--reason", default="")
        sub.add_parser("remind-stale", help="Queue this week's reminders to owners of unused, "
                                            "stale or cleanup flags.")
        revoke = token_sub.add_parser("revoke", help="Revoke a token.")
        revoke.add_argument("id", type=int)

    def handle(self, *args, action, **options):
        second = f"_{options[GROUPS[action]]}" if action in GROUPS else ""
        getattr(self, f"_{action}{second}".replace("-", "_"))(options)

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

    def _protect(self, options):
        environment = change_requests.environment_get(options["project"], options["environment"])
        environment = change_requests.environment_protection_set(
            environment=environment, requires_approval=not options["off"],
            approver_role=options["approver_role"], actor=self.actor(options))
        state = (f"needs approval by {environment.approver_role} or higher"
                 if environment.requires_approval else "needs no approval")
        self.stdout.write(f"{environment}: {state}.")

    def _show_change(self, change):
        moment = change_requests.local_moment(change)
        when = f"\t{moment:%Y-%m-%d %H:%M %Z}" if moment else ""
        self.stdout.write(f"{change.pk}\t{change.status}\t{change.summary}\t"
                          f"{change.requested_label}{when}")

    def _change_list(self, options):
        status = options["status"]
        for change in change_requests.change_requests(status="" if status == "all" else status):
            self._show_change(change)

    def _change_request(self, options):
        try:
            arguments = json.loads(options["arguments"])
        except json.JSONDecodeError as error:
            raise CommandError(f"The arguments are not JSON: {error}.") from None
        if not isinstance(arguments, dict):
            raise CommandError("The arguments must be a JSON object.")
        self._submit(options["operation"], options, **change_requests.decode(arguments))

    def _submit(self, operation, options, **arguments):
        submitted = change_requests.submit(operation, actor=self.actor(options),
                                           at=options.get("at") or None,
                                           time_zone=options.get("time_zone", ""), **arguments)
        if submitted.change_request is None:
            self.stdout.write("Applied.")
        else:
            self._show_change(submitted.change_request)

    def _schedule(self, options):
        self._submit("flag_environment_toggle", options, flag=selectors.flag_get(options["flag"]),
                     environment=options["environment"], enabled=options["on"],
                     reason=options["reason"])

    def _decide(self, options, function, **extra):
        change = function(change=change_requests.change_request_get(options["id"]),
                          actor=self.actor(options), **extra)
        self._show_change(change)
        if change.problem:
            raise CommandError(change.problem)

    def _change_approve(self, options):
        self._decide(options, change_requests.change_request_approve, comment=options["comment"])

    def _change_reject(self, options):
        self._decide(options, change_requests.change_request_reject, comment=options["comment"])

    def _change_cancel(self, options):
        self._decide(options, change_requests.change_request_cancel)

    def _lifecycle(self, options):
        flags = Flag.objects.select_related("project", "owner").order_by("key")
        if options["project"]:
            flags = flags.filter(project=selectors.project_get(options["project"]))
        for row in lifecycle.lifecycle_rows(flags):
            marks = [m for m in ("unused", "potentially_stale") if row[m]]
            last = f"{row['last_evaluated']:%Y-%m-%d}" if row["last_evaluated"] else "never"
            self.stdout.write(f"{row['flag']}\t{row['stage']}\t{last}\t{','.join(marks)}")

    def _cleanup(self, options):
        flag = lifecycle.flag_cleanup_mark(flag=selectors.flag_get(options["flag"]),
                                           cleanup=not options["undo"], actor=self.actor(options))
        self.stdout.write(f"{flag.key}: {lifecycle.flag_stage(flag)}")

    def _delete(self, options):
        lifecycle.flag_delete(flag=selectors.flag_get(options["flag"]), actor=self.actor(options))
        self.stdout.write(f"Deleted {options['flag']}.")

    def _kill(self, options):
        environment = lifecycle.environment_kill_switch(
            environment=change_requests.environment_get(options["project"],
                                                        options["environment"]),
            killed=not options["release"], reason=options["reason"], actor=self.actor(options))
        self.stdout.write(f"{environment}: " + ("every flag off for SDKs."
                                                if environment.killed_at else "flags as set."))

    def _remind_stale(self, options):
        from tminus.comms.flag_changes import stale_flag_reminders_send

        self.stdout.write(f"queued {stale_flag_reminders_send()} stale flag reminder(s)")

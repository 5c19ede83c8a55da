import json
from pathlib import Path

from django.core.management.base import CommandError
from django.core.serializers.json import DjangoJSONEncoder

from tminus.core.management.base import TMinusCommand
from tminus.releases.selectors import release_get
from tminus.rollouts import presenters, selectors, services
from tminus.rollouts.report import plan_markdown
from tminus.rollouts.templates_catalog import template_list

CONTROLS = {
    "start": (services.rollout_start, "Start a draft plan: its first stage sees the flag."),
    "pause": (services.rollout_pause, "Stop advancing; triggers stay armed."),
    "resume": (services.rollout_resume, "Carry on after a pause, a hold or a rollback."),
    "advance": (services.rollout_advance, "Move to the next stage now (approves a waiting one)."),
    "rollback": (services.rollout_rollback, "Turn the flag off now."),
}


def _read_json(path: str):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
    except ValueError as error:
        raise CommandError(f"{path} is not JSON: {error}.") from None


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


class Command(TMinusCommand):
    help = ("Staged rollouts: create plans, follow them, and start, pause, resume, advance or "
            "roll them back.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        listing = self.add_subcommand(sub, "list", help="Rollout plans, one a line.")
        listing.add_argument("--release", default="")
        listing.add_argument("--status", default="", help="A status, or 'live'.")
        show = self.add_subcommand(sub, "show", help="A plan with its stages, as JSON.")
        show.add_argument("plan")
        report = self.add_subcommand(sub, "report", help="A plan's results as Markdown.")
        report.add_argument("plan")
        self.add_subcommand(sub, "templates", help="The built-in plan shapes.")
        create = self.add_subcommand(sub, "create", help="Create a draft plan.")
        create.add_argument("release")
        create.add_argument("--flag", required=True)
        create.add_argument("--environment", default="production")
        create.add_argument("--template", default="")
        create.add_argument("--users", default="", help="UAT user IDs, comma-separated.")
        create.add_argument("--segments", default="", help="Segment names, comma-separated.")
        create.add_argument("--stage-duration", default="1d")
        create.add_argument("--file", default="", help="A JSON definition instead of a template.")
        create.add_argument("--key", default="")
        update = self.add_subcommand(sub, "update", help="Replace a draft plan's definition.")
        update.add_argument("plan")
        update.add_argument("--file", required=True)
        for name, (_control, text) in CONTROLS.items():
            control = self.add_subcommand(sub, name, help=text)
            control.add_argument("plan")
            control.add_argument("--reason", required=True, help="Why; kept with the change.")

    def handle(self, *args, action, **options):
        if action in CONTROLS:
            control, _text = CONTROLS[action]
            plan = control(plan=selectors.plan_get(options["plan"]), reason=options["reason"],
                           actor=self.actor(options))
            stage = selectors.current_stage(selectors.plans().get(pk=plan.pk))
            self.stdout.write(f"{plan.key}\t{plan.get_status_display()}\t"
                              f"{stage.name if stage else ''}")
            return
        getattr(self, f"_{action}")(options)

    def _list(self, options):
        release = release_get(options["release"]) if options["release"] else None
        for plan in selectors.plans(release=release, status=options["status"]):
            stage = selectors.current_stage(plan)
            self.stdout.write(f"{plan.key}\t{plan.status}\t{plan.release.key}\t{plan.flag.key}\t"
                              f"{plan.environment.key}\t{stage.name if stage else ''}")

    def _show(self, options):
        plan = selectors.plan_get(options["plan"])
        detail = presenters.plan_detail(selectors.plan_view(plan), services.plan_definition(plan))
        self.stdout.write(json.dumps(detail, cls=DjangoJSONEncoder, indent=2))

    def _report(self, options):
        view = selectors.plan_view(selectors.plan_get(options["plan"]), timeline_limit=0)
        self.stdout.write("\n".join(plan_markdown(view, "#")))

    def _templates(self, options):
        for template in template_list():
            self.stdout.write(f"{template.key}\t{template.name}")

    def _create(self, options):
        definition = _read_json(options["file"]) if options["file"] else None
        plan = services.rollout_plan_create(
            release=release_get(options["release"]), flag=options["flag"],
            environment=options["environment"], definition_data=definition,
            template=options["template"], key=options["key"], actor=self.actor(options),
            template_options={"users": _split(options["users"]),
                              "segments": _split(options["segments"]),
                              "stage_duration": options["stage_duration"]})
        self.stdout.write(plan.key)

    def _update(self, options):
        plan = services.rollout_plan_update(plan=selectors.plan_get(options["plan"]),
                                            definition_data=_read_json(options["file"]),
                                            actor=self.actor(options))
        self.stdout.write(f"{plan.key}\trevision {plan.revision}")

from tminus.core.management.base import TMinusCommand
from tminus.releases.selectors import release_get
from tminus.runbooks import presenters, selectors, services
from tminus.runbooks.durations import format_duration


class Command(TMinusCommand):
    help = ("Record deployments from a pipeline: start (moves the release to deploying), "
            "finish (moves it live), fail (keeps it deploying for a retry or a rollback), "
            "status. Exits 1 with the reason when refused.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        start = self.add_subcommand(sub, "start", help="Start a deployment (a runbook run).")
        start.add_argument("release", help="The release key, such as shop-1.1.")
        start.add_argument("--environment", default="")
        start.add_argument("--reason", default="",
                           help="Why; required with --override-freeze.")
        start.add_argument("--override-freeze", action="store_true",
                           help="Start even inside a freeze window (needs --reason).")
        finish = self.add_subcommand(sub, "finish", help="Finish the running deployment.")
        finish.add_argument("release")
        finish.add_argument("--environment", default="",
                            help="Record the release's version as running there.")
        finish.add_argument("--notes", default="")
        fail = self.add_subcommand(sub, "fail", help="Record that the deployment failed.")
        fail.add_argument("release")
        fail.add_argument("--reason", default="")
        status = self.add_subcommand(sub, "status", help="The latest run, a line per phase.")
        status.add_argument("release")

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(release_get(options["release"]), options)

    def _start(self, release, options):
        run = services.deployment_start(release=release, environment=options["environment"],
                                        reason=options["reason"],
                                        override_freeze=options["override_freeze"],
                                        actor=self.actor(options))
        where = f" on {run.environment}" if run.environment else ""
        self.stdout.write(f"Deployment run #{run.number} of {release.key} started{where}.")

    def _finish(self, release, options):
        run = services.deployment_finish(release=release, environment=options["environment"],
                                         notes=options["notes"], actor=self.actor(options))
        self.stdout.write(f"Deployment run #{run.number} of {release.key} finished in "
                          f"{format_duration(run.duration_seconds)}; the release is live.")

    def _fail(self, release, options):
        run = services.deployment_fail(release=release, reason=options["reason"],
                                       actor=self.actor(options))
        self.stdout.write(f"Deployment run #{run.number} of {release.key} failed: "
                          f"{run.failure_reason}")

    def _status(self, release, options):
        run = selectors.current_run(release)
        if run is None:
            self.stdout.write(f"{release.key} has not been deployed yet.")
            return
        detail = presenters.run_detail(selectors.run_view(run))
        self.stdout.write(f"{release.key}\trun #{detail['number']}\t{detail['status']}\t"
                          f"{detail['steps_ended']}/{detail['steps_total']} steps done")
        for phase in detail["phases"]:
            self.stdout.write(f"  {phase['name']}\t{phase['status']}\t"
                              f"{format_duration(phase['duration_seconds'])}")

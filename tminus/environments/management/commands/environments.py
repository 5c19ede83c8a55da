from django.core.management.base import CommandError

from tminus.core.management.base import TMinusCommand
from tminus.environments import selectors, services
from tminus.releases.models import Release


class Command(TMinusCommand):
    help = "List a product's environments, add one, or record the version deployed in one."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="Each environment with its version and since when.")
        listing.add_argument("product")
        setting = sub.add_parser("set", help="Record that VERSION is now deployed in ENV.")
        setting.add_argument("product")
        setting.add_argument("environment")
        setting.add_argument("version")
        setting.add_argument("--release", default="", help="The release the version belongs to.")
        setting.add_argument("--note", default="")
        history = sub.add_parser("history", help="What was deployed in ENV, newest first.")
        history.add_argument("product")
        history.add_argument("environment")
        adding = sub.add_parser("add", help="Add an environment to a product.")
        adding.add_argument("product")
        adding.add_argument("key")
        adding.add_argument("--name", default="")
        adding.add_argument("--url", default="")
        defaults = sub.add_parser("defaults", help="Add QA, staging and production if missing.")
        defaults.add_argument("product")

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(options)

    def _list(self, options):
        for env in selectors.environments_of(selectors.product_get(options["product"])):
            since = f"{env.current_since:%Y-%m-%d %H:%M}" if env.current_since else "-"
            release = env.current_release.key if env.current_release else "-"
            self.stdout.write(f"{env.key}\t{env.current_version or '-'}\t{since}\t{release}")

    def _set(self, options):
        product = selectors.product_get(options["product"])
        release = None
        if options["release"]:
            release = Release.objects.filter(key=options["release"]).first()
            if release is None:
                raise CommandError(f"No release with key {options['release']!r}.")
        deployment = services.environment_version_set(
            product=product, environment=options["environment"], version=options["version"],
            release=release, note=options["note"], actor=self.actor(options))
        self.stdout.write(f"{deployment.environment.key}: {deployment.version} since "
                          f"{deployment.deployed_at:%Y-%m-%d %H:%M}")

    def _history(self, options):
        product = selectors.product_get(options["product"])
        environment = services.environment_find(product, options["environment"])
        for d in selectors.deployment_history(environment):
            release = d.release.key if d.release else "-"
            self.stdout.write(f"{d.deployed_at:%Y-%m-%d %H:%M}\t{d.version}\t{release}\t"
                              f"{d.deployed_by_label}")

    def _add(self, options):
        environment = services.environment_create(
            product=selectors.product_get(options["product"]), key=options["key"],
            name=options["name"], url=options["url"], actor=self.actor(options))
        self.stdout.write(environment.key)

    def _defaults(self, options):
        created = services.environment_defaults_ensure(
            product=selectors.product_get(options["product"]), actor=self.actor(options))
        self.stdout.write(", ".join(e.key for e in created) or "All default environments exist.")

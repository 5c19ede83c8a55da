import json
from datetime import date

from django.core.management.base import CommandError
from django.core.serializers.json import DjangoJSONEncoder

from tminus.accounts.services import user_by_username
from tminus.core.management.base import TMinusCommand
from tminus.releases import presenters, selectors, services
from tminus.releases.models import Product


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date; write it as YYYY-MM-DD.") from None


class Command(TMinusCommand):
    help = "List, show or create releases."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        listing = self.add_subcommand(sub, "list", help="The portfolio, one release a line.")
        listing.add_argument("--product", default="")
        listing.add_argument("--status", default="")
        listing.add_argument("--owner", default="")
        show = self.add_subcommand(sub, "show", help="One release with its checklists, as JSON.")
        show.add_argument("key")
        create = self.add_subcommand(sub, "create", help="Create a release from a template.")
        create.add_argument("--product", required=True)
        create.add_argument("--name", required=True)
        create.add_argument("--template", required=True)
        create.add_argument("--go-live", type=_date)
        create.add_argument("--version", dest="release_version", default="")
        create.add_argument("--goal", default="")
        create.add_argument("--owner", default="")
        create.add_argument("--key", default="")

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(options)

    def _list(self, options):
        releases = selectors.portfolio(product=options["product"], status=options["status"],
                                       owner=options["owner"])
        for release in selectors.with_progress(releases):
            row = presenters.release_summary(release)
            t_minus = "" if row["t_minus_days"] is None else f"T{-row['t_minus_days']:+d}d"
            self.stdout.write(
                f"{row['key']}\t{row['status']}\t{row['go_live'] or '-'}\t{t_minus}\t"
                f"{row['items_done']}/{row['items_total']} done\t{row['items_overdue']} overdue"
            )

    def _show(self, options):
        release = selectors.with_progress([selectors.release_get(options["key"])])[0]
        detail = presenters.release_detail(release)
        detail["checklists"] = [presenters.section_dict(v) for v in selectors.checklists(release)]
        self.stdout.write(json.dumps(detail, cls=DjangoJSONEncoder, indent=2))

    def _create(self, options):
        product = Product.objects.filter(key=options["product"]).first()
        if product is None:
            raise CommandError(f"No product with key {options['product']!r}.")
        owner = user_by_username(options["owner"]) if options["owner"] else None
        release = services.release_create(
            product=product, name=options["name"], template_key=options["template"],
            go_live=options["go_live"], version=options["release_version"],
            goal=options["goal"], owner=owner, key=options["key"], actor=self.actor(options),
        )
        self.stdout.write(release.key)

from datetime import date

from django.core.management.base import CommandError

from tminus.core.errors import NotFound
from tminus.core.management.base import TMinusCommand
from tminus.outcomes.lookups import product_get
from tminus.releases.models import Release, ScopeItem
from tminus.roadmap import selectors, services
from tminus.roadmap.cadence import parse_cadence

MARKS = {"done": "[done]", "in_progress": "[in progress]", "planned": "[planned]"}


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date; write it as YYYY-MM-DD.") from None


class Command(TMinusCommand):
    help = "A product's roadmap: show it, set its cadence, create proposed releases, move features."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        show = sub.add_parser("show", help="Releases with themes, features and what comes next.")
        show.add_argument("product")
        cadence = sub.add_parser("cadence", help="Set the cadence: 'monthly on the 15th'.")
        cadence.add_argument("product")
        cadence.add_argument("text")
        cadence.add_argument("--template", default="minor")
        propose = sub.add_parser("propose", help="Create the next release the cadence proposes.")
        propose.add_argument("product")
        propose.add_argument("--theme", default="")
        propose.add_argument("--version", dest="release_version", default="")
        propose.add_argument("--go-live", type=_date)
        move = sub.add_parser("move", help="Move a feature (scope item id) to another release.")
        move.add_argument("feature", type=int)
        move.add_argument("release")
        move.add_argument("--reason", default="")

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(options)

    def _product(self, key: str):
        try:
            return product_get(key)
        except NotFound as error:
            raise CommandError(error.message) from None

    def _show(self, options):
        view = selectors.roadmap(self._product(options["product"]))
        if view.cadence:
            self.stdout.write(f"Cadence: {view.cadence.text}")
        for column in view.columns:
            release = column.release
            self.stdout.write(f"\n{release.key}\t{release.go_live or '-'}\t{release.status}\t"
                              f"{column.theme}")
            for feature in column.features:
                self.stdout.write(f"  {MARKS.get(feature.status, '')} {feature.title} "
                                  f"(#{feature.pk})")
        for proposal in view.proposals:
            self.stdout.write(f"\nproposed\t{proposal.go_live}\t{proposal.version}")

    def _cadence(self, options):
        cadence = services.cadence_set(product=self._product(options["product"]),
                                       text=options["text"], template_key=options["template"],
                                       actor=self.actor(options))
        self.stdout.write(parse_cadence(cadence.text).describe())

    def _propose(self, options):
        product = self._product(options["product"])
        go_live, version = options["go_live"], options["release_version"]
        if go_live is None:
            view = selectors.roadmap(product)
            if not view.proposals:
                raise CommandError(f"{product.key} has no cadence to propose a date; set one "
                                   f"with 'tminus roadmap cadence' or pass --go-live.")
            go_live, version = view.proposals[0].go_live, version or view.proposals[0].version
        release = services.roadmap_release_create(product=product, go_live=go_live,
                                                  version=version, theme=options["theme"],
                                                  actor=self.actor(options))
        self.stdout.write(f"{release.key}\t{release.go_live}")

    def _move(self, options):
        feature = ScopeItem.objects.select_related("release").filter(pk=options["feature"]).first()
        target = Release.objects.filter(key=options["release"]).first()
        if feature is None or target is None:
            raise CommandError("No such feature or release.")
        move = services.feature_move(feature=feature, to_release=target,
                                     reason=options["reason"], actor=self.actor(options))
        self.stdout.write(f"{move.feature.title}: {move.from_label} -> {move.to_label}")

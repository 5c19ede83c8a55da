from datetime import datetime

from django.core.management.base import CommandError
from django.utils import timezone

from tminus.core.management.base import TMinusCommand
from tminus.readiness import selectors
from tminus.releases.models import Product


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date and time; write it as "
                           "YYYY-MM-DDTHH:MM.") from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


class Command(TMinusCommand):
    help = "Freeze windows: list them, or check a moment (exit 1 when it is frozen)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="Every freeze window.")
        check = sub.add_parser("check", help="Exit 1 when the moment (or period) is frozen.")
        check.add_argument("--product", default="",
                           help="A product key; global windows always count.")
        check.add_argument("--at", type=_moment, default=None,
                           help="The moment (YYYY-MM-DDTHH:MM, local time); default now.")
        check.add_argument("--until", type=_moment, default=None,
                           help="Check the whole period from --at to this moment.")

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(options)

    def _list(self, options):
        for window in selectors.freeze_windows():
            scope = window.product.key if window.product else "global"
            repeats = window.rrule or "once"
            start = timezone.localtime(window.starts_at).strftime("%Y-%m-%d %H:%M")
            end = timezone.localtime(window.ends_at).strftime("%Y-%m-%d %H:%M")
            self.stdout.write(f"{window.pk}\t{window.name}\t{scope}\t{start}\t{end}\t{repeats}")

    def _check(self, options):
        product = None
        if options["product"]:
            product = Product.objects.filter(key=options["product"]).first()
            if product is None:
                raise CommandError(f"No product with key {options['product']!r}.")
        start = options["at"] or timezone.now()
        found = selectors.freeze_windows_covering(product, start, options["until"] or start)
        if not found:
            self.stdout.write("Not frozen.")
            return
        for occurrence in found:
            self.stdout.write(f"Frozen: {occurrence}")
        raise SystemExit(1)

import json

from django.core.management.base import CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from tminus.core.errors import NotFound
from tminus.core.management.base import TMinusCommand
from tminus.outcomes import presenters, selectors, services
from tminus.outcomes.lookups import user_or_error
from tminus.outcomes.models import KpiCheckin
from tminus.outcomes.targets import format_quantity
from tminus.releases.selectors import release_get


class Command(TMinusCommand):
    help = "List, add and report a release's KPIs (success metrics)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="A release's KPIs with their status.")
        listing.add_argument("release")
        add = sub.add_parser("add", help="Add a KPI: tminus kpi add shop-1.0 '95%% uptime'.")
        add.add_argument("release")
        add.add_argument("target")
        add.add_argument("--name", default="")
        add.add_argument("--source", default="manual")
        add.add_argument("--query", default="")
        add.add_argument("--url", dest="source_url", default="")
        add.add_argument("--schedule", default="")
        add.add_argument("--owner", default="")
        checkin = sub.add_parser("checkin", help="Record a reading: tminus kpi checkin "
                                 "shop-1.0 uptime 99.95%%.")
        checkin.add_argument("release")
        checkin.add_argument("kpi", help="The KPI's key (or id).")
        checkin.add_argument("value", help="In the KPI's unit: 99.95%%, 1.4 s, 520.")
        checkin.add_argument("--slot", default="auto",
                             help="day-1, week-2 …; 'auto' (default) fills the latest due "
                                  "check-in that has no value, 'extra' records an extra reading.")
        checkin.add_argument("--note", default="")
        table = sub.add_parser("tables", help="The daily and weekly check-in tables, as JSON.")
        table.add_argument("release")

    def handle(self, *args, action, **options):
        try:
            release = release_get(options["release"])
        except NotFound as error:
            raise CommandError(error.message) from None
        getattr(self, f"_{action}")(release, options)

    def _list(self, release, options):
        for view in selectors.release_kpis(release):
            latest = view.latest
            value = format_quantity(latest.value, view.kpi.unit) if latest else "-"
            self.stdout.write(f"{view.kpi.key}\t{view.kpi.target_text}\t{view.kpi.source}\t"
                              f"{value}\t{view.status}")

    def _add(self, release, options):
        kpi = services.kpi_create(
            release=release, target=options["target"], name=options["name"],
            source=options["source"], query=options["query"],
            source_url=options["source_url"], schedule=options["schedule"],
            owner=user_or_error(options["owner"]), actor=self.actor(options))
        self.stdout.write(f"{kpi.key}\t{kpi.target_text}")

    def _checkin(self, release, options):
        try:
            kpi = selectors.kpi_by_key(release, options["kpi"])
        except NotFound as error:
            raise CommandError(error.message) from None
        slot = options["slot"]
        if slot == "auto":
            taken = set(kpi.checkins.filter(status=KpiCheckin.RECORDED)
                        .values_list("slot", flat=True))
            found = selectors.open_slot(kpi, taken, timezone.now())
            slot = found.key if found else ""
        elif slot == "extra":
            slot = ""
        checkin = services.kpi_checkin_record(kpi=kpi, value=options["value"], slot=slot,
                                              note=options["note"], actor=self.actor(options))
        view = selectors.kpi_view(kpi, kpi.checkins.all())
        verdict = next(c.verdict for c in view.checkins if c.pk == checkin.pk)
        self.stdout.write(f"{kpi.key}\t{checkin.slot or 'extra'}\t"
                          f"{format_quantity(checkin.value, kpi.unit)}\t{verdict}")

    def _tables(self, release, options):
        tables = selectors.checkin_tables(selectors.release_kpis(release))
        self.stdout.write(json.dumps([presenters.table_dict(t) for t in tables],
                                     cls=DjangoJSONEncoder, indent=2))

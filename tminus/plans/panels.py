"""The plan-document panel on the release page: exports, printable view, calendar, import."""

from tminus.accounts.permissions import can
from tminus.accounts.roles import MANAGE
from tminus.plans.models import PlanDocument
from tminus.releases.panels import Panel

EXPORT_FORMATS = [("md", "Markdown"), ("json", "JSON"), ("yaml", "YAML"), ("ics", "Calendar (ICS)"),
                  ("html", "Printable")]


def _context(request, release) -> dict:
    document = PlanDocument.objects.filter(release=release).only(
        "source_name", "origin", "imported_at", "warnings").first()
    return {"release": release, "document": document, "formats": EXPORT_FORMATS,
            "may_manage": can(request.user, MANAGE)}


PLAN_PANEL = Panel(key="plan-document", title="Plan document", template="plans/panel.html",
                   context=_context, order=90)

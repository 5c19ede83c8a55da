"""Background work: take every due KPI check-in from its automatic source, once per slot."""

from django.conf import settings

from tminus.core.actors import Actor
from tminus.outcomes import selectors, services
from tminus.outcomes.models import Kpi
from tminus.worker.registry import job_handler, periodic
from tminus.worker.services import job_enqueue

CHECKIN_JOB = "outcomes.kpi_checkin"


@periodic("outcomes.kpi_checkins", every_seconds=settings.KPI_CHECKIN_POLL_SECONDS)
def kpi_checkins_enqueue() -> None:
    """Queue a job for each due slot; the dedupe key keeps it to one job per slot ever."""
    for kpi_id, slot in selectors.due_automatic_slots():
        job_enqueue(kind=CHECKIN_JOB, payload={"kpi": kpi_id, "slot": slot},
                    dedupe_key=f"{CHECKIN_JOB}:{kpi_id}:{slot}")


@job_handler(CHECKIN_JOB)
def kpi_checkin_take(payload: dict) -> None:
    kpi = Kpi.objects.select_related("release", "product").filter(pk=payload["kpi"]).first()
    if kpi is None:  # removed since it was queued
        return
    services.kpi_checkin_take(kpi=kpi, slot=payload["slot"], actor=Actor.worker())

from datetime import timedelta

from django.utils import timezone

from tests.factories import make_release
from tests.support.prometheus import prometheus, real_prometheus  # noqa: F401
from tminus.releases.models import Release


def live_release(days_ago: int = 10, template: str = "major", **kwargs) -> Release:
    """A release that went live `days_ago` days ago (status set directly: the workflow and its
    gates are tested elsewhere)."""
    release = make_release(template=template,
                           go_live=timezone.localdate() - timedelta(days=days_ago), **kwargs)
    Release.objects.filter(pk=release.pk).update(status="live")
    release.refresh_from_db()
    return release

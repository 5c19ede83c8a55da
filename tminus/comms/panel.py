"""The communication plan's panel on the release page."""

from tminus.comms.selectors import plan_summary


def comms_panel_context(request, release) -> dict:
    return plan_summary(release)

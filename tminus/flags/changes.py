"""Flag changes as events: which audited changes are flag changes, and how one reads.

Every flag write is audited (services.audit_flag and the segment, environment and project
services); the communication channels subscribe to those audit entries through
`tminus.audit.signals.change_recorded` and deliver the ones `is_flag_change` accepts.
"""

from tminus.audit.models import AuditEvent
from tminus.audit.presenters import audit_entry

FLAG_OBJECT_TYPES = {"flags.flag", "flags.segment", "flags.environment", "flags.project",
                     "flags.changerequest"}
# Each flag of an import is also summarised by the environment's `flags.import` entry; one
# message per flag of a thousand-flag import would bury the summary.
NOT_ANNOUNCED = {"flag.import"}


def is_flag_change(event: AuditEvent) -> bool:
    return event.object_type in FLAG_OBJECT_TYPES and event.action not in NOT_ANNOUNCED


def summary(event: AuditEvent) -> str:
    """One line: `alice switched new-checkout on in shop/production`."""
    where = "/".join(part for part in (event.project, event.environment) if part)
    what = _what(event)
    return f"{event.actor_label} {what}" + (f" in {where}" if where else "")


def _what(event: AuditEvent) -> str:
    after = event.after or {}
    if event.action == "flag.toggle":
        return f"switched {event.object_label} {'on' if after.get('enabled') else 'off'}"
    verb = event.action.split(".", 1)[-1].replace("_", " ")
    return f"{verb}: {event.object_label}"


def body(event: AuditEvent) -> str:
    """The change as plain text: what changed from what to what, and why."""
    lines = [summary(event), "", f"When: {event.created_at:%Y-%m-%d %H:%M:%S %Z}",
             f"Through: {event.interface}", f"Change: {event.action}"]
    for field, before, after in event.changed_fields():
        if field != "environment":
            lines.append(f"  {field}: {before!r} -> {after!r}")
    if event.reason:
        lines.append(f"Reason: {event.reason}")
    return "\n".join(lines) + "\n"


def payload(event: AuditEvent) -> dict:
    """What a JSON webhook receives for a flag change."""
    return {"type": "tminus.flag_change", "change": audit_entry(event)}


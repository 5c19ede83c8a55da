"""Sent inside the writing transaction after every audited change.

Listeners (the communication channels' flag-change subscriptions) write in that same
transaction, so a change and what it causes are committed together or not at all.
"""

from django.dispatch import Signal

# event: the AuditEvent just written.
change_recorded = Signal()

"""Storing accepted events and adding them to the per-minute totals, in one transaction.

Raw SQL because the ORM cannot say "insert what is new and tell me which rows were new": the
INSERT ... ON CONFLICT DO NOTHING RETURNING below does that on SQLite (3.35+) and PostgreSQL, so a
retried batch adds nothing to the totals a second time.
"""

from collections import defaultdict
from datetime import UTC, datetime

from django.db import connection

from tminus.metrics.ingest import CleanEvent
from tminus.metrics.models import Event, MinuteTotal

CHUNK = 500
_EVENT_COLUMNS = ("event_id", "metric_key", "occurred_at", "value", "environment", "flag_key",
                  "variant", "user_key", "received_at")
_TOTAL_KEY = ("metric_key", "environment", "flag_key", "variant", "minute")


def insert_new_events(events: list[CleanEvent], received_at: datetime) -> list[CleanEvent]:
    """Insert the events whose ids are new; return those."""
    adapt = connection.ops.adapt_datetimefield_value
    received = adapt(received_at)
    inserted_ids: set[str] = set()
    with connection.cursor() as cursor:
        for start in range(0, len(events), CHUNK):
            chunk = events[start:start + CHUNK]
            rows = [(e.event_id, e.metric_key, adapt(e.occurred_at), e.value, e.environment,
                     e.flag_key, e.variant, e.user_key, received) for e in chunk]
            cursor.execute(_insert_events_sql(len(rows)), [v for row in rows for v in row])
            inserted_ids.update(row[0] for row in cursor.fetchall())
    return [event for event in events if event.event_id in inserted_ids]


def add_to_minute_totals(events: list[CleanEvent]) -> int:
    """Add events to their minute totals; returns how many minute rows were touched."""
    totals: dict[tuple, list] = defaultdict(lambda: [0, 0.0, None, None])
    for event in events:
        minute = event.occurred_at.astimezone(UTC).replace(second=0, microsecond=0)
        total = totals[(event.metric_key, event.environment, event.flag_key, event.variant,
                        minute)]
        total[0] += 1
        total[1] += event.value
        total[2] = event.value if total[2] is None else min(total[2], event.value)
        total[3] = event.value if total[3] is None else max(total[3], event.value)
    adapt = connection.ops.adapt_datetimefield_value
    rows = [(*key[:4], adapt(key[4]), *values) for key, values in totals.items()]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start:start + CHUNK]
            cursor.execute(_upsert_totals_sql(len(chunk)), [v for row in chunk for v in row])
    return len(rows)


def _placeholders(columns: int, rows: int) -> str:
    row = "(" + ", ".join(["%s"] * columns) + ")"
    return ", ".join([row] * rows)


def _insert_events_sql(rows: int) -> str:
    table = Event._meta.db_table
    return (
        f"INSERT INTO {table} ({', '.join(_EVENT_COLUMNS)}) "
        f"VALUES {_placeholders(len(_EVENT_COLUMNS), rows)} "
        f"ON CONFLICT (event_id) DO NOTHING RETURNING event_id"
    )


def _upsert_totals_sql(rows: int) -> str:
    table = MinuteTotal._meta.db_table
    columns = (*_TOTAL_KEY, "count", "total", "minimum", "maximum")
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES {_placeholders(len(columns), rows)} "
        f"ON CONFLICT ({', '.join(_TOTAL_KEY)}) DO UPDATE SET "
        f"count = {table}.count + excluded.count, "
        f"total = {table}.total + excluded.total, "
        f"minimum = CASE WHEN {table}.minimum IS NULL OR excluded.minimum < {table}.minimum "
        f"THEN excluded.minimum ELSE {table}.minimum END, "
        f"maximum = CASE WHEN {table}.maximum IS NULL OR excluded.maximum > {table}.maximum "
        f"THEN excluded.maximum ELSE {table}.maximum END"
    )

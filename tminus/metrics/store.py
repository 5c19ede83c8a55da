"""Storing accepted events and adding them to the per-minute totals, in one transaction.

Raw SQL because the ORM cannot say "insert what is new and tell me which rows were new": the
INSERT ... ON CONFLICT DO NOTHING RETURNING below does that on SQLite (3.35+) and PostgreSQL, so a
retried batch adds nothing to the totals a second time.

This is the hot path of ingestion (tens of thousands of events a second), so it talks to the
driver's own cursor with the driver's placeholder style, in large multi-row statements, and
formats timestamps itself: Django's cursor wrapper rewrites every placeholder of every statement
and adapts values one by one, which costs more than the database's own work here.
"""

from collections import defaultdict
from contextlib import closing
from datetime import UTC, datetime

from django.db import connection

from tminus.metrics.ingest import CleanEvent
from tminus.metrics.models import Event, MinuteTotal

# Rows per statement: 2,000 rows of 11 values stay under the parameter limits of SQLite (32,766)
# and PostgreSQL (65,535).
CHUNK = 2000
_EVENT_COLUMNS = ("event_id", "metric_key", "occurred_at", "value", "environment", "flag_key",
                  "variant", "user_key", "arm", "received_at")
_TOTAL_KEY = ("metric_key", "environment", "flag_key", "variant", "arm", "minute")
_TOTAL_COLUMNS = (*_TOTAL_KEY, "count", "total", "total_squares", "minimum", "maximum")


def insert_new_events(events: list[CleanEvent], received_at: datetime) -> list[CleanEvent]:
    """Insert the events whose ids are new; return those."""
    insert = _insert_chunk_postgres if connection.vendor == "postgresql" else _insert_chunk
    inserted_ids: set[str] = set()
    with _raw_cursor() as cursor:
        for start in range(0, len(events), CHUNK):
            insert(cursor, events[start:start + CHUNK], received_at)
            inserted_ids.update(row[0] for row in cursor.fetchall())
    if len(inserted_ids) == len(events):
        return events
    return [event for event in events if event.event_id in inserted_ids]


def _insert_chunk(cursor, chunk: list[CleanEvent], received_at: datetime) -> None:
    stored = _stored_datetime()
    received = stored(received_at)
    params = []
    for e in chunk:
        params += (e.event_id, e.metric_key, stored(e.occurred_at), e.value, e.environment,
                   e.flag_key, e.variant, e.user_key, e.arm, received)
    cursor.execute(_insert_events_sql(len(chunk)), params)


def _insert_chunk_postgres(cursor, chunk: list[CleanEvent], received_at: datetime) -> None:
    # One array per column: a short statement the driver parses once, instead of 18,000
    # placeholders it would scan on every chunk.
    columns = [list(column) for column in zip(*(e[:9] for e in chunk), strict=True)]
    cursor.execute(_insert_events_unnest_sql(), [received_at, *columns])


def add_to_minute_totals(events: list[CleanEvent]) -> int:
    """Add events to their minute totals; returns how many minute rows were touched."""
    totals: dict[tuple, list] = defaultdict(lambda: [0, 0.0, 0.0, None, None])
    for event in events:
        # Whole minutes since the epoch: cheaper than building a datetime for every event.
        minute = int(event.occurred_at.timestamp()) // 60
        total = totals[(event.metric_key, event.environment, event.flag_key, event.variant,
                        event.arm, minute)]
        value = event.value
        total[0] += 1
        total[1] += value
        total[2] += value * value
        if total[3] is None or value < total[3]:
            total[3] = value
        if total[4] is None or value > total[4]:
            total[4] = value
    stored = _stored_datetime()
    rows = [(*key[:5], stored(datetime.fromtimestamp(key[5] * 60, UTC)), *values)
            for key, values in totals.items()]
    with _raw_cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start:start + CHUNK]
            cursor.execute(_upsert_totals_sql(len(chunk)), [v for row in chunk for v in row])
    return len(rows)


def _raw_cursor():
    connection.ensure_connection()
    return closing(connection.connection.cursor())


def _stored_datetime():
    """How the database takes an aware datetime: SQLite as Django's naive UTC text."""
    if connection.vendor == "sqlite":
        return lambda moment: str(moment.astimezone(UTC).replace(tzinfo=None))
    return lambda moment: moment


def _placeholders(columns: int, rows: int) -> str:
    mark = "?" if connection.vendor == "sqlite" else "%s"
    row = "(" + ", ".join([mark] * columns) + ")"
    return ", ".join([row] * rows)


def _insert_events_sql(rows: int) -> str:
    table = Event._meta.db_table
    return (
        f"INSERT INTO {table} ({', '.join(_EVENT_COLUMNS)}) "
        f"VALUES {_placeholders(len(_EVENT_COLUMNS), rows)} "
        f"ON CONFLICT (event_id) DO NOTHING RETURNING event_id"
    )


def _insert_events_unnest_sql() -> str:
    table = Event._meta.db_table
    arrays = ", ".join(f"%s::{kind}[]" for kind in (
        "text", "text", "timestamptz", "float8", "text", "text", "text", "text", "text"))
    return (
        f"INSERT INTO {table} ({', '.join(_EVENT_COLUMNS)}) "
        f"SELECT rows.*, %s::timestamptz FROM unnest({arrays}) AS rows "
        f"ON CONFLICT (event_id) DO NOTHING RETURNING event_id"
    )


def _upsert_totals_sql(rows: int) -> str:
    table = MinuteTotal._meta.db_table
    return (
        f"INSERT INTO {table} ({', '.join(_TOTAL_COLUMNS)}) "
        f"VALUES {_placeholders(len(_TOTAL_COLUMNS), rows)} "
        f"ON CONFLICT ({', '.join(_TOTAL_KEY)}) DO UPDATE SET "
        f"count = {table}.count + excluded.count, "
        f"total = {table}.total + excluded.total, "
        f"total_squares = {table}.total_squares + excluded.total_squares, "
        f"minimum = CASE WHEN {table}.minimum IS NULL OR excluded.minimum < {table}.minimum "
        f"THEN excluded.minimum ELSE {table}.minimum END, "
        f"maximum = CASE WHEN {table}.maximum IS NULL OR excluded.maximum > {table}.maximum "
        f"THEN excluded.maximum ELSE {table}.maximum END"
    )

"""Writes that may be skipped rather than wait: a brief wait for locks, then give up.

Some writes are bookkeeping (when a token was last used) that must never hold up or fail the
request around them: while a long import holds SQLite's write lock, or another transaction holds
the row on PostgreSQL, they wait a fraction of a second instead of the database's usual timeout,
and the caller catches the DatabaseError and moves on.
"""

from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def brief_lock_wait(milliseconds: int = 200):
    """A transaction (a savepoint inside one) whose lock waits end after `milliseconds`."""
    if connection.vendor == "sqlite":
        with _sqlite_busy_timeout(milliseconds), transaction.atomic():
            yield
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL lock_timeout = {int(milliseconds)}")
        yield


@contextmanager
def _sqlite_busy_timeout(milliseconds: int):
    # The busy timeout belongs to the connection: set it for this write, then put it back.
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        usual = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {int(usual)}")

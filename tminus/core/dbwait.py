"""Writes that may be skipped rather than wait: a brief wait for SQLite's lock, then give up.

Some writes are bookkeeping (when a token was last used) that must never hold up or fail the
request around them: while a long import holds SQLite's write lock they wait a fraction of a
second instead of the database's usual timeout, and the caller catches the DatabaseError and
moves on. (On PostgreSQL such a write skips a locked row instead: `FOR UPDATE SKIP LOCKED`.)
"""

from contextlib import contextmanager

from django.db import connection


@contextmanager
def brief_lock_wait(milliseconds: int = 200):
    """On SQLite, wait at most `milliseconds` for the write lock inside this block."""
    if connection.vendor != "sqlite":
        yield
        return
    # The busy timeout belongs to the connection: set it for this write, then put it back.
    # Straight on the driver's connection: bookkeeping, not one of the request's queries.
    connection.ensure_connection()
    raw = connection.connection
    usual = raw.execute("PRAGMA busy_timeout").fetchone()[0]
    raw.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")
    try:
        yield
    finally:
        raw.execute(f"PRAGMA busy_timeout = {int(usual)}")

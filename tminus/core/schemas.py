"""Schemas every area's API shares."""

from datetime import time
from typing import Annotated

from ninja import Schema
from pydantic import WithJsonSchema


class ErrorOut(Schema):
    """A refused request: a message, per-field messages, and for a conflict the current state."""

    detail: str
    errors: dict[str, list[str]] | None = None
    current: dict | None = None


# A time of day without a zone. JSON Schema's "time" format demands an offset (RFC 3339), which a
# local time such as a meeting's start has not; the pattern says what the API really sends.
LocalTime = Annotated[time, WithJsonSchema({
    "type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$",
    "description": "A local time of day, HH:MM or HH:MM:SS.",
})]

"""Errors that services raise; the web, the API and the CLI each turn them into their own answer."""


class ServiceError(Exception):
    """A request that a service refuses; nothing was changed."""

    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ValidationFailed(ServiceError):
    """Input that breaks a rule, with one or more messages per field."""

    status = 422

    def __init__(self, errors: dict[str, list[str] | str]):
        self.errors = {
            field: [messages] if isinstance(messages, str) else list(messages)
            for field, messages in errors.items()
        }
        super().__init__("; ".join(f"{f}: {' '.join(m)}" for f, m in self.errors.items()))


class NotAllowed(ServiceError):
    """The actor's role does not permit this change."""

    status = 403


class NotFound(ServiceError):
    status = 404


class TransitionNotAllowed(ServiceError):
    """A status change that the workflow refuses, with the reason."""

    status = 409


class StaleWrite(ServiceError):
    """A write refused because of the revision it names: carries the current state."""

    def __init__(self, message: str, current: dict):
        super().__init__(message)
        self.current = current


class Conflict(StaleWrite):
    """A write made from a stale copy: carries the current state so the client can merge."""

    status = 409


class PreconditionRequired(StaleWrite):
    """An edit that names no revision: it could overwrite a change it never saw.

    Not a Conflict: there is nothing to merge with, so pages show a message instead of the
    side-by-side conflict view."""

    status = 428


def require(condition: bool, field: str, message: str) -> None:
    """Raise ValidationFailed for one field unless the condition holds."""
    if not condition:
        raise ValidationFailed({field: message})

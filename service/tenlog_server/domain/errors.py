"""Errors the domain raises; transport maps each onto a status code with details."""

from __future__ import annotations

from dataclasses import dataclass

# The ErrorInfo domain of every error tenlog reports, over gRPC and REST alike.
ERROR_DOMAIN = "tenlog.dev"


@dataclass(frozen=True, slots=True)
class FieldViolation:
    """One bad field: where (a dotted path or JSON path) and what is wrong."""

    field: str
    description: str


class DomainError(Exception):
    """Base of every error the domain reports to callers."""

    reason = "ERROR"

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if reason:
            self.reason = reason


class InvalidArgument(DomainError):
    """The request is malformed; violations say what and where."""

    reason = "INVALID_ARGUMENT"

    def __init__(
        self, message: str, violations: list[FieldViolation] | None = None, *, reason: str | None = None
    ) -> None:
        super().__init__(message, reason=reason)
        self.violations = violations or []


class NotFound(DomainError):
    """The named row does not exist in the caller's organization."""

    reason = "NOT_FOUND"


class AlreadyExists(DomainError):
    """A row with this id already exists."""

    reason = "ALREADY_EXISTS"


class FailedPrecondition(DomainError):
    """The request is well formed but the state does not allow it (a limit was hit)."""

    reason = "FAILED_PRECONDITION"


class Aborted(DomainError):
    """A concurrent change got in the way (e.g. a matched completion was deleted); retrying may succeed."""

    reason = "ABORTED"


class Unauthenticated(DomainError):
    """No API key, or an unknown one."""

    reason = "UNAUTHENTICATED"


class PermissionDenied(DomainError):
    """The key is valid but not for the organization named."""

    reason = "PERMISSION_DENIED"


class ResourceExhausted(DomainError):
    """The server is overloaded or a size limit was hit; retry_after says when to try again."""

    reason = "RESOURCE_EXHAUSTED"

    def __init__(self, message: str, *, retry_after: float | None = None, reason: str | None = None) -> None:
        super().__init__(message, reason=reason)
        self.retry_after = retry_after


class Unavailable(DomainError):
    """The server cannot take the call now (it is shutting down); retry_after says when to try again."""

    reason = "UNAVAILABLE"

    def __init__(self, message: str, *, retry_after: float | None = None, reason: str | None = None) -> None:
        super().__init__(message, reason=reason)
        self.retry_after = retry_after


class DeadlineExceeded(DomainError):
    """A query ran past its statement timeout."""

    reason = "STATEMENT_TIMEOUT"

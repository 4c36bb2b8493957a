"""The error hierarchy every layer raises and every entrypoint maps to Toqio's envelope."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One problem with one input field, as Toqio's error envelope lists them."""

    field: str
    code: str
    message: str


class DomainError(Exception):
    """Base of every expected, explainable failure.

    ``code`` is the machine-readable error code Toqio's envelope carries (for example
    ``ACCOUNT_NOT_FOUND``); ``message`` is safe to show to a user.
    """

    default_code = "ERROR"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        problems: tuple[FieldProblem, ...] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.problems = problems


class NotFound(DomainError):
    """The thing asked for does not exist (or not for this tenant)."""

    default_code = "NOT_FOUND"


class Conflict(DomainError):
    """The request clashes with the current state (a duplicate, a concurrent change)."""

    default_code = "CONFLICT"


class RuleViolated(DomainError):
    """A business rule refuses the request (insufficient funds, a closed account)."""

    default_code = "RULE_VIOLATED"


class InvalidInput(DomainError):
    """The input is malformed or out of range; nothing was changed."""

    default_code = "INVALID_INPUT"


class NotImplementedByProvider(DomainError):
    """The configured provider does not support this operation."""

    default_code = "FUNCTION_NOT_IMPLEMENTED_YET"


@dataclass(frozen=True, slots=True)
class ErrorReport:
    """A serialisable summary of a domain error, for logs and envelopes."""

    code: str
    message: str
    problems: tuple[FieldProblem, ...] = field(default=())

    @classmethod
    def of(cls, error: DomainError) -> ErrorReport:
        return cls(code=error.code, message=error.message, problems=error.problems)

"""Who may call compliance: Toqio customers' API keys, reviewers and their password policy."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from shared_kernel.domain.errors import DomainError, FieldProblem, InvalidInput

MIN_PASSWORD_LENGTH = 12
# scrypt's cost does not grow with the length, but an unbounded body is never welcome.
MAX_PASSWORD_LENGTH = 256
MAX_CUSTOMER_ID_LENGTH = 128
_USERNAME = re.compile(r"[a-z0-9._-]{3,64}")
INVALID_REQUEST = "INVALID_REQUEST"


class AccessDenied(DomainError):
    """The caller's credentials are missing, wrong, stale or revoked (a 401)."""

    default_code = "UNAUTHORIZED"


class InvalidCredentials(AccessDenied):
    """Unknown username or wrong password: one answer for both, so neither is revealed."""

    default_code = "INVALID_CREDENTIALS"

    def __init__(self) -> None:
        super().__init__("The username or password is not valid")


class ReviewerRole(StrEnum):
    """What a reviewer may do in the review queue."""

    REVIEWER = "REVIEWER"
    # May also give the second approval of a transaction above the four-eyes amount.
    SUPERVISOR = "SUPERVISOR"


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiKey:
    """The stored side of one Toqio customer's API key: its hash, never the key itself."""

    key_id: str
    customer_id: str
    key_hash: str = field(repr=False)
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        """Whether calls may still authenticate with this key."""
        return self.revoked_at is None

    def revoked(self, at: datetime) -> ApiKey:
        """This key revoked at ``at``; a key revoked before keeps its first revocation time."""
        return self if self.revoked_at is not None else replace(self, revoked_at=at)


@dataclass(frozen=True, slots=True, kw_only=True)
class Reviewer:
    """A person who works the manual-review queue from the console."""

    reviewer_id: str
    username: str
    role: ReviewerRole
    password_hash: str = field(repr=False)
    created_at: datetime
    disabled: bool = False

    def identity(self) -> ReviewerIdentity:
        """Who this reviewer is, without credentials."""
        return ReviewerIdentity(
            reviewer_id=self.reviewer_id, username=self.username, role=self.role
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ReviewerIdentity:
    """An authenticated reviewer, as review routes see them."""

    reviewer_id: str
    username: str
    role: ReviewerRole


def _problem(field_name: str, code: str, message: str) -> FieldProblem:
    return FieldProblem(field_name, code, message)


def normalise_username(username: str) -> str:
    """The form usernames are stored and looked up in: trimmed and lower-case."""
    return username.strip().lower()


def username_problems(username: str) -> list[FieldProblem]:
    """What is wrong with an already normalised username (nothing when it is acceptable)."""
    if _USERNAME.fullmatch(username):
        return []
    message = "username must be 3 to 64 characters among a-z, 0-9, '.', '_' and '-'"
    return [_problem("username", "INVALID_FORMAT", message)]


def password_problems(password: str, username: str) -> list[FieldProblem]:
    """What makes ``password`` unacceptable for ``username`` (nothing when it is acceptable)."""
    problems: list[FieldProblem] = []
    if len(password) < MIN_PASSWORD_LENGTH:
        message = f"password must have at least {MIN_PASSWORD_LENGTH} characters"
        problems.append(_problem("password", "TOO_SHORT", message))
    if len(password) > MAX_PASSWORD_LENGTH:
        message = f"password must have at most {MAX_PASSWORD_LENGTH} characters"
        problems.append(_problem("password", "TOO_LONG", message))
    if password and len(set(password)) == 1:
        message = "password must not repeat a single character"
        problems.append(_problem("password", "TOO_WEAK", message))
    if password.strip().lower() == normalise_username(username):
        message = "password must not be the username"
        problems.append(_problem("password", "SAME_AS_USERNAME", message))
    return problems


def checked_new_reviewer(username: str, password: str) -> str:
    """The normalised username of a reviewer about to be created with ``password``.

    Raises:
        InvalidInput: Listing every problem of the username and the password at once.
    """
    normalised = normalise_username(username)
    problems = [*username_problems(normalised), *password_problems(password, normalised)]
    if problems:
        message = "; ".join(problem.message for problem in problems)
        raise InvalidInput(message, code=INVALID_REQUEST, problems=tuple(problems))
    return normalised


def checked_customer_id(customer_id: str) -> str:
    """``customer_id`` trimmed, or :class:`InvalidInput` when empty or too long."""
    cleaned = customer_id.strip()
    if cleaned and len(cleaned) <= MAX_CUSTOMER_ID_LENGTH:
        return cleaned
    message = f"customerId must have 1 to {MAX_CUSTOMER_ID_LENGTH} characters"
    problem = _problem("customerId", "INVALID_VALUE", message)
    raise InvalidInput(message, code=INVALID_REQUEST, problems=(problem,))

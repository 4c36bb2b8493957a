"""Create reviewers, give them short-lived tokens for their password, and authenticate those."""

from __future__ import annotations

import secrets

import structlog

from compliance.application.access.ports import (
    Clock,
    IssuedToken,
    PasswordHasher,
    ReviewerRepository,
    TokenSigner,
)
from compliance.domain.access import (
    AccessDenied,
    InvalidCredentials,
    Reviewer,
    ReviewerIdentity,
    ReviewerRole,
    checked_new_reviewer,
    normalise_username,
)
from shared_kernel.domain.errors import Conflict
from shared_kernel.domain.ids import new_id

REVIEWER_EXISTS = "REVIEWER_EXISTS"

_log = structlog.get_logger(__name__)


class CreateReviewer:
    """Register a reviewer; only a memory-hard hash of the password is kept."""

    def __init__(
        self, reviewers: ReviewerRepository, passwords: PasswordHasher, clock: Clock
    ) -> None:
        self._reviewers = reviewers
        self._passwords = passwords
        self._clock = clock

    async def __call__(self, *, username: str, password: str, role: ReviewerRole) -> Reviewer:
        """The new reviewer.

        Raises:
            InvalidInput: The username or the password breaks the policy (every problem listed).
            Conflict: ``REVIEWER_EXISTS`` when the username is taken.
        """
        normalised = checked_new_reviewer(username, password)
        if await self._reviewers.by_username(normalised) is not None:
            raise _exists(normalised)
        reviewer = Reviewer(
            reviewer_id=new_id(),
            username=normalised,
            role=role,
            password_hash=await self._passwords.hash(password),
            created_at=self._clock(),
        )
        # The check above is only a fast path: the unique username decides under a race.
        if not await self._reviewers.add(reviewer):
            raise _exists(normalised)
        _log.info("reviewer.created", reviewer_id=reviewer.reviewer_id, role=role.value)
        return reviewer


def _exists(username: str) -> Conflict:
    return Conflict(f"A reviewer named {username} already exists", code=REVIEWER_EXISTS)


class IssueReviewerToken:
    """Exchange a reviewer's username and password for a short-lived bearer token."""

    def __init__(
        self,
        reviewers: ReviewerRepository,
        passwords: PasswordHasher,
        signer: TokenSigner,
        clock: Clock,
    ) -> None:
        self._reviewers = reviewers
        self._passwords = passwords
        self._signer = signer
        self._clock = clock
        self._dummy_hash: str | None = None

    async def __call__(self, username: str, password: str) -> IssuedToken:
        """A token for the reviewer.

        Raises:
            InvalidCredentials: Unknown or disabled user, or wrong password: one answer for all,
                after the same amount of hashing work.
        """
        # Made before the look-up, so even the first call of a process costs the same for any
        # username.
        dummy = await self._dummy()
        reviewer = await self._reviewers.by_username(normalise_username(username))
        if reviewer is None:
            # Verify against a hash of a random password so an unknown user costs the same
            # time as a known one: response timing must not tell which usernames exist.
            await self._passwords.verify(password, dummy)
            raise InvalidCredentials()
        if not await self._passwords.verify(password, reviewer.password_hash):
            _log.info("reviewer.login_failed", reviewer_id=reviewer.reviewer_id)
            raise InvalidCredentials()
        if reviewer.disabled:
            raise InvalidCredentials()
        if self._passwords.needs_rehash(reviewer.password_hash):
            upgraded = await self._passwords.hash(password)
            await self._reviewers.set_password_hash(reviewer.reviewer_id, upgraded)
        issued = self._signer.issue(reviewer.reviewer_id, reviewer.role, self._clock())
        _log.info("reviewer.token_issued", reviewer_id=reviewer.reviewer_id)
        return issued

    async def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = await self._passwords.hash(secrets.token_urlsafe(24))
        return self._dummy_hash


class AuthenticateReviewer:
    """Tell who bears a reviewer token; a disabled reviewer's tokens stop working at once."""

    def __init__(self, reviewers: ReviewerRepository, signer: TokenSigner, clock: Clock) -> None:
        self._reviewers = reviewers
        self._signer = signer
        self._clock = clock

    async def __call__(self, token: str) -> ReviewerIdentity:
        """The reviewer, with the role stored now (a changed role applies at once).

        Raises:
            AccessDenied: The token is not genuine, has expired, or its reviewer is gone or
                disabled.
        """
        claims = self._signer.verify(token, self._clock())
        reviewer = await self._reviewers.get(claims.reviewer_id)
        if reviewer is None or reviewer.disabled:
            raise AccessDenied("The reviewer of this token may no longer sign in")
        return reviewer.identity()

"""Claiming an idempotency key, storing its request's answer and replaying it."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
import structlog

from building_blocks.idempotency.errors import IdempotencyKeyReused, IdempotencyRequestInFlight
from building_blocks.idempotency.tables import KeyState
from building_blocks.persistence import Database, dialect_insert

log = structlog.get_logger(__name__)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def fingerprint(method: str, path: str, body: bytes) -> str:
    """The sha256 hex digest identifying a request, for telling a retry from another request.

    A JSON body is hashed in canonical form, so whitespace and key order do not matter;
    any other body is hashed as it is.
    """
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"))
    except (ValueError, RecursionError):  # not JSON, or nested too deep to parse
        content = body
    else:
        content = canonical.encode()
    digest = hashlib.sha256()
    # Length-prefixed, so no method/path/body split can collide with another.
    for part in (method.upper().encode(), path.encode(), content):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


@dataclass(frozen=True)
class Claim:
    """The right, held under a lease, to run the request of an idempotency key."""

    scope: str
    key: str
    token: str


@dataclass(frozen=True)
class StoredResponse:
    """The answer given to a key's request, replayed byte for byte to its retries."""

    status: int
    headers: dict[str, str]
    body: bytes


class IdempotencyStore:
    """Idempotency keys in one table, each state change in its own short transaction.

    A claim is held under a lease of ``lease_seconds``: once it runs out, the claimant is
    presumed dead and a retry takes the key over. The lease must therefore exceed the
    longest time a request may take, or a slow request may run twice.
    """

    def __init__(
        self,
        database: Database,
        table: sa.Table,
        *,
        lease_seconds: float = 60.0,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._database = database
        self._table = table
        self._lease = timedelta(seconds=lease_seconds)
        self._clock = clock

    def _row(self, scope: str, key: str) -> sa.ColumnElement[bool]:
        return sa.and_(self._table.c.scope == scope, self._table.c.key == key)

    def _claimed(self, claim: Claim) -> sa.ColumnElement[bool]:
        t = self._table
        return sa.and_(
            self._row(claim.scope, claim.key),
            t.c.claim_token == claim.token,
            t.c.state == KeyState.IN_FLIGHT.value,
        )

    async def claim(self, scope: str, key: str, fingerprint: str) -> Claim | StoredResponse:
        """Take the key for a request, or return the answer its earlier request got.

        Returns:
            A ``Claim`` when the caller is to run the request (a new key, or one whose
            claimant's lease ran out), else the stored answer to replay.

        Raises:
            IdempotencyKeyReused: the key was used with another fingerprint.
            IdempotencyRequestInFlight: another request holds the key under a live lease.
        """
        t = self._table
        now = self._clock()
        token = str(uuid.uuid4())
        # On PostgreSQL a concurrent INSERT of the same key waits for the first one's commit
        # and then does nothing, so exactly one of N concurrent claims inserts.
        insert = (
            dialect_insert(self._database, t)
            .values(
                scope=scope,
                key=key,
                fingerprint=fingerprint,
                state=KeyState.IN_FLIGHT.value,
                claim_token=token,
                claimed_at=now,
            )
            .on_conflict_do_nothing(index_elements=[t.c.scope, t.c.key])
        )
        select = sa.select(t).where(self._row(scope, key)).with_for_update()
        async with self._database.engine.begin() as connection:
            row = None
            # A second round covers a row released between our INSERT and SELECT.
            for _ in range(2):
                if (await connection.execute(insert)).rowcount == 1:
                    return Claim(scope, key, token)
                row = (await connection.execute(select)).one_or_none()
                if row is not None:
                    break
            if row is None:
                raise IdempotencyRequestInFlight(key)
            if row.fingerprint != fingerprint:
                raise IdempotencyKeyReused(key)
            if row.state == KeyState.COMPLETED.value:
                headers = json.loads(row.response_headers) if row.response_headers else {}
                return StoredResponse(row.response_status, headers, bytes(row.response_body))
            if now - row.claimed_at < self._lease:
                raise IdempotencyRequestInFlight(key)
            # The claimant died (or stalled past its lease): the key is ours under a new token.
            taken = await connection.execute(
                t.update()
                .where(self._claimed(Claim(scope, key, row.claim_token)))
                .values(claim_token=token, claimed_at=now)
            )
            if taken.rowcount != 1:
                raise IdempotencyRequestInFlight(key)
        log.warning("idempotency.claim_taken_over", scope=scope, idempotency_key=key)
        return Claim(scope, key, token)

    async def complete(
        self, claim: Claim, response: StoredResponse, *, resource_id: str | None = None
    ) -> bool:
        """Store the answer to the claimed request; its retries get it from now on.

        Args:
            claim: the claim the request ran under.
            response: the answer given to the client.
            resource_id: what the request created (a payment id...), for operators.

        Returns:
            Whether it was stored: False when the claim's lease ran out and the key was
            taken over (or released) meanwhile.
        """
        t = self._table
        async with self._database.engine.begin() as connection:
            result = await connection.execute(
                t.update()
                .where(self._claimed(claim))
                .values(
                    state=KeyState.COMPLETED.value,
                    response_status=response.status,
                    response_headers=json.dumps(response.headers),
                    response_body=response.body,
                    completed_at=self._clock(),
                    resource_id=resource_id,
                )
            )
        stored = result.rowcount == 1
        if not stored:
            # Never the body: it may hold account numbers and names.
            log.warning(
                "idempotency.completion_after_lease_lost",
                scope=claim.scope,
                idempotency_key=claim.key,
                status=response.status,
            )
        return stored

    async def release(self, claim: Claim) -> None:
        """Forget the claimed key, so a retry with it runs the request anew.

        A completed key is left alone: its answer is final.
        """
        async with self._database.engine.begin() as connection:
            await connection.execute(self._table.delete().where(self._claimed(claim)))

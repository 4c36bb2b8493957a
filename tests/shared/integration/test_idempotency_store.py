"""The idempotency store claims a key once, replays its answer and recovers dead claims."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from building_blocks.idempotency import (
    Claim,
    IdempotencyKeyReused,
    IdempotencyRequestInFlight,
    IdempotencyStore,
    StoredResponse,
    idempotency_tables,
)
from building_blocks.persistence import Database, service_metadata

pytestmark = pytest.mark.integration

SCHEMA = "idem_test"
metadata = service_metadata(SCHEMA)
table = idempotency_tables(metadata)
LEASE = 30.0
SCOPE = "payments:customer-1"
PRINT = "a" * 64
OTHER_PRINT = "b" * 64
ANSWER = StoredResponse(
    status=201,
    headers={"location": "/payments/p-1", "x-extra": "1"},
    body=b'{"data":{"id":"p-1","amount":"10.00"}}',
)


class ManualClock:
    def __init__(self) -> None:
        self.now = datetime(2025, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture(params=["postgresql", "sqlite"])
def idem_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    # Resolved in a sync fixture: postgres_url runs its own event loop to create the database.
    if request.param == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite:///{tmp_path}/idempotency.db"


async def _open(url: str) -> Database:
    db = Database(url, schema=SCHEMA)
    await db.create_schema(metadata)
    return db


@pytest.fixture
async def database(idem_database_url: str) -> AsyncIterator[Database]:
    db = await _open(idem_database_url)
    yield db
    await db.dispose()


@pytest.fixture
async def postgres_database(postgres_url: str) -> AsyncIterator[Database]:
    # Concurrent claims are a PostgreSQL matter: SQLite serialises writers.
    db = await _open(postgres_url)
    yield db
    await db.dispose()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def store(database: Database, clock: ManualClock) -> IdempotencyStore:
    return IdempotencyStore(database, table, lease_seconds=LEASE, clock=clock)


async def _claimed(store: IdempotencyStore, key: str = "k-1", fp: str = PRINT) -> Claim:
    claim = await store.claim(SCOPE, key, fp)
    assert isinstance(claim, Claim)
    return claim


async def _row(database: Database, key: str = "k-1") -> Any:
    async with database.engine.connect() as connection:
        query = sa.select(table).where(table.c.scope == SCOPE, table.c.key == key)
        return (await connection.execute(query)).one_or_none()


async def test_the_first_claim_of_a_key_takes_it(
    store: IdempotencyStore, database: Database, clock: ManualClock
) -> None:
    claim = await store.claim(SCOPE, "k-1", PRINT)

    assert isinstance(claim, Claim)
    assert (claim.scope, claim.key) == (SCOPE, "k-1")
    row = await _row(database)
    assert (row.state, row.claim_token, row.fingerprint) == ("IN_FLIGHT", claim.token, PRINT)
    assert row.claimed_at == clock.now


async def test_a_completed_key_replays_the_stored_answer(
    store: IdempotencyStore, database: Database
) -> None:
    claim = await _claimed(store)

    assert await store.complete(claim, ANSWER, resource_id="p-1") is True
    replay = await store.claim(SCOPE, "k-1", PRINT)

    assert replay == ANSWER
    row = await _row(database)
    assert (row.state, row.resource_id) == ("COMPLETED", "p-1")
    assert row.completed_at is not None


async def test_a_key_used_with_a_different_request_is_refused(store: IdempotencyStore) -> None:
    await store.complete(await _claimed(store), ANSWER)

    with pytest.raises(IdempotencyKeyReused) as refused:
        await store.claim(SCOPE, "k-1", OTHER_PRINT)

    assert refused.value.code == "IDEMPOTENCY_KEY_REUSED"
    assert "k-1" in refused.value.message


async def test_a_different_request_is_refused_even_while_the_first_is_in_flight(
    store: IdempotencyStore,
) -> None:
    await _claimed(store)

    with pytest.raises(IdempotencyKeyReused):
        await store.claim(SCOPE, "k-1", OTHER_PRINT)


async def test_a_retry_while_the_first_request_runs_is_told_to_wait(
    store: IdempotencyStore, clock: ManualClock
) -> None:
    await _claimed(store)
    clock.advance(LEASE - 1)

    with pytest.raises(IdempotencyRequestInFlight) as waiting:
        await store.claim(SCOPE, "k-1", PRINT)

    assert waiting.value.code == "IDEMPOTENCY_REQUEST_IN_PROGRESS"


async def test_a_claim_whose_lease_ran_out_is_taken_over(
    store: IdempotencyStore, database: Database, clock: ManualClock
) -> None:
    dead = await _claimed(store)
    clock.advance(LEASE + 1)

    takeover = await store.claim(SCOPE, "k-1", PRINT)

    assert isinstance(takeover, Claim)
    assert takeover.token != dead.token
    row = await _row(database)
    assert (row.state, row.claim_token, row.claimed_at) == ("IN_FLIGHT", takeover.token, clock.now)


async def test_completing_with_a_stale_claim_changes_nothing(
    store: IdempotencyStore, database: Database, clock: ManualClock
) -> None:
    stale = await _claimed(store)
    clock.advance(LEASE + 1)
    takeover = await _claimed(store)

    assert await store.complete(stale, ANSWER) is False

    row = await _row(database)
    assert (row.state, row.claim_token, row.response_body) == ("IN_FLIGHT", takeover.token, None)
    assert await store.complete(takeover, ANSWER) is True


async def test_a_released_key_can_be_claimed_again_even_for_another_request(
    store: IdempotencyStore, database: Database
) -> None:
    await store.release(await _claimed(store))

    assert await _row(database) is None
    again = await store.claim(SCOPE, "k-1", OTHER_PRINT)
    assert isinstance(again, Claim)


async def test_releasing_a_stale_claim_keeps_the_new_claimant_s_key(
    store: IdempotencyStore, database: Database, clock: ManualClock
) -> None:
    stale = await _claimed(store)
    clock.advance(LEASE + 1)
    takeover = await _claimed(store)

    await store.release(stale)

    assert (await _row(database)).claim_token == takeover.token


async def test_a_completed_answer_survives_a_release(store: IdempotencyStore) -> None:
    claim = await _claimed(store)
    await store.complete(claim, ANSWER)

    await store.release(claim)

    assert await store.claim(SCOPE, "k-1", PRINT) == ANSWER


async def test_scopes_keep_equal_keys_apart(store: IdempotencyStore) -> None:
    await _claimed(store)

    other = await store.claim("payments:customer-2", "k-1", OTHER_PRINT)

    assert isinstance(other, Claim)


def test_the_state_check_constraint_has_a_stable_name() -> None:
    names = {constraint.name for constraint in table.constraints}

    assert "ck_idempotency_keys_state" in names


async def test_concurrent_claims_of_a_new_key_yield_exactly_one_claim(
    postgres_database: Database,
) -> None:
    store = IdempotencyStore(postgres_database, table, lease_seconds=LEASE)

    outcomes = await asyncio.gather(
        *(store.claim(SCOPE, "k-1", PRINT) for _ in range(20)), return_exceptions=True
    )

    assert sum(isinstance(outcome, Claim) for outcome in outcomes) == 1
    assert sum(isinstance(outcome, IdempotencyRequestInFlight) for outcome in outcomes) == 19


async def test_concurrent_takeovers_of_a_dead_claim_yield_exactly_one_claim(
    postgres_database: Database,
) -> None:
    clock = ManualClock()
    store = IdempotencyStore(postgres_database, table, lease_seconds=LEASE, clock=clock)
    await _claimed(store)
    clock.advance(LEASE + 1)

    outcomes = await asyncio.gather(
        *(store.claim(SCOPE, "k-1", PRINT) for _ in range(10)), return_exceptions=True
    )

    assert sum(isinstance(outcome, Claim) for outcome in outcomes) == 1
    assert sum(isinstance(outcome, IdempotencyRequestInFlight) for outcome in outcomes) == 9

"""SqlAlchemyRuleSetStore on PostgreSQL and SQLite: versions, one ACTIVE and one SHADOW."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from building_blocks.persistence import Database
from compliance.adapters.persistence import tables
from compliance.adapters.persistence.cached_rule_sets import CachedRuleSets
from compliance.adapters.persistence.rule_set_store import SqlAlchemyRuleSetStore
from compliance.domain.monitoring.rules import (
    AmountThreshold,
    CountryRisk,
    ListAction,
    ListMatch,
    NewBeneficiary,
    RuleSet,
    RuleSetMode,
    SanctionsScreening,
    Velocity,
    VelocityScope,
)
from shared_kernel.domain.errors import InvalidInput, NotFound

pytestmark = pytest.mark.integration

NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
ACTIVE, SHADOW = RuleSetMode.ACTIVE, RuleSetMode.SHADOW
EVERY_KIND = (
    AmountThreshold("large", review_above_minor=10_000_00, reject_above_minor=50_000_00),
    Velocity(
        "burst", VelocityScope.BENEFICIARY, 3600, max_count=5, max_sum_minor=9_00, reject=True
    ),
    NewBeneficiary("new", above_minor=500_00, score=15),
    CountryRisk("countries", high_risk=frozenset({"NG", "PA"}), sanctioned=frozenset({"KP"})),
    ListMatch("allow", ListAction.ALLOW, frozenset({"client-7"}), names=frozenset({"acme"})),
    SanctionsScreening("sanctions", review_at=0.9, reject_at=0.99, score=70),
)


@pytest.fixture(params=["postgresql", "sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite:///{tmp_path}/compliance.db"


async def _database(url: str) -> Database:
    database = Database(url, schema="compliance")
    await database.create_schema(tables.metadata)
    return database


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[SqlAlchemyRuleSetStore]:
    database = await _database(database_url)
    yield SqlAlchemyRuleSetStore(database)
    await database.dispose()


def rule_set(
    rule_set_id: str = "strict",
    mode: RuleSetMode = ACTIVE,
    *,
    customer_id: str = "cust-1",
    minutes: int = 0,
) -> RuleSet:
    return RuleSet(
        rule_set_id=rule_set_id,
        customer_id=customer_id,
        version=0,
        base_currency="EUR",
        rules=EVERY_KIND,
        created_at=NOW + timedelta(minutes=minutes),
        mode=mode,
    )


def modes(sets: list[RuleSet]) -> list[tuple[str, int, str]]:
    return [(s.rule_set_id, s.version, str(s.mode)) for s in sets]


async def test_versions_of_a_rule_set_are_numbered_from_one_per_rule_set(
    store: SqlAlchemyRuleSetStore,
) -> None:
    first = await store.add_version(rule_set("strict", SHADOW))
    second = await store.add_version(rule_set("strict", SHADOW, minutes=1))
    other = await store.add_version(rule_set("lenient", SHADOW, minutes=2))
    elsewhere = await store.add_version(rule_set("strict", SHADOW, customer_id="cust-2"))

    assert (first.version, second.version, other.version, elsewhere.version) == (1, 2, 1, 1)


async def test_a_stored_version_reads_back_with_every_kind_of_rule(
    store: SqlAlchemyRuleSetStore,
) -> None:
    stored = await store.add_version(rule_set())

    assert await store.active("cust-1") == stored
    assert stored.rules == EVERY_KIND


async def test_a_customer_without_rule_sets_has_neither_active_nor_shadow(
    store: SqlAlchemyRuleSetStore,
) -> None:
    await store.add_version(rule_set(customer_id="cust-2"))

    assert await store.active("cust-1") is None
    assert await store.shadow("cust-1") is None
    assert await store.versions("cust-1") == []


async def test_adding_an_active_version_retires_the_previous_active_one(
    store: SqlAlchemyRuleSetStore,
) -> None:
    await store.add_version(rule_set("strict"))
    newer = await store.add_version(rule_set("lenient", minutes=1))

    assert await store.active("cust-1") == newer
    assert modes(await store.versions("cust-1")) == [
        ("strict", 1, "RETIRED"),
        ("lenient", 1, "ACTIVE"),
    ]


async def test_switching_a_version_to_active_retires_the_active_one_and_keeps_the_shadow(
    store: SqlAlchemyRuleSetStore,
) -> None:
    await store.add_version(rule_set("strict"))
    await store.add_version(rule_set("strict", SHADOW, minutes=1))
    await store.add_version(rule_set("lenient", SHADOW, minutes=2))

    await store.switch("cust-1", "strict", 2, "ACTIVE")

    assert modes(await store.versions("cust-1")) == [
        ("strict", 1, "RETIRED"),
        ("strict", 2, "ACTIVE"),
        ("lenient", 1, "SHADOW"),
    ]
    active, shadow = await store.active("cust-1"), await store.shadow("cust-1")
    assert active is not None
    assert (active.rule_set_id, active.version, active.mode) == ("strict", 2, ACTIVE)
    assert shadow is not None
    assert (shadow.rule_set_id, shadow.version, shadow.mode) == ("lenient", 1, SHADOW)


async def test_switching_a_version_to_shadow_replaces_the_shadow_only(
    store: SqlAlchemyRuleSetStore,
) -> None:
    await store.add_version(rule_set("strict"))
    await store.add_version(rule_set("strict", SHADOW, minutes=1))
    await store.switch("cust-1", "strict", 1, "SHADOW")

    assert modes(await store.versions("cust-1")) == [
        ("strict", 1, "SHADOW"),
        ("strict", 2, "RETIRED"),
    ]
    assert await store.active("cust-1") is None


async def test_a_retired_shadow_stops_being_scored(store: SqlAlchemyRuleSetStore) -> None:
    await store.add_version(rule_set("strict", SHADOW))

    await store.switch("cust-1", "strict", 1, "RETIRED")

    assert await store.shadow("cust-1") is None


async def test_switching_an_unknown_version_is_not_found(store: SqlAlchemyRuleSetStore) -> None:
    await store.add_version(rule_set("strict"))

    with pytest.raises(NotFound) as raised:
        await store.switch("cust-1", "strict", 2, "ACTIVE")

    assert raised.value.code == "RULE_SET_NOT_FOUND"
    with pytest.raises(NotFound):
        await store.switch("cust-2", "strict", 1, "ACTIVE")


async def test_switching_to_an_unknown_mode_is_refused(store: SqlAlchemyRuleSetStore) -> None:
    await store.add_version(rule_set("strict"))

    with pytest.raises(InvalidInput) as raised:
        await store.switch("cust-1", "strict", 1, "PAUSED")

    assert raised.value.code == "INVALID_RULE_SET_MODE"


async def test_concurrent_new_active_versions_leave_one_active_and_distinct_versions(
    postgres_url: str,
) -> None:
    database = await _database(postgres_url)
    store = SqlAlchemyRuleSetStore(database)
    try:
        added = await asyncio.gather(*(store.add_version(rule_set()) for _ in range(8)))

        assert sorted(s.version for s in added) == list(range(1, 9))
        stored = await store.versions("cust-1")
        assert [str(s.mode) for s in stored].count("ACTIVE") == 1
    finally:
        await database.dispose()


class Ticker:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_the_rule_sets_in_force_are_read_in_one_go(store: SqlAlchemyRuleSetStore) -> None:
    active = await store.add_version(rule_set("strict"))
    shadow = await store.add_version(rule_set("candidate", SHADOW))

    assert await store.in_force("cust-1") == (active, shadow)
    assert await store.in_force("cust-2") == (None, None)


async def test_a_switch_through_the_cache_applies_at_once(store: SqlAlchemyRuleSetStore) -> None:
    cached = CachedRuleSets(store, ttl=60, timer=Ticker())
    first = await cached.add_version(rule_set("strict"))
    assert await cached.active("cust-1") == first

    second = await cached.add_version(rule_set("strict", minutes=1))
    assert await cached.active("cust-1") == second
    await cached.switch("cust-1", "strict", 1, ACTIVE)
    assert (await cached.active("cust-1"), await cached.shadow("cust-1")) == (
        dataclasses.replace(first, mode=ACTIVE),
        None,
    )
    assert [v.version for v in await cached.versions("cust-1")] == [1, 2]


async def test_a_change_made_elsewhere_is_seen_once_the_cached_entry_expires(
    store: SqlAlchemyRuleSetStore,
) -> None:
    ticker = Ticker()
    cached = CachedRuleSets(store, ttl=5, timer=ticker)
    assert await cached.active("cust-1") is None

    stored = await store.add_version(rule_set("strict"))  # another replica's admin call

    assert await cached.active("cust-1") is None
    ticker.now = 5.1
    assert await cached.active("cust-1") == stored


async def test_a_refused_switch_still_forgets_the_cached_entry(
    store: SqlAlchemyRuleSetStore,
) -> None:
    cached = CachedRuleSets(store, ttl=60, timer=Ticker())
    assert await cached.active("cust-1") is None
    stored = await store.add_version(rule_set("strict"))

    with pytest.raises(NotFound):
        await cached.switch("cust-1", "strict", 9, ACTIVE)

    assert await cached.active("cust-1") == stored

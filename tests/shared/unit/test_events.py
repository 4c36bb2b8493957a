"""Domain events and the recorder mixin aggregates use to collect them."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from shared_kernel.domain.events import DomainEvent, EventRecorder

pytestmark = pytest.mark.unit


@dataclass(frozen=True, kw_only=True)
class AccountOpened(DomainEvent):
    account_id: str


@dataclass(frozen=True, kw_only=True)
class AccountClosed(DomainEvent):
    account_id: str
    reason: str = "requested"


class Account(EventRecorder):
    def __init__(self, account_id: str) -> None:
        self.account_id = account_id

    def open(self) -> None:
        self.record(AccountOpened(account_id=self.account_id))

    def close(self) -> None:
        self.record(AccountClosed(account_id=self.account_id))


def test_an_event_gets_a_time_ordered_id_and_a_utc_time() -> None:
    before = datetime.now(UTC)
    event = AccountOpened(account_id="acc-1")

    assert uuid.UUID(event.event_id).version == 7
    assert event.occurred_at.tzinfo is UTC
    assert before <= event.occurred_at <= before + timedelta(seconds=5)
    assert event.name == "AccountOpened"


def test_each_event_has_its_own_id() -> None:
    assert AccountOpened(account_id="a").event_id != AccountOpened(account_id="a").event_id


def test_a_stored_event_keeps_its_id_and_time_when_rebuilt() -> None:
    at = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)

    event = AccountOpened(account_id="a", event_id="e-1", occurred_at=at)

    assert (event.event_id, event.occurred_at) == ("e-1", at)


def test_an_event_is_immutable() -> None:
    event = AccountOpened(account_id="a")

    with pytest.raises(dataclasses.FrozenInstanceError):
        event.account_id = "b"  # type: ignore[misc]


def test_an_aggregate_hands_over_its_events_in_order_once() -> None:
    account = Account("acc-1")
    account.open()
    account.close()

    assert [event.name for event in account.pending_events] == ["AccountOpened", "AccountClosed"]
    pulled = account.pull_events()

    assert [type(event) for event in pulled] == [AccountOpened, AccountClosed]
    assert account.pull_events() == []
    assert account.pending_events == ()


def test_an_aggregate_that_never_ran_the_mixin_initialiser_can_record() -> None:
    # ORM-loaded aggregates are built without __init__.
    account = Account.__new__(Account)

    assert account.pull_events() == []
    account.record(AccountOpened(account_id="x"))
    assert len(account.pull_events()) == 1


def test_aggregates_do_not_share_their_events() -> None:
    first, second = Account("a"), Account("b")
    first.open()

    assert second.pull_events() == []
    assert len(first.pull_events()) == 1

"""ReserveCardFunds and SettleCardFunds through fakes: holds, refusals, clearings, webhooks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from accounts_payments.adapters.persistence import tables
from accounts_payments.application.accounts.common import settlement_account_id
from accounts_payments.application.cards.authorizations import CardAuthorization, CardFundsStatus
from accounts_payments.application.cards.reserve import ReserveCardFunds
from accounts_payments.application.cards.settle import SettleCardFunds
from accounts_payments.application.ports.ledger import HoldStatus
from accounts_payments.domain.accounts import AccountStatus
from accounts_payments.entrypoints.consumers.card_funds import (
    CardFundsTransaction,
    card_funds_responder,
    release_handler,
)
from building_blocks.messaging import InMemoryBroker, InMemoryMessageBus, RequestTimedOut
from shared_kernel.contracts import (
    Envelope,
    TransactionBookedV1,
)
from shared_kernel.domain.errors import Conflict, InvalidInput, NotFound
from shared_kernel.domain.money import Money
from tests.accounts_payments.card_fakes import (
    AUTH,
    NOW,
    CardFundsStore,
    FakeCardAuthorizationRepository,
    FakeCardFundsUnitOfWork,
    approved,
    open_funded_account,
    refused,
    release_request,
    reservation_request,
    reserve,
    settle,
)
from tests.accounts_payments.fakes import customer, fixed_clock

pytestmark = pytest.mark.unit


@pytest.fixture
def store() -> CardFundsStore:
    return CardFundsStore(customers={"cust-1": customer(currencies=("EUR", "GBP"))})


@pytest.fixture
async def account_id(store: CardFundsStore) -> str:
    return await open_funded_account(store)


async def available(store: CardFundsStore, account_id: str) -> int:
    return (await store.ledger.balance(account_id)).available_minor


async def total(store: CardFundsStore, account_id: str) -> int:
    return (await store.ledger.balance(account_id)).total_minor


# Reservations


async def test_a_reservation_holds_the_funds_under_the_authorization_id(
    store: CardFundsStore, account_id: str
) -> None:
    answer = await reserve(store)(reservation_request(account_id))

    assert answer == approved()
    assert await available(store, account_id) == 7500
    assert await total(store, account_id) == 10000
    hold = store.ledger.book.hold(AUTH)
    assert (hold.status, hold.amount, hold.debit_account) == (
        HoldStatus.PENDING,
        Money.of(2500, "EUR"),
        account_id,
    )
    assert hold.credit_account == settlement_account_id("cust-1", "EUR")
    assert store.card_authorizations[AUTH].status is CardFundsStatus.RESERVED


async def test_a_reservation_beyond_the_available_balance_is_refused_and_holds_nothing(
    store: CardFundsStore, account_id: str
) -> None:
    answer = await reserve(store)(reservation_request(account_id, amount_minor=10001))

    assert answer == refused("INSUFFICIENT_FUNDS")
    assert await available(store, account_id) == 10000
    assert AUTH not in store.ledger.book.holds
    assert store.card_authorizations[AUTH].status is CardFundsStatus.REFUSED
    assert store.webhooks == []


async def test_a_refusal_is_the_answer_to_every_repeat_even_once_funds_arrive(
    store: CardFundsStore, account_id: str
) -> None:
    await reserve(store)(reservation_request(account_id, amount_minor=10001))
    await reserve(store)(reservation_request(account_id, authorization_id="auth-0", amount_minor=1))

    assert await reserve(store)(reservation_request(account_id, amount_minor=10001)) == refused(
        "INSUFFICIENT_FUNDS"
    )


@pytest.mark.parametrize(
    ("customer_id", "account"),
    [("cust-1", "no-such-account"), ("cust-2", None)],
    ids=["unknown account", "another customer's account"],
)
async def test_an_account_that_is_not_the_customers_is_refused_as_not_found(
    store: CardFundsStore, account_id: str, customer_id: str, account: str | None
) -> None:
    asked = reservation_request(account or account_id, customer_id=customer_id)

    assert await reserve(store)(asked) == refused("ACCOUNT_NOT_FOUND")
    assert store.ledger.book.holds == {}
    assert store.card_authorizations[AUTH].status is CardFundsStatus.REFUSED


@pytest.mark.parametrize("change", ["suspended", "read_only"])
async def test_a_suspended_or_read_only_account_is_refused_as_not_active(
    store: CardFundsStore, account_id: str, change: str
) -> None:
    account = store.accounts[account_id]
    if change == "suspended":
        account.status = AccountStatus.SUSPENDED
    else:
        account.read_only = True

    assert await reserve(store)(reservation_request(account_id)) == refused("ACCOUNT_NOT_ACTIVE")
    assert store.ledger.book.holds == {}


@pytest.mark.parametrize("currency", ["GBP", "ZZZ"])
async def test_a_reservation_in_another_currency_than_the_accounts_is_refused(
    store: CardFundsStore, account_id: str, currency: str
) -> None:
    assert await reserve(store)(reservation_request(account_id, currency=currency)) == refused(
        "CURRENCY_MISMATCH"
    )
    assert store.ledger.book.holds == {}


async def test_asking_again_answers_the_same_and_places_one_hold(
    store: CardFundsStore, account_id: str
) -> None:
    first = await reserve(store)(reservation_request(account_id))
    again = await reserve(store)(reservation_request(account_id, currency="eur"))

    assert first == again == approved()
    assert await available(store, account_id) == 7500
    assert len(store.webhooks_of("SAVE_TRANSACTION")) == 1


async def test_the_same_authorization_id_for_another_amount_is_refused_and_holds_nothing_more(
    store: CardFundsStore, account_id: str
) -> None:
    await reserve(store)(reservation_request(account_id))

    answer = await reserve(store)(reservation_request(account_id, amount_minor=9000))

    assert answer == refused("AUTHORIZATION_MISMATCH")
    assert await available(store, account_id) == 7500
    assert store.card_authorizations[AUTH].amount_minor == 2500


async def test_a_reservation_arriving_after_its_void_is_refused_as_already_released(
    store: CardFundsStore, account_id: str
) -> None:
    await settle(store)(release_request("VOID", account_id=account_id, card_id="card-1"))

    answer = await reserve(store)(reservation_request(account_id))

    assert answer == refused("ALREADY_RELEASED")
    assert store.ledger.book.holds == {}
    assert await available(store, account_id) == 10000
    tombstone = store.card_authorizations[AUTH]
    assert tombstone.status is CardFundsStatus.VOIDED_BEFORE_HOLD
    assert store.webhooks == []


async def test_a_missing_settlement_account_is_opened_on_the_way(
    store: CardFundsStore, account_id: str
) -> None:
    # An account registered before settlement accounts existed: repair, then hold.
    store.ledger.book._accounts.pop(settlement_account_id("cust-1", "EUR"))

    assert await reserve(store)(reservation_request(account_id)) == approved()
    assert (await store.ledger.balance(settlement_account_id("cust-1", "EUR"))).currency == "EUR"


async def test_a_hold_id_taken_by_something_else_is_an_error_not_an_answer(
    store: CardFundsStore, account_id: str
) -> None:
    await store.ledger.reserve(
        AUTH,
        debit_account=account_id,
        credit_account=settlement_account_id("cust-1", "EUR"),
        amount=Money.of(100, "EUR"),
    )

    with pytest.raises(Conflict) as refusal:
        await reserve(store)(reservation_request(account_id))
    assert refusal.value.code == "DUPLICATE_HOLD"
    assert AUTH not in store.card_authorizations


class _LosesTheRace(FakeCardAuthorizationRepository):
    """A concurrent transaction records ``winner`` just before this one inserts."""

    def __init__(self, store: CardFundsStore, winner: CardAuthorization) -> None:
        super().__init__(store.card_authorizations)
        self._store, self._winner = store, winner

    async def add(self, authorization: CardAuthorization) -> bool:
        self._store.card_authorizations[self._winner.authorization_id] = self._winner
        return False


async def test_a_reservation_that_loses_the_race_to_its_void_answers_already_released(
    store: CardFundsStore, account_id: str
) -> None:
    racing = FakeCardFundsUnitOfWork(store)
    racing.card_authorizations = _LosesTheRace(
        store, CardAuthorization.tombstone(release_request("VOID"), NOW)
    )
    units = [racing]

    def unit() -> FakeCardFundsUnitOfWork:
        return units.pop() if units else FakeCardFundsUnitOfWork(store)

    answer = await ReserveCardFunds(unit, fixed_clock(NOW))(reservation_request(account_id))

    assert answer == refused("ALREADY_RELEASED")
    assert store.webhooks == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("card_last4", "4111111111111111"),
        ("card_last4", "42a2"),
        ("amount_minor", 0),
        ("currency", "EURO"),
        ("authorization_id", ""),
        ("merchant_name", "x" * 256),
        ("requested_at", datetime(2030, 1, 1, 12, 0)),  # naive: no offset
    ],
)
async def test_a_malformed_request_is_refused_without_echoing_it_and_records_nothing(
    store: CardFundsStore, account_id: str, field: str, value: object
) -> None:
    with pytest.raises(InvalidInput) as refusal:
        await reserve(store)(reservation_request(account_id, **{field: value}))

    assert refusal.value.code == "INVALID_CARD_FUNDS_REQUEST"
    assert field in str(refusal.value)
    assert "4111111111111111" not in str(refusal.value)
    assert store.card_authorizations == {}
    assert store.ledger.book.holds == {}


# Webhooks of a reservation


async def test_a_reservation_tells_toqio_a_pending_card_reserve_keyed_by_order_id(
    store: CardFundsStore, account_id: str
) -> None:
    await reserve(store)(reservation_request(account_id))

    [(kind, body, ordering_key)] = store.webhooks
    assert (kind, ordering_key) == ("SAVE_TRANSACTION", f"transaction:{AUTH}")
    assert store.dedupe_keys == [f"save-transaction:{AUTH}"]
    assert body["id"] == body["orderId"] == AUTH
    assert (body["type"], body["payType"], body["status"]) == ("OUTBOUND", "CARD", "PENDING")
    assert body["corePaymentType"] == "payment-type-card-reserve"
    assert body["cardTransactionType"] == "Purchase"
    assert (body["total"], body["baseTotal"], body["currency"]) == (25.0, 25.0, "EUR")
    assert body["balance"] == 100.0
    assert (body["merchant"], body["mcc"], body["cardId"]) == ("Coffee Corner", "5814", "card-1")
    assert body["accountId"] == body["sourceAccount"]["id"] == account_id
    assert body["company"] == "cl-1"
    assert body["destinationAccount"] == {"name": "Coffee Corner", "country": "ES"}
    assert body["date"] == "2030-01-01T12:00:00.000Z"
    assert "4242" not in str(body)
    assert store.messages == []


async def test_an_atm_withdrawal_is_told_as_a_withdrawal(
    store: CardFundsStore, account_id: str
) -> None:
    await reserve(store)(reservation_request(account_id, transaction_type="ATM_WITHDRAWAL"))

    [body] = store.webhooks_of("SAVE_TRANSACTION")
    assert body["cardTransactionType"] == "Withdrawal"


# Clearing (POST)


async def test_a_partial_clearing_posts_what_was_cleared_and_releases_the_rest(
    store: CardFundsStore, account_id: str
) -> None:
    await reserve(store)(reservation_request(account_id))

    await settle(store)(release_request("POST", 1800))

    assert await total(store, account_id) == 8200
    assert await available(store, account_id) == 8200
    hold = store.ledger.book.hold(AUTH)
    assert (hold.status, hold.posted_minor) == (HoldStatus.POSTED, 1800)
    record = store.card_authorizations[AUTH]
    assert (record.status, record.posted_minor) == (CardFundsStatus.POSTED, 1800)


async def test_a_clearing_tells_toqio_the_final_transaction_and_the_accepted_reserve(
    store: CardFundsStore, account_id: str
) -> None:
    await reserve(store)(reservation_request(account_id))
    store.webhooks.clear()
    store.dedupe_keys.clear()

    await settle(store)(release_request("POST", 1800))

    [(save_kind, final, save_key), (sync_kind, sync, sync_key)] = store.webhooks
    assert (save_kind, sync_kind) == ("SAVE_TRANSACTION", "SYNC_TRANSACTION_STATUS")
    assert save_key == sync_key == f"transaction:{AUTH}"
    assert store.dedupe_keys == [
        f"save-transaction:{AUTH}:clearing",
        f"sync-transaction-status:{AUTH}:ACCEPTED",
    ]
    assert (final["id"], final["orderId"]) == (f"{AUTH}:clearing", AUTH)
    assert final["corePaymentType"] == "payment-type-card"
    assert (final["status"], final["total"], final["balance"]) == ("ACCEPTED", 18.0, 82.0)
    assert sync == {
        "id": AUTH,
        "status": "ACCEPTED",
        "corePaymentType": "payment-type-card-reserve",
        "cardTransactionType": "Purchase",
        "balance": 82.0,
        "date": "2030-01-01T12:00:00.000Z",
        "baseTotal": 18.0,
    }


async def test_a_clearing_publishes_the_card_transaction_as_booked(
    store: CardFundsStore, account_id: str
) -> None:
    await reserve(store)(reservation_request(account_id))

    await settle(store)(release_request("POST", 1800))

    [booked] = store.messages
    assert isinstance(booked, TransactionBookedV1)
    assert (booked.transaction_id, booked.direction, booked.kind) == (AUTH, "DEBIT", "CARD")
    assert (booked.amount_minor, booked.currency, booked.account_id) == (1800, "EUR", account_id)
    assert (booked.counterparty_name, booked.counterparty_country) == ("Coffee Corner", "ES")
    assert booked.client_id == "cl-1"


async def test_clearing_twice_has_one_effect(store: CardFundsStore, account_id: str) -> None:
    await reserve(store)(reservation_request(account_id))

    await settle(store)(release_request("POST", 2500))
    await settle(store)(release_request("POST", 2500))

    assert await total(store, account_id) == 7500
    assert len(store.ledger.book.journals) == 2  # the top-up and one clearing
    assert len(store.webhooks_of("SAVE_TRANSACTION")) == 2  # the reserve and one final
    assert len(store.messages) == 1


async def test_a_clearing_of_a_closed_account_still_posts_its_hold(
    store: CardFundsStore, account_id: str
) -> None:
    await reserve(store)(reservation_request(account_id))
    store.accounts[account_id].status = AccountStatus.CLOSED

    await settle(store)(release_request("POST", 2500))

    assert await total(store, account_id) == 7500


@pytest.mark.parametrize("amount_minor", [0, 2501])
async def test_a_clearing_of_nothing_or_more_than_held_is_refused_and_changes_nothing(
    store: CardFundsStore, account_id: str, amount_minor: int
) -> None:
    await reserve(store)(reservation_request(account_id))

    with pytest.raises(InvalidInput) as refusal:
        await settle(store)(release_request("POST", amount_minor))

    assert refusal.value.code == "INVALID_AMOUNT"
    assert store.ledger.book.hold(AUTH).status is HoldStatus.PENDING
    assert store.card_authorizations[AUTH].status is CardFundsStatus.RESERVED


async def test_a_clearing_in_another_currency_is_refused(
    store: CardFundsStore, account_id: str
) -> None:
    await reserve(store)(reservation_request(account_id))

    with pytest.raises(InvalidInput, match="holds EUR, not GBP"):
        await settle(store)(release_request("POST", currency="gbp"))
    assert store.ledger.book.hold(AUTH).status is HoldStatus.PENDING


async def test_a_clearing_of_an_unknown_authorization_is_not_found(
    store: CardFundsStore, account_id: str
) -> None:
    with pytest.raises(NotFound) as refusal:
        await settle(store)(release_request("POST"))
    assert refusal.value.code == "CARD_AUTHORIZATION_NOT_FOUND"
    assert store.card_authorizations == {}


@pytest.mark.parametrize("first", ["VOID", "REFUSED"])
async def test_a_clearing_when_nothing_is_held_is_a_conflict(
    store: CardFundsStore, account_id: str, first: str
) -> None:
    if first == "VOID":
        await settle(store)(release_request("VOID"))
    else:
        await reserve(store)(reservation_request(account_id, amount_minor=10001))

    with pytest.raises(Conflict) as refusal:
        await settle(store)(release_request("POST", 1))
    assert refusal.value.code == "CARD_FUNDS_NOT_HELD"
    assert "4242" not in str(refusal.value)


# Reversal (VOID)


async def test_a_void_releases_the_hold_and_tells_toqio_the_reserve_is_cancelled(
    store: CardFundsStore, account_id: str
) -> None:
    await reserve(store)(reservation_request(account_id))
    store.webhooks.clear()

    await settle(store)(release_request("VOID"))

    assert await available(store, account_id) == 10000
    assert store.ledger.book.hold(AUTH).status is HoldStatus.VOIDED
    assert store.card_authorizations[AUTH].status is CardFundsStatus.VOIDED
    [(kind, body, ordering_key)] = store.webhooks
    assert (kind, ordering_key) == ("SYNC_TRANSACTION_STATUS", f"transaction:{AUTH}")
    assert (body["id"], body["status"], body["baseTotal"]) == (AUTH, "CANCELLED", 25.0)
    assert body["corePaymentType"] == "payment-type-card-reserve"
    assert body["cardTransactionType"] == "Purchase"
    assert store.messages == []


async def test_voiding_twice_has_one_effect(store: CardFundsStore, account_id: str) -> None:
    await reserve(store)(reservation_request(account_id))

    await settle(store)(release_request("VOID"))
    await settle(store)(release_request("VOID"))

    assert len(store.webhooks_of("SYNC_TRANSACTION_STATUS")) == 1
    assert await available(store, account_id) == 10000


async def test_a_void_of_a_refused_reservation_changes_nothing(
    store: CardFundsStore, account_id: str
) -> None:
    await reserve(store)(reservation_request(account_id, amount_minor=10001))

    await settle(store)(release_request("VOID"))

    assert store.card_authorizations[AUTH].status is CardFundsStatus.REFUSED
    assert store.webhooks == []


async def test_a_void_after_the_clearing_is_a_conflict_and_changes_nothing(
    store: CardFundsStore, account_id: str
) -> None:
    await reserve(store)(reservation_request(account_id))
    await settle(store)(release_request("POST"))

    with pytest.raises(Conflict):
        await settle(store)(release_request("VOID"))
    assert await total(store, account_id) == 7500
    assert store.card_authorizations[AUTH].status is CardFundsStatus.POSTED


class _RecordedMeanwhile(FakeCardAuthorizationRepository):
    """A reservation commits between this transaction's first read and its tombstone."""

    def __init__(self, store: CardFundsStore) -> None:
        super().__init__(store.card_authorizations)
        self._reads = 0

    async def get(self, authorization_id: str, *, lock: bool = False) -> CardAuthorization | None:
        self._reads += 1
        return None if self._reads == 1 else await super().get(authorization_id)


async def test_a_void_racing_its_reservation_releases_the_hold_it_placed(
    store: CardFundsStore, account_id: str
) -> None:
    await reserve(store)(reservation_request(account_id))
    racing = FakeCardFundsUnitOfWork(store)
    racing.card_authorizations = _RecordedMeanwhile(store)

    await SettleCardFunds(lambda: racing, fixed_clock(NOW))(release_request("VOID"))

    assert store.ledger.book.hold(AUTH).status is HoldStatus.VOIDED
    assert await available(store, account_id) == 10000


@pytest.mark.parametrize(
    "overrides",
    [
        {"hold_id": "another-hold"},
        {"authorization_id": "", "hold_id": ""},
        {"amount_minor": -1},
        {"currency": "EURO"},
    ],
)
async def test_a_malformed_release_is_refused_and_changes_nothing(
    store: CardFundsStore, account_id: str, overrides: dict[str, Any]
) -> None:
    await reserve(store)(reservation_request(account_id))

    with pytest.raises(InvalidInput) as refusal:
        await settle(store)(release_request("VOID", **overrides))

    assert refusal.value.code == "INVALID_CARD_FUNDS_RELEASE"
    assert store.card_authorizations[AUTH].status is CardFundsStatus.RESERVED


# The responder on a bus


@pytest.fixture
async def buses() -> Callable[[str], InMemoryMessageBus]:
    broker = InMemoryBroker()

    def bus(service: str) -> InMemoryMessageBus:
        return InMemoryMessageBus(broker, service)

    return bus


async def test_the_responder_answers_a_reservation_asked_over_the_bus(
    store: CardFundsStore, account_id: str, buses: Callable[[str], InMemoryMessageBus]
) -> None:
    server, cards = buses("accounts_payments"), buses("cards")
    await server.start()
    await cards.start()
    await server.serve(card_funds_responder(reserve(store)))
    try:
        reply = await cards.request(
            "accounts_payments", Envelope.wrap(reservation_request(account_id)), timeout=1.0
        )
        assert reply.payload == approved()

        with pytest.raises(RequestTimedOut):
            await cards.request(
                "accounts_payments", Envelope.wrap(approved("not-a-request")), timeout=0.2
            )
    finally:
        await server.close()
        await cards.close()


async def test_the_release_handler_acknowledges_other_messages_without_a_transaction(
    store: CardFundsStore,
) -> None:
    def no_transaction() -> CardFundsTransaction:
        raise AssertionError("no transaction may be opened for another message type")

    handle = release_handler(no_transaction, tables.messaging, settle(store))

    await handle(Envelope.wrap(approved()))

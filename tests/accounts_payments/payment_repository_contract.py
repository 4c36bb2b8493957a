"""One behavioural suite every ``PaymentRepository`` must pass: the SQL one and the fake.

A test module subclasses ``PaymentRepositoryContract`` and provides a ``storage`` fixture: a
factory of fresh units of work on one store, and a reader of the payments' recorded history.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import TracebackType
from typing import Protocol, Self

import pytest

from accounts_payments.adapters.persistence.transactions import ConcurrentUpdate
from accounts_payments.application.payments.ports import PaymentRepository
from accounts_payments.domain.payments.lifecycle import PaymentState
from accounts_payments.domain.payments.payment import (
    Counterparty,
    CounterpartyKind,
    FxTerms,
    Payment,
    PaymentTransition,
)
from accounts_payments.domain.payments.reasons import ReasonCode
from accounts_payments.domain.payments.schemes import PaymentScheme
from shared_kernel.domain.money import Money

T0 = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
CLOSED = ReasonCode.of("AC04")


class PaymentsUnit(Protocol):
    """The part of ``PaymentsWork`` the suite uses (read-only, so concrete units match)."""

    @property
    def payments(self) -> PaymentRepository: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...


@dataclass(frozen=True)
class PaymentStorage:
    """Fresh units of work on one store, and how to read a payment's stored history."""

    units: Callable[[], PaymentsUnit]
    history: Callable[[str], Awaitable[list[PaymentTransition]]]

    async def add(self, *payments: Payment) -> list[bool]:
        """Add the payments in one unit of work and commit it."""
        async with self.units() as uow:
            added = [await uow.payments.add(p) for p in payments]
            await uow.commit()
        return added

    async def get(self, customer_id: str, payment_id: str) -> Payment | None:
        async with self.units() as uow:
            return await uow.payments.get(customer_id, payment_id)


def payment(
    payment_id: str = "pay-1",
    *,
    customer_id: str = "cust-1",
    key: str | None = None,
    at: datetime = T0,
) -> Payment:
    """A same-currency payment to one of the client's own accounts, reserved ``at``."""
    made = Payment(
        payment_id=payment_id,
        customer_id=customer_id,
        client_id="cl-1",
        source_account_id="acc-1",
        counterparty=Counterparty(
            kind=CounterpartyKind.OWN_ACCOUNT,
            reference_id="acc-2",
            name="Acme Ltd",
            currency="EUR",
            country="ES",
            iban="ES9121000418450200051332",
            account_id="acc-2",
        ),
        scheme=PaymentScheme.INTERNAL_TRANSFER,
        amount=Money.of(1050, "EUR"),
        credited=Money.of(1050, "EUR"),
        created_at=at,
        idempotency_key=key,
    )
    made.reserve(at=at)
    return made


def fx_payment(payment_id: str = "pay-fx", *, rate: str = "1.1") -> Payment:
    """A EUR to USD payment that the bank took and then rejected, every optional field set."""
    made = Payment(
        payment_id=payment_id,
        customer_id="cust-1",
        client_id="cl-1",
        source_account_id="acc-1",
        counterparty=Counterparty(
            kind=CounterpartyKind.BENEFICIARY,
            reference_id="ben-1",
            name="Globex Inc",
            currency="USD",
            country="US",
            iban="DE89370400440532013000",
            bic="CHASUS33XXX",
            uk_sort_code="123456",
            uk_account_number="12345678",
            account_number="000123456789",
        ),
        scheme=PaymentScheme.SWIFT,
        amount=Money.of(10000, "EUR"),
        credited=Money.of(11000, "USD"),
        created_at=T0,
        fx=FxTerms(Decimal(rate), "SENDER"),
        concept="Invoice 42",
        reference="INV-42",
        purpose_code="SUPP",
        user_id="user-1",
        company_id="company-1",
        payer={"name": "Acme Ltd", "iban": "ES9121000418450200051332"},
        idempotency_key="key-fx",
    )
    made.reserve(at=T0)
    made.submitted("prov-1", at=T0 + MINUTE)
    made.move_to(PaymentState.REJECTED, at=T0 + 2 * MINUTE, reason=CLOSED)
    return made


def fields_of(payment: Payment) -> dict[str, object]:
    """What a stored payment must give back (``Payment`` compares by identity)."""
    return {
        f.name: getattr(payment, f.name)
        for f in dataclasses.fields(payment)
        if f.name != "_new_transitions"
    }


class PaymentRepositoryContract:
    """What the payment use cases rely on from any payment repository."""

    async def test_an_added_payment_reads_back_as_it_was(self, storage: PaymentStorage) -> None:
        made = [fx_payment(), payment()]

        assert await storage.add(*made) == [True, True]

        for original in made:
            async with storage.units() as uow:
                loaded = await uow.payments.get("cust-1", original.payment_id)
                found = await uow.payments.find(original.payment_id, lock=True)
            assert loaded is not None
            assert found is not None
            assert fields_of(loaded) == fields_of(found) == fields_of(original)
            assert loaded.pull_transitions() == []
            assert loaded.created_at.utcoffset() == timedelta(0)
            assert loaded.updated_at is not None
            assert loaded.updated_at.utcoffset() == timedelta(0)
        loaded_fx = await storage.get("cust-1", "pay-fx")
        assert loaded_fx is not None
        assert loaded_fx.fx is not None
        assert str(loaded_fx.fx.rate) == "1.1"

    async def test_the_moves_of_an_added_payment_are_its_history(
        self, storage: PaymentStorage
    ) -> None:
        await storage.add(fx_payment(), payment())

        created, reserved = PaymentState.CREATED, PaymentState.RESERVED
        submitted, rejected = PaymentState.SUBMITTED, PaymentState.REJECTED
        assert await storage.history("pay-fx") == [
            PaymentTransition(1, created, reserved, T0),
            PaymentTransition(2, reserved, submitted, T0 + MINUTE),
            PaymentTransition(3, submitted, rejected, T0 + 2 * MINUTE, CLOSED),
        ]
        assert await storage.history("pay-1") == [PaymentTransition(1, created, reserved, T0)]

    async def test_a_taken_payment_id_is_refused_and_the_unit_of_work_goes_on(
        self, storage: PaymentStorage
    ) -> None:
        await storage.add(payment("pay-1", key="first"))

        async with storage.units() as uow:
            again = await uow.payments.add(payment("pay-1", key="second"))
            other = await uow.payments.add(payment("pay-2"))
            twice = await uow.payments.add(payment("pay-2"))
            await uow.commit()

        assert (again, other, twice) == (False, True, False)
        kept = await storage.get("cust-1", "pay-1")
        assert kept is not None
        assert kept.idempotency_key == "first"
        assert await storage.get("cust-1", "pay-2") is not None
        assert len(await storage.history("pay-1")) == len(await storage.history("pay-2")) == 1

    async def test_an_idempotency_key_is_taken_once_per_customer(
        self, storage: PaymentStorage
    ) -> None:
        added = await storage.add(
            payment("pay-1", key="k"),
            payment("pay-2", key="k"),
            payment("pay-3", customer_id="cust-2", key="k"),
        )

        assert added == [True, False, True]
        assert await storage.get("cust-1", "pay-2") is None

    async def test_payments_without_an_idempotency_key_never_collide(
        self, storage: PaymentStorage
    ) -> None:
        assert await storage.add(payment("pay-1"), payment("pay-2")) == [True, True]

    async def test_a_payment_is_found_by_its_customers_idempotency_key(
        self, storage: PaymentStorage
    ) -> None:
        await storage.add(payment("pay-1", key="k"), payment("pay-2", key="other"))

        async with storage.units() as uow:
            found = await uow.payments.find_by_idempotency_key("cust-1", "k")
            elsewhere = await uow.payments.find_by_idempotency_key("cust-2", "k")
            unknown = await uow.payments.find_by_idempotency_key("cust-1", "nope")

        assert found is not None
        assert found.payment_id == "pay-1"
        assert elsewhere is unknown is None

    async def test_saving_writes_the_lifecycle_back_and_appends_its_moves(
        self, storage: PaymentStorage
    ) -> None:
        await storage.add(payment("pay-1"))

        async with storage.units() as uow:
            locked = await uow.payments.get("cust-1", "pay-1", lock=True)
            assert locked is not None
            locked.submitted("prov-9", at=T0 + MINUTE)
            locked.move_to(PaymentState.REJECTED, at=T0 + 2 * MINUTE, reason=CLOSED)
            await uow.payments.save(locked)
            await uow.commit()

        saved = await storage.get("cust-1", "pay-1")
        assert saved is not None
        assert (saved.state, saved.provider_payment_id, saved.reason) == (
            PaymentState.REJECTED,
            "prov-9",
            CLOSED,
        )
        assert (saved.transitions_recorded, saved.updated_at) == (3, T0 + 2 * MINUTE)
        history = await storage.history("pay-1")
        assert [(m.sequence, m.state, m.reason) for m in history] == [
            (1, PaymentState.RESERVED, None),
            (2, PaymentState.SUBMITTED, None),
            (3, PaymentState.REJECTED, CLOSED),
        ]

    async def test_saving_a_copy_read_before_another_save_is_refused(
        self, storage: PaymentStorage
    ) -> None:
        await storage.add(payment("pay-1"))

        async with storage.units() as uow:
            first = await uow.payments.get("cust-1", "pay-1")
            stale = await uow.payments.get("cust-1", "pay-1")
            assert first is not None
            assert stale is not None
            first.submitted("prov-1", at=T0 + MINUTE)
            await uow.payments.save(first)
            stale.move_to(PaymentState.CANCELLED, at=T0 + 2 * MINUTE)
            with pytest.raises(ConcurrentUpdate):
                await uow.payments.save(stale)

    async def test_nothing_is_stored_until_the_unit_of_work_commits(
        self, storage: PaymentStorage
    ) -> None:
        async with storage.units() as uow:
            assert await uow.payments.add(payment("pay-1"))

        assert await storage.get("cust-1", "pay-1") is None
        assert await storage.history("pay-1") == []
        assert await storage.add(payment("pay-1")) == [True]

    async def test_payments_reserved_long_enough_await_submission_oldest_first(
        self, storage: PaymentStorage
    ) -> None:
        submitted = payment("submitted", at=T0)
        submitted.submitted("prov-1", at=T0)
        await storage.add(
            payment("third", at=T0 + 3 * MINUTE),
            payment("first", at=T0 + MINUTE),
            submitted,
            payment("second", at=T0 + 2 * MINUTE, customer_id="cust-2"),
            payment("recent", at=T0 + 5 * MINUTE),
        )

        async with storage.units() as uow:
            waiting = await uow.payments.awaiting_submission(T0 + 5 * MINUTE, 10)
            first_two = await uow.payments.awaiting_submission(T0 + 5 * MINUTE, 2)
            none_yet = await uow.payments.awaiting_submission(T0 + MINUTE, 10)

        assert [p.payment_id for p in waiting] == ["first", "second", "third"]
        assert [p.payment_id for p in first_two] == ["first", "second"]
        assert none_yet == []

    async def test_a_payment_is_the_customers_own(self, storage: PaymentStorage) -> None:
        await storage.add(payment("pay-1"))

        async with storage.units() as uow:
            elsewhere = await uow.payments.get("cust-2", "pay-1")
            found = await uow.payments.find("pay-1")

        assert elsewhere is None
        assert found is not None
        assert found.customer_id == "cust-1"

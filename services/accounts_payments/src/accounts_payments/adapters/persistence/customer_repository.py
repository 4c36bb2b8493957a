"""Customers and their products on SQLAlchemy, with every secret encrypted by a SecretCipher."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from accounts_payments.adapters.persistence.customer_tables import customer_products, customers
from accounts_payments.application.ports.customers import CustomerView, SecretCipher
from accounts_payments.domain.customers import Customer, PaymentProvider, SecretText
from accounts_payments.domain.products import CustomerProduct, Label
from building_blocks.persistence import SqlAlchemyUnitOfWork


def associated_data(customer_id: str, column: str) -> bytes:
    """What a secret's ciphertext is bound to: this table, this customer, this column."""
    return json.dumps(["customers", customer_id, column]).encode()


def _label(value: Mapping[str, Any] | None) -> Label | None:
    return None if value is None else Label(**{k: v for k, v in value.items() if v is not None})


class SqlAlchemyCustomerRepository:
    """``CustomerRepository`` and ``CustomerDirectory`` in the caller's session."""

    def __init__(self, session: AsyncSession, cipher: SecretCipher) -> None:
        self._session = session
        self._cipher = cipher

    def _seal(self, customer_id: str, column: str, secret: SecretText | None) -> bytes | None:
        if secret is None:
            return None
        return self._cipher.encrypt(secret.reveal().encode(), associated_data(customer_id, column))

    def _open(self, customer_id: str, column: str, sealed: bytes | None) -> SecretText | None:
        if sealed is None:
            return None
        clear = self._cipher.decrypt(bytes(sealed), associated_data(customer_id, column))
        return SecretText(clear.decode())

    def _insert(self, table: sa.Table) -> Any:
        # Upserts so that two concurrent registrations of one id cannot both insert.
        dialect = self._session.get_bind().dialect.name
        return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)

    async def find(self, customer_id: str) -> CustomerView | None:
        """The customer without its secrets (nothing is decrypted)."""
        query = sa.select(
            customers.c.customer_id,
            customers.c.commercial_name,
            customers.c.provider,
            customers.c.available_currencies,
        ).where(customers.c.customer_id == customer_id)
        row = (await self._session.execute(query)).one_or_none()
        if row is None:
            return None
        return CustomerView(
            customer_id=row.customer_id,
            commercial_name=row.commercial_name,
            provider=row.provider,
            available_currencies=tuple(row.available_currencies),
        )

    async def get(self, customer_id: str) -> Customer | None:
        """The customer with its secrets decrypted."""
        query = sa.select(customers).where(customers.c.customer_id == customer_id)
        row = (await self._session.execute(query)).one_or_none()
        if row is None:
            return None
        payment = None
        if any(
            value is not None
            for value in (
                row.payment_provider_type,
                row.payment_provider_customer_id,
                row.payment_provider_login_id,
                row.payment_key_encrypted,
                row.hmac_key_encrypted,
            )
        ):
            payment = PaymentProvider(
                customer_id=row.payment_provider_customer_id,
                payment_provider_type=row.payment_provider_type,
                login_id=row.payment_provider_login_id,
                key=self._open(customer_id, "payment_key_encrypted", row.payment_key_encrypted),
                hmac_key=self._open(customer_id, "hmac_key_encrypted", row.hmac_key_encrypted),
            )
        api_key = self._open(customer_id, "api_key_encrypted", row.api_key_encrypted)
        assert api_key is not None  # the column is NOT NULL
        return Customer(
            customer_id=row.customer_id,
            api_key=api_key,
            commercial_name=row.commercial_name,
            provider=row.provider,
            provider_config_id=row.provider_config_id,
            payment_provider=payment,
            available_currencies=tuple(row.available_currencies),
            registered_at=row.registered_at,
            updated_at=row.updated_at,
        )

    async def save(self, customer: Customer) -> None:
        """Insert, or replace everything but ``registered_at`` of the stored record."""
        cid, payment = customer.customer_id, customer.payment_provider or PaymentProvider()
        now = datetime.now(UTC)
        values: dict[str, Any] = {
            "customer_id": cid,
            "commercial_name": customer.commercial_name,
            "provider": customer.provider,
            "provider_config_id": customer.provider_config_id,
            "payment_provider_type": payment.payment_provider_type,
            "payment_provider_customer_id": payment.customer_id,
            "payment_provider_login_id": payment.login_id,
            "available_currencies": list(customer.available_currencies),
            "api_key_encrypted": self._seal(cid, "api_key_encrypted", customer.api_key),
            "payment_key_encrypted": self._seal(cid, "payment_key_encrypted", payment.key),
            "hmac_key_encrypted": self._seal(cid, "hmac_key_encrypted", payment.hmac_key),
            "registered_at": customer.registered_at or now,
            "updated_at": customer.updated_at or now,
        }
        statement = self._insert(customers).values(values)
        replaced = {k: statement.excluded[k] for k in values if k != "registered_at"}
        await self._session.execute(
            statement.on_conflict_do_update(index_elements=["customer_id"], set_=replaced)
        )

    async def upsert_products(self, customer_id: str, products: Sequence[CustomerProduct]) -> None:
        """Create or overwrite each product of ``customer_id`` by product id (undeleting it)."""
        if not products:
            return
        now = datetime.now(UTC)
        rows = [
            {
                "customer_id": customer_id,
                "product_id": p.product_id,
                "partner_product": p.partner_product,
                "banking_provider": p.banking_provider,
                "name": asdict(p.name),
                "description": asdict(p.description) if p.description else None,
                "ledger_type_id": p.ledger_type_id,
                "visible": p.visible,
                "is_core": p.is_core,
                "product_image_url": p.product_image_url,
                "marketplace_key": p.marketplace_key,
                "deleted": False,
                "updated_at": now,
            }
            for p in products
        ]
        statement = self._insert(customer_products).values(rows)
        keys = ("customer_id", "product_id")
        replaced = {k: statement.excluded[k] for k in rows[0] if k not in keys}
        await self._session.execute(
            statement.on_conflict_do_update(index_elements=list(keys), set_=replaced)
        )

    async def delete_products(self, customer_id: str, product_ids: Sequence[str]) -> None:
        """Soft-delete those products of ``customer_id``; unknown ids change nothing."""
        if not product_ids:
            return
        await self._session.execute(
            sa.update(customer_products)
            .where(
                customer_products.c.customer_id == customer_id,
                customer_products.c.product_id.in_(list(product_ids)),
                customer_products.c.deleted.is_(False),
            )
            .values(deleted=True, updated_at=datetime.now(UTC))
        )

    async def products(
        self, customer_id: str, *, include_deleted: bool = False
    ) -> list[CustomerProduct]:
        """The products of ``customer_id`` by product id."""
        query = (
            sa.select(customer_products)
            .where(customer_products.c.customer_id == customer_id)
            .order_by(customer_products.c.product_id)
        )
        if not include_deleted:
            query = query.where(customer_products.c.deleted.is_(False))
        rows = (await self._session.execute(query)).all()
        return [
            CustomerProduct(
                product_id=row.product_id,
                customer_id=row.customer_id,
                partner_product=row.partner_product,
                banking_provider=row.banking_provider,
                name=_label(row.name) or Label(),
                description=_label(row.description),
                ledger_type_id=row.ledger_type_id,
                visible=row.visible,
                is_core=row.is_core,
                product_image_url=row.product_image_url,
                marketplace_key=row.marketplace_key,
                deleted=row.deleted,
            )
            for row in rows
        ]


class SqlAlchemyCustomersUnitOfWork(SqlAlchemyUnitOfWork):
    """A unit of work whose ``customer_repository`` shares its transaction."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], cipher: SecretCipher) -> None:
        super().__init__(sessions)
        self._cipher = cipher

    @property
    def customer_repository(self) -> SqlAlchemyCustomerRepository:
        return SqlAlchemyCustomerRepository(self.session, self._cipher)


def customers_unit_of_work_factory(
    sessions: async_sessionmaker[AsyncSession], cipher: SecretCipher
) -> Callable[[], SqlAlchemyCustomersUnitOfWork]:
    """What the HTTP layer's ``customers_uow_factory`` dependency should be."""
    return lambda: SqlAlchemyCustomersUnitOfWork(sessions, cipher)

"""RegisterCustomer: ``POST /customers`` creates a tenant, or replaces it when the id exists."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from accounts_payments.application.ports.customers import CustomersUnitOfWorkFactory
from accounts_payments.domain.customers import Customer, PaymentProvider, SecretText


@dataclass(frozen=True, slots=True)
class PaymentProviderDetails:
    """The deprecated ``paymentProvider`` block as Toqio sends it, secrets in clear."""

    customer_id: str | None = None
    payment_provider_type: str | None = None
    login_id: str | None = None
    key: str | None = None
    hmac_key: str | None = None

    def to_domain(self) -> PaymentProvider:
        return PaymentProvider(
            customer_id=self.customer_id,
            payment_provider_type=self.payment_provider_type,
            login_id=self.login_id,
            key=SecretText(self.key) if self.key else None,
            hmac_key=SecretText(self.hmac_key) if self.hmac_key else None,
        )


@dataclass(frozen=True, slots=True)
class CustomerRegistration:
    """What ``SaveCustomerRequest`` carries."""

    customer_id: str
    api_key: str
    commercial_name: str = ""
    provider: str = ""
    provider_config_id: str | None = None
    payment_provider: PaymentProviderDetails | None = None
    available_currencies: Sequence[str] = ()


class RegisterCustomer:
    """Register or re-register a customer; the same request twice leaves one identical record.

    Toqio retries ``POST /customers`` and re-sends it to change a tenant, so an existing id is
    replaced (an upsert) rather than refused: a 409 would strand Toqio's retry.
    """

    def __init__(
        self,
        uow_factory: CustomersUnitOfWorkFactory,
        *,
        default_provider: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._uow_factory = uow_factory
        self._default_provider = default_provider
        self._clock = clock

    async def __call__(self, command: CustomerRegistration) -> Customer:
        """Validate and store the customer; returns it as stored."""
        details = command.payment_provider
        customer = Customer.register(
            customer_id=command.customer_id,
            api_key=command.api_key,
            now=self._clock(),
            commercial_name=command.commercial_name,
            provider=command.provider.strip() or self._default_provider,
            provider_config_id=command.provider_config_id,
            payment_provider=details.to_domain() if details else None,
            available_currencies=command.available_currencies,
        )
        async with self._uow_factory() as uow:
            await uow.customer_repository.save(customer)
            await uow.commit()
        return customer

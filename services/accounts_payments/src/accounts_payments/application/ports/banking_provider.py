"""The banking provider (the bank or BaaS that really holds the money), as a port.

The sandbox bank is the default adapter; a real bank is one more adapter of this Protocol
(see docs/porting-a-bank.md). Provider failures are raised as ``ProviderError`` subclasses,
which the HTTP layer turns into Toqio's error envelope with a user-facing message.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, runtime_checkable

from shared_kernel.domain.errors import DomainError


class ProviderAccountStatus(StrEnum):
    """Account states as providers report them (mapped to Toqio's statuses by the use cases)."""

    PENDING = "PENDING"
    ACTIVE = "ACTIVE"
    BLOCKED = "BLOCKED"
    CLOSED = "CLOSED"


@dataclass(frozen=True, slots=True)
class ProviderCapabilities:
    """What the configured provider can really do; ``GET …/capability`` reports these."""

    multi_currency: bool
    uk_accounts: bool
    sepa_accounts: bool
    statements: bool
    ownership_certificate: bool
    confirmation_of_payee: bool
    fx: bool
    requires_otp_for_statements: bool


@dataclass(frozen=True, slots=True)
class MerchantProfile:
    """What the provider needs to know about a merchant (Toqio's client) to onboard it."""

    client_id: str
    legal_name: str
    country_code: str
    address: str = ""
    city: str = ""
    postal_code: str = ""


@dataclass(frozen=True, slots=True)
class ProviderAccount:
    """An account as the provider holds it."""

    provider_account_id: str
    provider_merchant_id: str
    currency: str
    country_code: str
    product_code: str
    status: ProviderAccountStatus
    holder_name: str
    iban: str | None = None
    bic: str | None = None
    uk_account_number: str | None = None
    uk_sort_code: str | None = None


class ProviderError(DomainError):
    """A provider failure; ``code`` is the Toqio error code, ``message`` safe for a user."""

    default_code = "PROVIDER_ERROR"


class ProviderUnavailable(ProviderError):
    """The provider did not answer in time or is down; the request may be retried."""

    default_code = "PROVIDER_UNAVAILABLE"


class ProviderRejected(ProviderError):
    """The provider refused the request; retrying the same request will not help."""

    default_code = "PROVIDER_REJECTED"


# runtime_checkable: Litestar validates injected dependencies with isinstance.
@runtime_checkable
class BankingProvider(Protocol):
    """Accounts and merchants at the provider."""

    name: str
    capabilities: ProviderCapabilities

    async def find_merchant(self, customer_id: str, client_id: str) -> str | None:
        """The provider's id of the merchant, or ``None`` if it is not onboarded yet."""
        ...

    async def create_merchant(self, customer_id: str, merchant: MerchantProfile) -> str:
        """Onboard the merchant; returns the provider's merchant id."""
        ...

    async def open_account(
        self,
        customer_id: str,
        provider_merchant_id: str,
        *,
        currency: str,
        country_code: str,
        product_code: str,
        holder_name: str,
    ) -> ProviderAccount:
        """Open an account for the merchant in ``currency`` under the partner product."""
        ...

    async def get_account(self, provider_account_id: str) -> ProviderAccount:
        """The provider's view of an account."""
        ...

    async def set_account_status(
        self, provider_account_id: str, status: ProviderAccountStatus
    ) -> ProviderAccount:
        """Block, unblock or close an account at the provider."""
        ...

    async def ping(self) -> bool:
        """Whether the provider answers (``GET …/connectionStatus``)."""
        ...

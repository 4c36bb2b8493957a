"""Where accounts the provider opened on its own enter the connector: the opened-account port.

A real bank can open an account for a merchant without Toqio asking (a second currency
account, a migration, a product the bank attaches). The bank's notification is turned into a
``ProviderOpenedAccount`` and handed to the ``ProviderAccountOpenedSink``, which registers it
and tells Toqio (``LEDGER_CREATED``) - the same shape as inbound transfers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from accounts_payments.application.ports.banking_provider import ProviderAccount


@dataclass(frozen=True, slots=True)
class ProviderOpenedAccount:
    """An account the provider opened (and holds ACTIVE) for a merchant Toqio already knows.

    ``provider_account_id`` is the provider's own id and unique per provider: a bank may
    notify the same opening more than once, so the sink dedupes on it.
    ``provider_merchant_id`` is the provider's id of the merchant; ``customer_id`` and
    ``client_id`` are Toqio's tenant and client the merchant was onboarded for.
    ``currency`` is an ISO 4217 code, ``country_code`` ISO 3166 alpha-2, ``product_code`` the
    partner product the account belongs to, ``holder_name`` the name on the account.
    """

    provider_account_id: str
    provider_merchant_id: str
    customer_id: str
    client_id: str
    currency: str
    country_code: str
    product_code: str
    holder_name: str
    iban: str | None = None
    bic: str | None = None
    uk_account_number: str | None = None
    uk_sort_code: str | None = None

    @classmethod
    def of(
        cls, account: ProviderAccount, *, customer_id: str, client_id: str
    ) -> ProviderOpenedAccount:
        """The opened account from the provider's view of it and the merchant's Toqio ids."""
        return cls(
            provider_account_id=account.provider_account_id,
            provider_merchant_id=account.provider_merchant_id,
            customer_id=customer_id,
            client_id=client_id,
            currency=account.currency,
            country_code=account.country_code,
            product_code=account.product_code,
            holder_name=account.holder_name,
            iban=account.iban,
            bic=account.bic,
            uk_account_number=account.uk_account_number,
            uk_sort_code=account.uk_sort_code,
        )


class ProviderAccountOpenedSink(Protocol):
    """Registers an account the provider opened on its own (ledger, ``LEDGER_CREATED``, events).

    Implementations create the connector's ACTIVE account for the merchant, open its ledger
    account, queue ``LEDGER_CREATED`` and publish ``AccountOpenedV1`` in one transaction, and
    return the connector's account id. Called again with a ``provider_account_id`` already
    registered, it changes nothing and returns the same id. An unknown customer raises
    ``NotFound`` (``CUSTOMER_NOT_FOUND``); a merchant the connector has not onboarded for that
    client raises ``NotFound`` (``ERROR_CLIENT_NOT_FOUND``).
    """

    async def __call__(self, opened: ProviderOpenedAccount, /) -> str: ...

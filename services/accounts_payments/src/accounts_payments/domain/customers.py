"""The Customer aggregate: a Toqio tenant, its provider configuration and its secrets."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from shared_kernel.domain.currency import Currency
from shared_kernel.domain.errors import FieldProblem, InvalidInput, NotFound

# Ids travel in URL paths and in the JWT's customerID claim: no separators, no whitespace.
_CUSTOMER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}")
_MASK = "****"
# Below this length the last four characters would give away too much of the secret.
_MIN_LENGTH_FOR_HINT = 16


def invalid(field_name: str, message: str, *, code: str = "INVALID_REQUEST") -> InvalidInput:
    """A 400 naming the one field at fault."""
    return InvalidInput(
        message, code=code, problems=(FieldProblem(field_name, "INVALID_VALUE", message),)
    )


def customer_not_found(customer_id: str) -> NotFound:
    """The 404 Toqio expects for a customer that was never registered."""
    return NotFound(
        f"Customer with ID '{customer_id}' does not exist in the system",
        code="CUSTOMER_NOT_FOUND",
    )


def ensure_customer_id(value: str) -> str:
    """Return ``value`` when it is a usable customer id, else raise ``INVALID_REQUEST``."""
    if not isinstance(value, str) or not _CUSTOMER_ID.fullmatch(value):
        raise invalid("id", "id must be 1-128 letters, digits or . _ : @ - characters")
    return value


def currency_codes(values: Iterable[str], *, field_name: str) -> tuple[str, ...]:
    """Upper-case ISO 4217 codes, de-duplicated in order; ``INVALID_CURRENCY`` otherwise."""
    codes: list[str] = []
    for index, value in enumerate(values):
        try:
            code = Currency.of(value).code
        except InvalidInput as error:
            raise InvalidInput(
                error.message,
                code="INVALID_CURRENCY",
                problems=(
                    FieldProblem(f"{field_name}[{index}]", "INVALID_CURRENCY", error.message),
                ),
            ) from None
        if code not in codes:
            codes.append(code)
    return tuple(codes)


@dataclass(frozen=True, slots=True)
class SecretText:
    """A tenant secret held opaquely: never shown by ``repr``/``str``, only ``masked()``."""

    _value: str = field(repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self._value, str) or not self._value:
            raise InvalidInput("a secret must be a non-empty string", code="INVALID_REQUEST")

    def reveal(self) -> str:
        """The clear value, for the one adapter that must use or encrypt it."""
        return self._value

    def masked(self) -> str:
        """``****`` plus the last four characters when the secret is long enough to spare them."""
        if len(self._value) < _MIN_LENGTH_FOR_HINT:
            return _MASK
        return _MASK + self._value[-4:]

    def __str__(self) -> str:
        return _MASK


@dataclass(frozen=True, slots=True)
class PaymentProvider:
    """Toqio's deprecated ``paymentProvider`` block; ``key`` and ``hmac_key`` are secrets."""

    customer_id: str | None = None
    payment_provider_type: str | None = None
    login_id: str | None = None
    key: SecretText | None = None
    hmac_key: SecretText | None = None


@dataclass(frozen=True, slots=True)
class Customer:
    """A Toqio customer (tenant) as registered by ``POST /customers``.

    Re-registering the same id replaces the whole record (Toqio retries the call and also
    re-sends it to change a tenant's configuration); repositories keep the first
    ``registered_at``.
    """

    customer_id: str
    api_key: SecretText
    commercial_name: str = ""
    provider: str = ""
    provider_config_id: str | None = None
    payment_provider: PaymentProvider | None = None
    available_currencies: tuple[str, ...] = ()
    registered_at: datetime | None = None
    updated_at: datetime | None = None

    def __post_init__(self) -> None:
        ensure_customer_id(self.customer_id)
        codes = currency_codes(self.available_currencies, field_name="availableCurrencies")
        object.__setattr__(self, "available_currencies", codes)

    @classmethod
    def register(
        cls,
        *,
        customer_id: str,
        api_key: str,
        now: datetime,
        commercial_name: str = "",
        provider: str = "",
        provider_config_id: str | None = None,
        payment_provider: PaymentProvider | None = None,
        available_currencies: Iterable[str] = (),
    ) -> Customer:
        """A newly registered customer, validated."""
        if not isinstance(api_key, str) or not api_key.strip():
            raise invalid("apiKey", "apiKey must not be empty")
        return cls(
            customer_id=ensure_customer_id(customer_id),
            api_key=SecretText(api_key),
            commercial_name=commercial_name.strip(),
            provider=provider.strip(),
            provider_config_id=provider_config_id,
            payment_provider=payment_provider,
            available_currencies=tuple(available_currencies),
            registered_at=now,
            updated_at=now,
        )

    def offers(self, currency: str) -> bool:
        """Whether the customer allows ``currency``; no list configured means every one."""
        return not self.available_currencies or currency.upper() in self.available_currencies

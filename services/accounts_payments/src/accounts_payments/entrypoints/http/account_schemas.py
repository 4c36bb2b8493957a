"""Request and response bodies of the account endpoints, named and shaped as Toqio's spec."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from building_blocks.web import CamelStruct

NonEmpty = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
AssetType = Literal[
    "aud", "chf", "cad", "sek", "usd", "nok", "jpy", "nzd", "gold", "gbp", "eur", "czk", "dkk",
    "huf", "pln", "ron", "ils", "rub", "bhd", "sar", "bgn", "kes", "sgd", "kwd", "zar", "cny",
    "myr", "hrk", "mxn", "thb", "try", "omr", "ugx", "hkd", "php", "aed", "inr", "qar", "idr",
    "points",
]  # fmt: skip
AccountStatusOut = Literal[
    "CLOSED", "ACTIVE", "PENDING", "HIDE", "QUARANTINE", "FAILED", "SUSPENDED"
]  # fmt: skip
TransactionStatusOut = Literal[
    "FAILED", "PENDING", "ACCEPTED", "CANCELLED", "AUTHORIZED", "POSTED", "DECLINED", "VOIDED",
    "EXPIRED",
]  # fmt: skip


class SignUpRequest(CamelStruct, frozen=True, kw_only=True):
    """The merchant's sign-up details Toqio sends with its first account (all optional here)."""

    id: str | None = None
    name: str | None = None
    cif: str | None = None
    country_code: str | None = None
    client_type: str | None = None


class IssueLedgerBaseRequest(CamelStruct, frozen=True, kw_only=True):
    """``POST …/accounts``: open an account. ``assetType`` is accepted in either case."""

    name: NonEmpty
    client_id: NonEmpty
    address: str
    address2: str = ""
    city: str
    postal_code: str
    asset_type: Annotated[str, msgspec.Meta(min_length=3, max_length=6)]
    partner_product: NonEmpty
    read_only: bool
    country_code: Annotated[str, msgspec.Meta(pattern="^[A-Za-z]{2}$")]
    alias: str
    legislation_country: str | None = None
    sign_up_request: SignUpRequest


class UpdateAccountBaseRequest(CamelStruct, frozen=True, kw_only=True):
    """``PUT …/accounts/{accountId}``: alias, address and (optionally) status."""

    alias: str | None = None
    address: str
    address2: str = ""
    city: str
    postal_code: str
    status: AccountStatusOut | None = None


class HolderAddress(CamelStruct, frozen=True, kw_only=True):
    """``holderAddressObj``."""

    address: str
    address2: str
    city: str
    postal_code: str
    country: str


class AccountBaseResponse(CamelStruct, frozen=True, kw_only=True):
    """An account as Toqio reads it; balances come from the ledger."""

    account_id: str
    uk_account_number: str
    uk_sort_code: str
    iban: str
    bic_swift_for_sepa: str = msgspec.field(name="bicSwiftForSEPA")
    bic_swift_for_swift: str = msgspec.field(name="bicSwiftForSWIFT")
    asset_type: AssetType
    created_at: datetime
    status: AccountStatusOut
    total_balance: float
    available_balance: float
    country_code: str
    holder_name: str
    holder_address: str
    holder_address_obj: HolderAddress
    alias: str
    correspondent_bank: str = ""
    correspondent_bank_address: str = ""
    correspondent_bank_swift: str = msgspec.field(default="", name="correspondentBankSWIFT")
    holder_bank: str
    holder_bank_address: str = ""
    international_enabled: bool = False
    partner_product: str
    account_can_issue_cards: bool


class I18nLabel(CamelStruct, frozen=True, kw_only=True):
    """A label in Toqio's languages."""

    en: str
    es: str
    de: str
    it: str
    pt: str


class DynamicAccountBalanceResponse(CamelStruct, frozen=True, kw_only=True):
    """One balance Toqio displays."""

    title: I18nLabel
    amount: float
    currency: str
    tooltip_information: I18nLabel


class PaymentOptionsResponse(CamelStruct, frozen=True, kw_only=True):
    """How a payment from the account chooses its beneficiary."""

    beneficiary_selection_mode: Literal[
        "ANY_BENEFICIARY_ANY_PROVIDER",
        "MERCHANT_ACCOUNTS_ANY_PROVIDER",
        "MERCHANT_ACCOUNTS_SAME_PROVIDER",
    ]


class DateRange(CamelStruct, frozen=True, kw_only=True):
    """A statement period, ``[start, end)``."""

    start: datetime
    end: datetime


class BankStatementSendData(CamelStruct, frozen=True, kw_only=True):
    """``POST …/bankStatementOtp``; the code comes as ``OTPBaas`` (spec) or ``baasOTP``."""

    user_id: str | None = None
    otp_baas: str | None = msgspec.field(default=None, name="OTPBaas")
    baas_otp: str | None = msgspec.field(default=None, name="baasOTP")
    operation_id: str | None = None
    date_range: DateRange


class StatementTransactionDTOFromBank(CamelStruct, frozen=True, kw_only=True):
    """A statement line: the balance after it, when it was booked, and its number."""

    balance: float
    date: str
    transaction_number: str


class TransactionStatusPair(CamelStruct, frozen=True, kw_only=True):
    """``PairStringToqioTransactionStatus``: the transaction id and its status, twice."""

    key: str
    value: TransactionStatusOut
    left: str
    right: TransactionStatusOut

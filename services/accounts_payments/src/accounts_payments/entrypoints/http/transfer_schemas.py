"""Request and response bodies of save transfer, as Toqio's ``SaveTransferBaseRequest``."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

import msgspec

from accounts_payments.application.payments.announcements import sync_status_body
from accounts_payments.application.payments.views import PaymentView
from building_blocks.web import CamelStruct

Id = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Text = Annotated[str, msgspec.Meta(max_length=1000)]
ShortText = Annotated[str, msgspec.Meta(max_length=255)]
TransactionStatusOut = Literal[
    "FAILED", "PENDING", "ACCEPTED", "CANCELLED", "AUTHORIZED", "POSTED", "DECLINED", "VOIDED",
    "EXPIRED",
]  # fmt: skip


class PayerIn(CamelStruct, frozen=True, kw_only=True):
    """``Payer``: who pays, kept for FX payments to third parties."""

    company_organisation_type: ShortText | None = None
    company_type: ShortText | None = None
    company_name: ShortText | None = None
    company_created_at: ShortText | None = None
    company_number: ShortText | None = None
    first_name: ShortText | None = None
    last_name: ShortText | None = None
    city: ShortText | None = None
    address: ShortText | None = None
    postal_code: ShortText | None = None
    country: ShortText | None = None
    date_of_birth: ShortText | None = None
    identification_type: ShortText | None = None
    identification_value: ShortText | None = None

    def as_mapping(self) -> dict[str, str]:
        """The fields that carry a value, by their wire names."""
        return {
            name: value
            for field_name, name in zip(
                self.__struct_fields__, self.__struct_encode_fields__, strict=True
            )
            if isinstance(value := getattr(self, field_name), str) and value.strip()
        }


class SaveTransferRequest(CamelStruct, frozen=True, kw_only=True):
    """``SaveTransferBaseRequest``; unknown fields are ignored, enums are read leniently.

    ``transactionId`` is not in the spec: when Toqio sends the id it screened the payment
    under, the payment keeps it (unique forever); otherwise the connector assigns one.
    """

    source_account_id: Id
    beneficiary_account_id: Id
    amount: Decimal
    currency: Annotated[str, msgspec.Meta(min_length=1, max_length=8)]
    concept: Text = ""
    user_id: ShortText | None = None
    company_id: ShortText | None = None
    fixed_side: ShortText | None = None
    reference: Text = ""
    bank_payment_scheme: ShortText | None = None
    billing: bool | None = None
    billing_code: ShortText | None = None
    advanced_invoice_id: ShortText | None = None
    purpose_code: Annotated[str, msgspec.Meta(max_length=35)] | None = None
    is_fx_transaction: bool | None = None
    asset_type: ShortText | None = None
    are_own_accounts: bool | None = None
    payer: PayerIn | None = None
    base_amount: Decimal | None = None
    operation_id: ShortText | None = None
    baas_otp: ShortText | None = msgspec.field(default=None, name="baasOTP")
    pay_type: ShortText | None = None
    is_expense: bool | None = None
    transaction_id: Id | None = None


class PaymentProviderDetailsOut(CamelStruct, frozen=True, kw_only=True, omit_defaults=True):
    """``PaymentProviderDetails``: the provider's id of the payment, and the FX rate."""

    payment_id: str | None = None
    internal_reference: str | None = None
    rate: float | None = None


class SyncTransactionResponse(CamelStruct, frozen=True, kw_only=True, omit_defaults=True):
    """``SyncTransactionResponse``: the payment's status after the request."""

    id: str
    status: TransactionStatusOut
    core_payment_type: str
    balance: float
    date: str
    base_total: float
    failure_reason: str | None = None
    payment_provider_details: PaymentProviderDetailsOut | None = None

    @classmethod
    def of(cls, view: PaymentView) -> SyncTransactionResponse:
        """The same fields ``SYNC_TRANSACTION_STATUS`` carries for the payment."""
        return msgspec.convert(
            sync_status_body(view.payment, view.balance, view.at), cls, from_attributes=False
        )

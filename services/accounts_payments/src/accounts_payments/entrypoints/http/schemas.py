"""msgspec request and response bodies of the customer, capability and product endpoints."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

from accounts_payments.application.customers.capabilities import Capability
from accounts_payments.domain.customers import Customer, PaymentProvider
from accounts_payments.domain.products import CustomerProduct, Label, PartnerProduct
from building_blocks.web import CamelStruct

Id = Annotated[str, Meta(min_length=1, max_length=128)]
Text = Annotated[str, Meta(max_length=255)]
SecretIn = Annotated[str, Meta(min_length=1, max_length=4096)]
LabelText = Annotated[str, Meta(max_length=1000)]


class PaymentProviderIn(CamelStruct, frozen=True, kw_only=True):
    """Toqio's deprecated ``PaymentProvider`` block."""

    customer_id: Text | None = None
    payment_provider_type: Text | None = None
    key: SecretIn | None = None
    login_id: Text | None = None
    hmac_key: SecretIn | None = None


class SaveCustomerRequest(CamelStruct, frozen=True, kw_only=True):
    """``POST /customers``; currencies are accepted in either case."""

    id: Id
    api_key: SecretIn
    provider_config_id: Text | None = None
    provider: Annotated[str, Meta(max_length=100)] | None = None
    payment_provider: PaymentProviderIn | None = None
    commercial_name: Text | None = None
    available_currencies: (
        Annotated[list[Annotated[str, Meta(max_length=16)]], Meta(max_length=200)] | None
    ) = None


class PaymentProviderOut(CamelStruct, frozen=True, kw_only=True, omit_defaults=True):
    """The ``PaymentProvider`` block with its keys masked."""

    customer_id: str | None = None
    payment_provider_type: str | None = None
    key: str | None = None
    login_id: str | None = None
    hmac_key: str | None = None

    @classmethod
    def of(cls, payment: PaymentProvider) -> PaymentProviderOut:
        return cls(
            customer_id=payment.customer_id,
            payment_provider_type=payment.payment_provider_type,
            key=payment.key.masked() if payment.key else None,
            login_id=payment.login_id,
            hmac_key=payment.hmac_key.masked() if payment.hmac_key else None,
        )


class CustomerOut(CamelStruct, frozen=True, kw_only=True):
    """``ViewCustomerBaseResponse``: secrets masked, currencies lower-case like asset types."""

    id: str
    api_key: str
    provider: str
    payment_provider: PaymentProviderOut | None
    commercial_name: str
    available_currencies: list[str]

    @classmethod
    def of(cls, customer: Customer) -> CustomerOut:
        payment = customer.payment_provider
        return cls(
            id=customer.customer_id,
            api_key=customer.api_key.masked(),
            provider=customer.provider,
            payment_provider=PaymentProviderOut.of(payment) if payment else None,
            commercial_name=customer.commercial_name,
            available_currencies=asset_types(customer.available_currencies),
        )


class CapabilityOut(CamelStruct, frozen=True, kw_only=True):
    """Toqio's ``Capability``; a few names keep the spec's upper-case acronyms."""

    has_own_otp: bool = msgspec.field(name="hasOwnOTP")
    can_resend_otp: bool = msgspec.field(name="canResendOTP")
    can_retrieve_pan: bool
    allow_six_months_statements: bool
    allow_virtual_cards: bool
    allow_edit_beneficiaries: bool
    has_security_questions: bool
    has_physical_card_verification_number: bool
    has_mea_wallet_config: bool
    has_business_code: bool
    has_to_create_end_user_kyc: bool = msgspec.field(name="hasToCreateEndUserKYC")
    can_cancel_accounts: bool
    can_remove_accounts: bool
    has_account_purposes: bool
    has_expected_volume: bool
    need_account_signature: bool
    can_run_compliance: bool

    @classmethod
    def of(cls, capability: Capability) -> CapabilityOut:
        fields = {name: getattr(capability, name) for name in capability.__dataclass_fields__}
        return cls(**fields)


class I18nLabel(CamelStruct, frozen=True, kw_only=True, omit_defaults=True):
    """Toqio's ``I18nLabel``, in and out."""

    es: LabelText | None = None
    en: LabelText | None = None
    de: LabelText | None = None
    it: LabelText | None = None
    zh: LabelText | None = None
    pt: LabelText | None = None

    @classmethod
    def of(cls, label: Label) -> I18nLabel:
        return cls(es=label.es, en=label.en, de=label.de, it=label.it, zh=label.zh, pt=label.pt)

    def to_domain(self) -> Label:
        return Label(en=self.en, es=self.es, de=self.de, it=self.it, zh=self.zh, pt=self.pt)


class PartnerProductOut(CamelStruct, frozen=True, kw_only=True, omit_defaults=True):
    """``PartnerProductResponse``; ``assetType`` (deprecated) is the first of ``assetTypes``."""

    code: str
    asset_type: str
    asset_types: list[str]
    label: I18nLabel
    holder_bank: str | None = None
    holder_bank_address: str | None = None
    holder_bank_swift: str | None = msgspec.field(default=None, name="holderBankSWIFT")
    correspondent_bank: str | None = None
    correspondent_bank_address: str | None = None
    correspondent_bank_swift: str | None = msgspec.field(
        default=None, name="correspondentBankSWIFT"
    )
    schemes: list[str]

    @classmethod
    def of(cls, product: PartnerProduct) -> PartnerProductOut:
        types = asset_types(product.asset_types)
        return cls(
            code=product.code,
            asset_type=types[0],
            asset_types=types,
            label=I18nLabel.of(product.label),
            holder_bank=product.holder_bank,
            holder_bank_address=product.holder_bank_address,
            holder_bank_swift=product.holder_bank_swift,
            correspondent_bank=product.correspondent_bank,
            correspondent_bank_address=product.correspondent_bank_address,
            correspondent_bank_swift=product.correspondent_bank_swift,
            schemes=list(product.schemes),
        )


class ProductNotificationItem(CamelStruct, frozen=True, kw_only=True):
    """``ProductNotificationItemDTO``."""

    id: Id
    partner_product: Id
    banking_provider: Annotated[str, Meta(min_length=1, max_length=255)]
    name: I18nLabel
    description: I18nLabel | None = None
    customer_id: Id
    ledger_type_id: Annotated[str, Meta(min_length=1, max_length=255)]
    visible: bool
    is_core: bool | None = None
    product_image_url: Annotated[str, Meta(max_length=2048)] | None = None
    marketplace_key: Text | None = None

    def to_domain(self) -> CustomerProduct:
        return CustomerProduct(
            product_id=self.id,
            customer_id=self.customer_id,
            partner_product=self.partner_product,
            banking_provider=self.banking_provider,
            name=self.name.to_domain(),
            description=self.description.to_domain() if self.description else None,
            ledger_type_id=self.ledger_type_id,
            visible=self.visible,
            is_core=self.is_core,
            product_image_url=self.product_image_url,
            marketplace_key=self.marketplace_key,
        )


class ProductChangeNotificationRequest(CamelStruct, frozen=True, kw_only=True):
    """``ProductChangeNotificationRequest``: upserts and deletions, either may be absent."""

    products: Annotated[list[ProductNotificationItem], Meta(max_length=1000)] | None = None
    delete_product_ids: Annotated[list[Id], Meta(max_length=1000)] | None = None


def asset_types(codes: tuple[str, ...]) -> list[str]:
    """ISO codes as the Integration Hub writes asset types: lower case."""
    return [code.lower() for code in codes]

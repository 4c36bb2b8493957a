"""Payment endpoints: the schemes of a prospective payment and FX quotes.

``payment_route_handlers()`` needs these app dependencies (Litestar names):
``get_bank_payment_schemes`` (GetBankPaymentSchemes), ``quote_fx`` (QuoteFx).
"""

from __future__ import annotations

from litestar import Controller, Response, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.types import ControllerRouterHandler

from accounts_payments.application.payments.fx import FixedSide, QuoteFx, QuoteQuery
from accounts_payments.application.payments.schemes import (
    GetBankPaymentSchemes,
    SchemeQuery,
    destination_of,
)
from accounts_payments.entrypoints.http.payment_schemas import (
    BankPaymentSchemeExtended,
    BankPaymentSchemeRequest,
    QuoteCurrencyPairResponse,
    QuoteRequest,
)
from building_blocks.web import Ok, ok


class PaymentController(Controller):
    """``/customers/{customerId}/transactions/bankPaymentSchemes`` and ``…/fx/quote``."""

    path = "/customers/{customerId:str}/transactions"
    tags = ["Transaction"]

    @post("/bankPaymentSchemes", operation_id="getBankPaymentSchemes", status_code=200)
    async def schemes(
        self,
        customerId: FromPath[str],  # noqa: N803
        data: JSONBody[BankPaymentSchemeRequest],
        get_bank_payment_schemes: NamedDependency[GetBankPaymentSchemes],
    ) -> Response[Ok[list[BankPaymentSchemeExtended]]]:
        """The schemes Toqio may use for this payment, cheapest first."""
        beneficiary = data.beneficiary
        schemes = await get_bank_payment_schemes(
            SchemeQuery(
                customer_id=customerId,
                destination=destination_of(
                    beneficiary.asset_type,
                    beneficiary.iban,
                    beneficiary.uk_sort_code,
                    beneficiary.uk_account_number,
                ),
                amount=data.amount,
                beneficiary_account_id=data.beneficiary_account_id or None,
            )
        )
        return ok([BankPaymentSchemeExtended(code=scheme.value) for scheme in schemes])

    @put("/fx/quote", operation_id="getQuoteForCurrencyPair", status_code=200)
    async def quote(
        self,
        customerId: FromPath[str],  # noqa: N803
        data: JSONBody[QuoteRequest],
        quote_fx: NamedDependency[QuoteFx],
    ) -> Response[Ok[QuoteCurrencyPairResponse]]:
        """A sandbox quote; the computed side is rounded in the house's favour."""
        quote = await quote_fx(
            QuoteQuery(
                customer_id=customerId,
                source_currency=data.source_currency,
                beneficiary_currency=data.beneficiary_currency,
                fixed_side=FixedSide(data.fixed_side.upper()),
                amount=data.amount,
            )
        )
        return ok(QuoteCurrencyPairResponse.of(quote))


def payment_route_handlers() -> list[ControllerRouterHandler]:
    """The payment controllers (behind the Toqio JWT guard)."""
    return [PaymentController]

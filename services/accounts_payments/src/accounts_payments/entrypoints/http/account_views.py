"""Turning account use-case results into Toqio's response bodies."""

from __future__ import annotations

from typing import cast

from accounts_payments.application.accounts.common import AccountView, wire_amount
from accounts_payments.application.accounts.queries import DynamicBalance
from accounts_payments.entrypoints.http.account_schemas import (
    AccountBaseResponse,
    AssetType,
    DynamicAccountBalanceResponse,
    HolderAddress,
    I18nLabel,
)

_TITLES = {
    "available": (
        I18nLabel(
            en="Available balance",
            es="Saldo disponible",
            de="Verfügbarer Saldo",
            it="Saldo disponibile",
            pt="Saldo disponível",
        ),
        I18nLabel(
            en="What you can spend now: the balance less pending payments",
            es="Lo que puede gastar ahora: el saldo menos los pagos pendientes",
            de="Was Sie jetzt ausgeben können: Saldo abzüglich ausstehender Zahlungen",
            it="Quanto puoi spendere ora: il saldo meno i pagamenti in sospeso",
            pt="O que pode gastar agora: o saldo menos os pagamentos pendentes",
        ),
    ),
    "total": (
        I18nLabel(
            en="Balance",
            es="Saldo",
            de="Kontostand",
            it="Saldo contabile",
            pt="Saldo contabilístico",
        ),
        I18nLabel(
            en="Everything booked on the account",
            es="Todo lo contabilizado en la cuenta",
            de="Alles, was auf dem Konto gebucht ist",
            it="Tutto ciò che è contabilizzato sul conto",
            pt="Tudo o que está lançado na conta",
        ),
    ),
}


def account_response(view: AccountView, *, holder_bank: str) -> AccountBaseResponse:
    """The ``AccountBaseResponse`` of an account."""
    account, bank = view.account, view.account.bank
    address = account.address
    return AccountBaseResponse(
        account_id=account.account_id,
        uk_account_number=(bank.uk_account_number if bank else None) or "",
        uk_sort_code=(bank.uk_sort_code if bank else None) or "",
        iban=(bank.iban if bank else None) or "",
        bic_swift_for_sepa=(bank.bic if bank else None) or "",
        bic_swift_for_swift=(bank.bic if bank else None) or "",
        asset_type=cast(AssetType, account.currency.lower()),
        created_at=account.created_at,
        status=account.status.value,
        total_balance=wire_amount(view.total),
        available_balance=wire_amount(view.available),
        country_code=account.country_code,
        holder_name=account.holder_name,
        holder_address=", ".join(
            p for p in (address.address, address.address2, address.city, address.postal_code) if p
        ),
        holder_address_obj=HolderAddress(
            address=address.address,
            address2=address.address2,
            city=address.city,
            postal_code=address.postal_code,
            country=account.country_code,
        ),
        alias=account.alias,
        holder_bank=holder_bank,
        partner_product=account.partner_product,
        account_can_issue_cards=not account.read_only,
    )


def dynamic_balance_response(balance: DynamicBalance) -> DynamicAccountBalanceResponse:
    """One labelled balance."""
    title, tooltip = _TITLES[balance.key]
    return DynamicAccountBalanceResponse(
        title=title,
        amount=wire_amount(balance.amount),
        currency=balance.amount.currency.code,
        tooltip_information=tooltip,
    )

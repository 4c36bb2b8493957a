"""Account endpoints: open, list, get, update, close, dynamic balances, payment options."""

from __future__ import annotations

from litestar import Controller, Response, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from accounts_payments.application.accounts.change_account import (
    CloseAccount,
    UpdateAccount,
    UpdateAccountCommand,
)
from accounts_payments.application.accounts.documents import GetOwnershipCertificate
from accounts_payments.application.accounts.open_account import OpenAccount, OpenAccountCommand
from accounts_payments.application.accounts.queries import (
    GetAccount,
    GetDynamicBalances,
    GetPaymentOptions,
    ListAccounts,
)
from accounts_payments.application.ports.banking_provider import BankingProvider
from accounts_payments.domain.accounts import AccountStatus, PostalAddress
from accounts_payments.entrypoints.http.account_schemas import (
    AccountBaseResponse,
    DynamicAccountBalanceResponse,
    IssueLedgerBaseRequest,
    PaymentOptionsResponse,
    UpdateAccountBaseRequest,
)
from accounts_payments.entrypoints.http.account_views import (
    account_response,
    dynamic_balance_response,
)
from building_blocks.web import Ok, ok
from shared_kernel.domain.errors import FieldProblem, InvalidInput

TAGS = ["Account"]


class AccountController(Controller):
    """``/customers/{customerId}/clients/{clientId}/accounts``."""

    path = "/customers/{customerId:str}/clients/{clientId:str}/accounts"
    tags = TAGS

    @post("/", operation_id="createAccount", status_code=200)
    async def create(
        self,
        customerId: FromPath[str],  # noqa: N803
        clientId: FromPath[str],  # noqa: N803
        data: JSONBody[IssueLedgerBaseRequest],
        open_account: NamedDependency[OpenAccount],
        provider: NamedDependency[BankingProvider],
    ) -> Response[Ok[AccountBaseResponse]]:
        """Open an account for the client (onboarding it at the provider first if needed)."""
        if data.client_id != clientId:
            problem = FieldProblem("clientId", "MISMATCH", "clientId must match the path")
            raise InvalidInput(
                "clientId in the body differs from the path", code="INVALID_REQUEST",
                problems=(problem,),
            )  # fmt: skip
        view = await open_account(
            OpenAccountCommand(
                customer_id=customerId,
                client_id=clientId,
                name=data.name,
                asset_type=data.asset_type,
                country_code=data.country_code,
                partner_product=data.partner_product,
                alias=data.alias,
                address=PostalAddress(
                    address=data.address,
                    address2=data.address2,
                    city=data.city,
                    postal_code=data.postal_code,
                    country=data.country_code.upper(),
                ),
                read_only=data.read_only,
                legal_name=data.sign_up_request.name or "",
            )
        )
        return ok(account_response(view, holder_bank=provider.name))

    @get("/", operation_id="getAccounts")
    async def list_accounts(
        self,
        customerId: FromPath[str],  # noqa: N803
        clientId: FromPath[str],  # noqa: N803
        list_accounts: NamedDependency[ListAccounts],
        provider: NamedDependency[BankingProvider],
    ) -> Response[Ok[list[AccountBaseResponse]]]:
        """Every account of the client."""
        views = await list_accounts(customerId, clientId)
        return ok([account_response(v, holder_bank=provider.name) for v in views])

    @get("/{accountId:str}", operation_id="getAccount")
    async def get_account(
        self,
        customerId: FromPath[str],  # noqa: N803
        clientId: FromPath[str],  # noqa: N803
        accountId: FromPath[str],  # noqa: N803
        get_account: NamedDependency[GetAccount],
        provider: NamedDependency[BankingProvider],
    ) -> Response[Ok[AccountBaseResponse]]:
        """One account."""
        view = await get_account(customerId, clientId, accountId)
        return ok(account_response(view, holder_bank=provider.name))

    @put("/{accountId:str}", operation_id="updateAccount")
    async def update(
        self,
        customerId: FromPath[str],  # noqa: N803
        clientId: FromPath[str],  # noqa: N803
        accountId: FromPath[str],  # noqa: N803
        data: JSONBody[UpdateAccountBaseRequest],
        update_account: NamedDependency[UpdateAccount],
        provider: NamedDependency[BankingProvider],
    ) -> Response[Ok[AccountBaseResponse]]:
        """Change alias and address, or the status (which goes to the provider)."""
        view = await update_account(
            UpdateAccountCommand(
                customer_id=customerId,
                client_id=clientId,
                account_id=accountId,
                alias=data.alias,
                address=PostalAddress(
                    address=data.address,
                    address2=data.address2,
                    city=data.city,
                    postal_code=data.postal_code,
                ),
                status=AccountStatus(data.status) if data.status else None,
            )
        )
        return ok(account_response(view, holder_bank=provider.name))

    @delete("/{accountId:str}", operation_id="deleteAccount", status_code=200)
    async def close(
        self,
        customerId: FromPath[str],  # noqa: N803
        clientId: FromPath[str],  # noqa: N803
        accountId: FromPath[str],  # noqa: N803
        close_account: NamedDependency[CloseAccount],
    ) -> Response[Ok[dict[str, str]]]:
        """Close the account."""
        await close_account(customerId, clientId, accountId)
        return ok({})


class AccountDetailsController(Controller):
    """Per-account reads addressed without the client: balances, options, certificate."""

    path = "/customers/{customerId:str}"
    tags = TAGS

    @get("/accounts/{accountId:str}/dynamicBalances", operation_id="getDynamicAccountBalances")
    async def dynamic_balances(
        self,
        customerId: FromPath[str],  # noqa: N803
        accountId: FromPath[str],  # noqa: N803
        get_dynamic_balances: NamedDependency[GetDynamicBalances],
    ) -> Response[Ok[list[DynamicAccountBalanceResponse]]]:
        """Available and total balance, from the ledger."""
        balances = await get_dynamic_balances(customerId, accountId)
        return ok([dynamic_balance_response(b) for b in balances])

    @get("/accounts/{accountId:str}/payment-options", operation_id="getPaymentOptions")
    async def payment_options(
        self,
        customerId: FromPath[str],  # noqa: N803
        accountId: FromPath[str],  # noqa: N803
        get_payment_options: NamedDependency[GetPaymentOptions],
    ) -> Response[Ok[PaymentOptionsResponse]]:
        """The beneficiary selection mode of payments from the account."""
        mode = await get_payment_options(customerId, accountId)
        return ok(PaymentOptionsResponse(beneficiary_selection_mode=mode.value))

    @get(
        "/merchants/{merchantId:str}/accounts/{accountId:str}/certificates/ownership",
        operation_id="getAccountOwnershipCertificate",
    )
    async def ownership_certificate(
        self,
        customerId: FromPath[str],  # noqa: N803
        merchantId: FromPath[str],  # noqa: N803
        accountId: FromPath[str],  # noqa: N803
        get_ownership_certificate: NamedDependency[GetOwnershipCertificate],
    ) -> Response[Ok[str]]:
        """The ownership certificate, a PDF in base64."""
        return ok(await get_ownership_certificate(customerId, merchantId, accountId))

"""Composition root of accounts_payments: the shared core plus this service's own wiring."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from dependency_injector import containers, providers
from litestar.di import Provide

from accounts_payments.adapters.crypto.aes_gcm_cipher import load_secret_cipher
from accounts_payments.adapters.documents.ownership_certificate import (
    FpdfOwnershipCertificateRenderer,
)
from accounts_payments.adapters.fx.sandbox_fx_rates import SandboxFxRates
from accounts_payments.adapters.otp.sandbox_otp_sender import (
    SandboxOtpSender,
    UnavailableOtpSender,
)
from accounts_payments.adapters.persistence import tables
from accounts_payments.adapters.persistence.beneficiary_repository import (
    SqlAlchemyBeneficiariesUnitOfWork,
)
from accounts_payments.adapters.persistence.card_authorization_repository import (
    SqlAlchemyCardFundsUnitOfWork,
)
from accounts_payments.adapters.persistence.customer_repository import (
    SqlAlchemyCustomersUnitOfWork,
)
from accounts_payments.adapters.persistence.payment_repository import (
    SqlAlchemyPaymentsUnitOfWork,
)
from accounts_payments.adapters.persistence.unit_of_work import SqlAlchemyAccountsUnitOfWork
from accounts_payments.adapters.providers.sandbox_bank import SandboxBank
from accounts_payments.adapters.providers.sandbox_settlement import SandboxSettlementWorker
from accounts_payments.application.accounts.book_inbound_transfer import (
    BookInboundTransfer,
    ResolveProviderAccount,
)
from accounts_payments.application.accounts.change_account import CloseAccount, UpdateAccount
from accounts_payments.application.accounts.documents import (
    GetOwnershipCertificate,
    GetStatementFooter,
)
from accounts_payments.application.accounts.open_account import OpenAccount
from accounts_payments.application.accounts.queries import (
    GetAccount,
    GetDynamicBalances,
    GetPaymentOptions,
    ListAccounts,
)
from accounts_payments.application.accounts.register_provider_account import (
    RegisterProviderOpenedAccount,
)
from accounts_payments.application.accounts.statements import GetStatement, ResendOtp
from accounts_payments.application.beneficiaries.filters import GetBeneficiaryFilters
from accounts_payments.application.beneficiaries.manage import (
    CreateBeneficiary,
    DeleteBeneficiary,
    GetBeneficiary,
    UpdateBeneficiary,
)
from accounts_payments.application.beneficiaries.verify import VerifyBeneficiary
from accounts_payments.application.cards.reserve import ReserveCardFunds
from accounts_payments.application.cards.settle import SettleCardFunds
from accounts_payments.application.payments.fx import QuoteFx
from accounts_payments.application.payments.outcomes import ApplyProviderPaymentUpdate
from accounts_payments.application.payments.queries import GetDynamicButton, GetTransactionStatus
from accounts_payments.application.payments.save_transfer import SaveTransfer
from accounts_payments.application.payments.schemes import GetBankPaymentSchemes
from accounts_payments.application.payments.submission import (
    SubmitPayment,
    SubmitReservedPayments,
)
from accounts_payments.config import SERVICE, Settings
from accounts_payments.entrypoints.consumers.card_funds import serve_card_funds
from accounts_payments.entrypoints.http.app import create_http_app, toqio_route_handlers
from accounts_payments.entrypoints.http.sandbox import sandbox_route_handlers
from accounts_payments.entrypoints.http.statements import SandboxOtpController
from building_blocks.auth import ToqioJwtVerifier, toqio_jwt_guard
from building_blocks.auth.dev_jwt_keys import toqio_public_key
from building_blocks.idempotency import IdempotencyStore
from building_blocks.messaging import InMemoryBroker
from building_blocks.runtime import PeriodicWorker, ServiceHost
from building_blocks.runtime.core_container import CoreContainer
from building_blocks.runtime.hosting import build_host, dev_route_handlers

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Container(containers.DeclarativeContainer):
    """Everything accounts_payments is made of, built once per process by its entrypoint."""

    settings = providers.Dependency(instance_of=Settings)
    broker = providers.Dependency(instance_of=InMemoryBroker)

    core = providers.Container(
        CoreContainer,
        service=SERVICE,
        settings=settings,
        metadata=tables.metadata,
        migrations_dir=MIGRATIONS_DIR,
        messaging=tables.messaging,
        webhook_storage=tables.webhooks,
        broker=broker,
    )

    cipher = providers.Singleton(
        lambda s, db: load_secret_cipher(
            s.tenant_secrets_key, embedded_sqlite=db.is_sqlite, data_dir=s.data_dir
        ),
        settings,
        core.database,
    )
    jwt_verifier = providers.Singleton(
        lambda s, db: ToqioJwtVerifier(
            toqio_public_key(
                s.toqio_jwt_public_key, embedded_sqlite=db.is_sqlite, data_dir=s.data_dir
            )
        ),
        settings,
        core.database,
    )
    bank = providers.Singleton(
        SandboxBank,
        core.database,
        settlement_delay=settings.provided.sandbox_settlement_delay_seconds,
    )
    otp_sender = providers.Singleton(
        lambda s: SandboxOtpSender() if s.sandbox_enabled else UnavailableOtpSender(), settings
    )
    certificate_renderer = providers.Singleton(FpdfOwnershipCertificateRenderer)
    clock = providers.Object(_utc_now)

    unit_of_work = providers.Factory(
        SqlAlchemyAccountsUnitOfWork,
        sessions=core.database.provided.sessions,
        outbox=core.outbox,
        webhooks=core.webhook_queue,
        cipher=cipher,
        wake_relay=core.outbox_relay.provided.wake,
        wake_dispatcher=core.webhook_dispatcher.provided.wake,
    )
    customers_unit_of_work = providers.Factory(
        SqlAlchemyCustomersUnitOfWork, sessions=core.database.provided.sessions, cipher=cipher
    )

    open_account = providers.Singleton(OpenAccount, unit_of_work.provider, bank)
    list_accounts = providers.Singleton(ListAccounts, unit_of_work.provider)
    get_account = providers.Singleton(GetAccount, unit_of_work.provider)
    update_account = providers.Singleton(UpdateAccount, unit_of_work.provider, bank)
    close_account = providers.Singleton(CloseAccount, unit_of_work.provider, bank)
    get_dynamic_balances = providers.Singleton(GetDynamicBalances, unit_of_work.provider)
    get_payment_options = providers.Singleton(GetPaymentOptions, unit_of_work.provider)
    get_statement = providers.Singleton(
        GetStatement,
        unit_of_work.provider,
        otp_sender,
        clock,
        otp_required=bank.provided.capabilities.requires_otp_for_statements,
    )
    resend_otp = providers.Singleton(ResendOtp, unit_of_work.provider, otp_sender, clock)
    get_statement_footer = providers.Singleton(GetStatementFooter, unit_of_work.provider, bank)
    get_ownership_certificate = providers.Singleton(
        GetOwnershipCertificate, unit_of_work.provider, bank, certificate_renderer, clock
    )
    book_inbound_transfer = providers.Singleton(BookInboundTransfer, unit_of_work.provider)
    resolve_provider_account = providers.Singleton(ResolveProviderAccount, unit_of_work.provider)
    register_provider_opened_account = providers.Singleton(
        RegisterProviderOpenedAccount, unit_of_work.provider, holder_bank=bank.provided.name
    )

    beneficiaries_unit_of_work = providers.Factory(
        SqlAlchemyBeneficiariesUnitOfWork,
        sessions=core.database.provided.sessions,
        outbox=core.outbox,
        webhooks=core.webhook_queue,
        cipher=cipher,
        wake_relay=core.outbox_relay.provided.wake,
        wake_dispatcher=core.webhook_dispatcher.provided.wake,
    )
    create_beneficiary = providers.Singleton(
        CreateBeneficiary, beneficiaries_unit_of_work.provider, clock
    )
    get_beneficiary = providers.Singleton(GetBeneficiary, beneficiaries_unit_of_work.provider)
    update_beneficiary = providers.Singleton(
        UpdateBeneficiary, beneficiaries_unit_of_work.provider, clock
    )
    delete_beneficiary = providers.Singleton(
        DeleteBeneficiary, beneficiaries_unit_of_work.provider, clock
    )
    get_beneficiary_filters = providers.Singleton(
        GetBeneficiaryFilters,
        beneficiaries_unit_of_work.provider,
        fx_supported=bank.provided.capabilities.fx,
    )
    verify_beneficiary = providers.Singleton(
        VerifyBeneficiary, beneficiaries_unit_of_work.provider, bank
    )

    fx_rates = providers.Singleton(SandboxFxRates)
    get_bank_payment_schemes = providers.Singleton(GetBankPaymentSchemes, unit_of_work.provider)
    quote_fx = providers.Singleton(QuoteFx, unit_of_work.provider, fx_rates)

    payments_unit_of_work = providers.Factory(
        SqlAlchemyPaymentsUnitOfWork,
        sessions=core.database.provided.sessions,
        outbox=core.outbox,
        webhooks=core.webhook_queue,
        cipher=cipher,
        wake_relay=core.outbox_relay.provided.wake,
        wake_dispatcher=core.webhook_dispatcher.provided.wake,
    )
    idempotency_store = providers.Singleton(
        lambda db, s: IdempotencyStore(
            db, tables.idempotency_keys, lease_seconds=s.idempotency_lease_seconds
        ),
        core.database,
        settings,
    )
    submit_payment = providers.Singleton(SubmitPayment, payments_unit_of_work.provider, bank, clock)
    save_transfer = providers.Singleton(
        SaveTransfer, payments_unit_of_work.provider, fx_rates, submit_payment, clock
    )
    apply_provider_payment_update = providers.Singleton(
        ApplyProviderPaymentUpdate, payments_unit_of_work.provider
    )
    submit_reserved_payments = providers.Singleton(
        lambda uow, submit, now, s: SubmitReservedPayments(
            uow, submit, now, grace=timedelta(seconds=s.payment_resubmit_after_seconds)
        ),
        payments_unit_of_work.provider,
        submit_payment,
        clock,
        settings,
    )
    payment_resubmitter = providers.Singleton(
        lambda step, s: PeriodicWorker(
            "payment-resubmitter", step, interval=s.payment_resubmit_interval_seconds
        ),
        submit_reserved_payments,
        settings,
    )
    # The sandbox bank decides and reports its payments in the background, as a bank would.
    sandbox_settlement = providers.Singleton(
        SandboxSettlementWorker, bank.provided.payments, apply_provider_payment_update
    )
    get_transaction_status = providers.Singleton(
        GetTransactionStatus, payments_unit_of_work.provider
    )
    get_dynamic_button = providers.Singleton(GetDynamicButton, payments_unit_of_work.provider)

    # Card authorizations: holds asked by cards over the bus, posted or voided by its events.
    card_funds_unit_of_work = providers.Factory(
        SqlAlchemyCardFundsUnitOfWork,
        sessions=core.database.provided.sessions,
        outbox=core.outbox,
        webhooks=core.webhook_queue,
        cipher=cipher,
        wake_relay=core.outbox_relay.provided.wake,
        wake_dispatcher=core.webhook_dispatcher.provided.wake,
    )
    reserve_card_funds = providers.Singleton(
        ReserveCardFunds, card_funds_unit_of_work.provider, clock
    )
    settle_card_funds = providers.Singleton(
        SettleCardFunds, card_funds_unit_of_work.provider, clock
    )


# Litestar dependency name -> the container provider of what it injects.
_INJECTED = (
    "open_account",
    "list_accounts",
    "get_account",
    "update_account",
    "close_account",
    "get_dynamic_balances",
    "get_payment_options",
    "get_transaction_status",
    "get_statement",
    "resend_otp",
    "get_statement_footer",
    "get_ownership_certificate",
    "create_beneficiary",
    "get_beneficiary",
    "update_beneficiary",
    "delete_beneficiary",
    "get_beneficiary_filters",
    "verify_beneficiary",
    "get_bank_payment_schemes",
    "quote_fx",
    "save_transfer",
    "get_dynamic_button",
    "idempotency_store",
)


def _constant(value: object) -> Provide:
    def provide() -> object:
        return value

    return Provide(provide, use_cache=True, sync_to_thread=False)


def litestar_dependencies(container: Container) -> dict[str, Provide]:
    """The app-wide dependencies: the use cases, the provider and the customers' unit of work."""
    dependencies = {name: _constant(getattr(container, name)()) for name in _INJECTED}
    dependencies["provider"] = _constant(container.bank())
    dependencies["customers_uow_factory"] = _constant(container.customers_unit_of_work)
    dependencies["otp_codes"] = _constant(container.otp_sender())
    return dependencies


def build_service(settings: Settings, *, broker: InMemoryBroker | None = None) -> ServiceHost:
    """Compose accounts_payments; ``broker`` lets the embedded runner share one in-process bus."""
    container = Container(settings=settings, broker=broker or InMemoryBroker())
    core = container.core
    sandbox_handlers = sandbox_route_handlers(
        enabled=settings.sandbox_enabled,
        bank=container.bank(),
        resolve_account=container.resolve_provider_account(),
        sink=container.book_inbound_transfer(),
        account_sink=container.register_provider_opened_account(),
        payment_settlement=container.sandbox_settlement(),
        payment_sink=container.apply_provider_payment_update(),
    )
    if sandbox_handlers:
        sandbox_handlers.append(SandboxOtpController)
    app = create_http_app(
        readiness={"database": core.database().ping, "broker": core.bus().ping},
        dev_handlers=dev_route_handlers(core.webhook_sender()),
        toqio_handlers=toqio_route_handlers(),
        toqio_guards=[toqio_jwt_guard(container.jwt_verifier())],
        sandbox_handlers=sandbox_handlers,
        dependencies=litestar_dependencies(container),
    )

    async def serve_cards() -> None:
        await serve_card_funds(
            core.bus(),
            reserve=container.reserve_card_funds(),
            settle=container.settle_card_funds(),
            # A factory of SQL units; mypy cannot match its attributes to the port's.
            units=cast(Any, container.card_funds_unit_of_work),
            messaging=tables.messaging,
        )

    return build_host(
        cast(Any, core),
        app=app,
        settings=settings,
        startup=[serve_cards],
        workers=[container.payment_resubmitter(), container.sandbox_settlement()],
    )

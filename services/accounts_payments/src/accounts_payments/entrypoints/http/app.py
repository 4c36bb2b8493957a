"""The Litestar application of accounts_payments."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence

from litestar import Litestar, Router
from litestar.di import Provide
from litestar.types import ControllerRouterHandler, Guard

from accounts_payments.config import SERVICE
from accounts_payments.entrypoints.http.accounts import AccountController, AccountDetailsController
from accounts_payments.entrypoints.http.beneficiaries import beneficiary_route_handlers
from accounts_payments.entrypoints.http.customers import customer_route_handlers
from accounts_payments.entrypoints.http.error_statuses import PROVIDER_ERROR_STATUSES
from accounts_payments.entrypoints.http.otp import OtpController
from accounts_payments.entrypoints.http.payments import payment_route_handlers
from accounts_payments.entrypoints.http.statements import (
    StatementController,
    StatementFooterController,
)
from accounts_payments.entrypoints.http.transactions import TransactionStatusController
from accounts_payments.entrypoints.http.transfers import TransferController
from building_blocks.web import EnvelopeStyle, create_app


def toqio_route_handlers() -> list[ControllerRouterHandler]:
    """Every Integration Hub endpoint this service serves (all behind the Toqio JWT)."""
    return [
        *customer_route_handlers(),
        *beneficiary_route_handlers(),
        *payment_route_handlers(),
        AccountController,
        AccountDetailsController,
        StatementController,
        StatementFooterController,
        OtpController,
        TransactionStatusController,
        TransferController,
    ]


def create_http_app(
    *,
    readiness: Mapping[str, Callable[[], Awaitable[bool]]],
    dev_handlers: Sequence[ControllerRouterHandler] = (),
    toqio_handlers: Sequence[ControllerRouterHandler] = (),
    toqio_guards: Sequence[Guard] = (),
    sandbox_handlers: Sequence[ControllerRouterHandler] = (),
    dependencies: Mapping[str, Provide] | None = None,
) -> Litestar:
    """Build the app: Toqio's endpoints behind ``toqio_guards``; dev and sandbox ones open.

    Args:
        readiness: Named checks behind ``/health/ready``.
        dev_handlers: The local webhook recorder's endpoint, when it is in use.
        toqio_handlers: The Integration Hub controllers (see :func:`toqio_route_handlers`).
        toqio_guards: The Toqio JWT guard.
        sandbox_handlers: Sandbox-only endpoints (``SANDBOX_ENABLED``), for testers.
        dependencies: App-wide providers of the use cases the controllers take.
    """
    handlers: list[ControllerRouterHandler] = [*dev_handlers, *sandbox_handlers]
    if toqio_handlers:
        handlers.append(
            Router(path="/", route_handlers=list(toqio_handlers), guards=list(toqio_guards))
        )
    return create_app(
        service=SERVICE,
        route_handlers=handlers,
        readiness=readiness,
        envelope_style=EnvelopeStyle.INTEGRATION_HUB,
        dependencies=dependencies,
        error_statuses=PROVIDER_ERROR_STATUSES,
    )

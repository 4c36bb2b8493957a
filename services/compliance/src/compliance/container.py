"""Composition root of compliance: the shared technical core plus this service's domain wiring."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from dependency_injector import containers, providers
from litestar.di import Provide

from building_blocks.messaging import Binding, InMemoryBroker
from building_blocks.runtime import PeriodicWorker, ServiceHost
from building_blocks.runtime.core_container import CoreContainer
from building_blocks.runtime.hosting import build_host, dev_route_handlers
from compliance.adapters.crypto.api_key_hasher import TqApiKeyHasher
from compliance.adapters.crypto.hmac_token_signer import HmacTokenSigner
from compliance.adapters.crypto.scrypt_password_hasher import ScryptPasswordHasher
from compliance.adapters.monitoring.circuit_breaker import CircuitBreaker
from compliance.adapters.monitoring.http_vendor import HttpMonitoringVendor
from compliance.adapters.monitoring.vendor_schema import parse_outcomes
from compliance.adapters.persistence import tables
from compliance.adapters.persistence.access_repository import (
    SqlAlchemyApiKeyRepository,
    SqlAlchemyReviewerRepository,
)
from compliance.adapters.persistence.activity_store import SqlAlchemyActivity
from compliance.adapters.persistence.cached_api_keys import CachedApiKeyRepository
from compliance.adapters.persistence.cached_rule_sets import CachedRuleSets
from compliance.adapters.persistence.decision_store import SqlAlchemyDecisionStore
from compliance.adapters.persistence.review_repository import SqlAlchemyReviewRepository
from compliance.adapters.persistence.review_unit_of_work import SqlAlchemyReviewUnitOfWork
from compliance.adapters.persistence.rule_set_store import SqlAlchemyRuleSetStore
from compliance.adapters.persistence.sanctions_repository import SqlAlchemySanctionsRepository
from compliance.adapters.rates.static_rates import StaticExchangeRates
from compliance.adapters.sanctions.readers import SANCTIONS_READERS
from compliance.application.access.api_keys import AuthenticateApiKey, CreateApiKey, RevokeApiKey
from compliance.application.access.reviewers import (
    AuthenticateReviewer,
    CreateReviewer,
    IssueReviewerToken,
)
from compliance.application.monitoring.builtin import BuiltInMonitoring
from compliance.application.monitoring.engine import RuleEngine
from compliance.application.monitoring.name_screening import ListScreening
from compliance.application.monitoring.ports import MonitoringProvider
from compliance.application.monitoring.rule_set_admin import ManageRuleSets
from compliance.application.monitoring.validate import ValidateTransaction
from compliance.application.reviews.decide import DecideCase
from compliance.application.reviews.queries import GetCase, ListCases
from compliance.application.sanctions.loading import LoadSanctionsList, SanctionsScreening
from compliance.config import SERVICE, Settings
from compliance.entrypoints.console.router import console_route_handlers, console_template_config
from compliance.entrypoints.consumers.activity import activity_handler
from compliance.entrypoints.http.app import create_http_app
from compliance.entrypoints.http.reviews import review_route_handlers

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
ACTIVITY_QUEUE = "compliance.activity"


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _vendor(settings: Settings, fallback: MonitoringProvider) -> MonitoringProvider:
    if settings.monitoring_provider == "builtin":
        return fallback
    if not settings.monitoring_vendor_url or settings.monitoring_vendor_api_key is None:
        raise ValueError(
            "MONITORING_PROVIDER=http needs MONITORING_VENDOR_URL and MONITORING_VENDOR_API_KEY"
        )
    outcomes = settings.monitoring_vendor_outcomes
    return HttpMonitoringVendor(
        settings.monitoring_vendor_url,
        settings.monitoring_vendor_api_key,
        name=settings.monitoring_vendor_name,
        api_key_header=settings.monitoring_vendor_api_key_header,
        api_key_scheme=settings.monitoring_vendor_api_key_scheme,
        timeout=settings.monitoring_vendor_timeout_seconds,
        outcomes=parse_outcomes(outcomes) if outcomes else None,
        breaker=CircuitBreaker(
            settings.monitoring_vendor_breaker_failures,
            settings.monitoring_vendor_breaker_reset_seconds,
        ),
    )


def _console_csrf_key(settings: Settings) -> bytes | None:
    # Derived from the reviewer token key, so instances that accept the same sessions also
    # accept the same CSRF tokens; the label keeps the two keys distinct.
    if settings.reviewer_token_key is None:
        return None
    secret = settings.reviewer_token_key.reveal().encode()
    return hmac.new(secret, b"compliance.console.csrf", hashlib.sha256).digest()


class Container(containers.DeclarativeContainer):
    """Everything compliance is made of, built once per process by its entrypoint."""

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
    clock = providers.Object(_utc_now)

    # Access: Toqio customers by API key, reviewers by password and token.
    api_key_hasher = providers.Singleton(TqApiKeyHasher)
    password_hasher = providers.Singleton(ScryptPasswordHasher)
    token_signer = providers.Singleton(
        lambda s: HmacTokenSigner.from_secret(
            s.reviewer_token_key.reveal() if s.reviewer_token_key else None,
            ttl=timedelta(seconds=s.reviewer_token_ttl_seconds),
        ),
        settings,
    )
    api_keys = providers.Singleton(
        lambda database, s: CachedApiKeyRepository(
            SqlAlchemyApiKeyRepository(database), ttl=s.api_key_cache_seconds
        ),
        core.database,
        settings,
    )
    reviewers = providers.Singleton(SqlAlchemyReviewerRepository, core.database)
    create_api_key = providers.Singleton(CreateApiKey, api_keys, api_key_hasher, clock)
    revoke_api_key = providers.Singleton(RevokeApiKey, api_keys, clock)
    authenticate_api_key = providers.Singleton(AuthenticateApiKey, api_keys, api_key_hasher)
    create_reviewer = providers.Singleton(CreateReviewer, reviewers, password_hasher, clock)
    # A Singleton: it caches the dummy hash unknown usernames are checked against.
    issue_reviewer_token = providers.Singleton(
        IssueReviewerToken, reviewers, password_hasher, token_signer, clock
    )
    authenticate_reviewer = providers.Singleton(
        AuthenticateReviewer, reviewers, token_signer, clock
    )

    # Sanctions lists, loaded by the CLI, screened in memory.
    sanctions_store = providers.Singleton(SqlAlchemySanctionsRepository, core.database)
    load_sanctions_list = providers.Factory(LoadSanctionsList, sanctions_store)
    sanctions_readers = providers.Object(SANCTIONS_READERS)
    sanctions_screening = providers.Singleton(
        lambda store, s: SanctionsScreening(store, threshold=s.sanctions_threshold),
        sanctions_store,
        settings,
    )

    # Monitoring: rules on local facts, or an external vendor.
    rates = providers.Singleton(StaticExchangeRates)
    activity = providers.Singleton(SqlAlchemyActivity, core.database, rates)
    decisions = providers.Singleton(
        SqlAlchemyDecisionStore,
        core.database,
        core.outbox,
        wake_relay=core.outbox_relay.provided.wake,
    )
    rule_sets = providers.Singleton(
        lambda database, s: CachedRuleSets(
            SqlAlchemyRuleSetStore(database), ttl=s.rule_set_cache_seconds
        ),
        core.database,
        settings,
    )
    engine = providers.Singleton(
        RuleEngine, activity, rates, providers.Singleton(ListScreening, sanctions_screening)
    )
    builtin_monitoring = providers.Singleton(BuiltInMonitoring, rule_sets, engine, clock)
    monitoring = providers.Singleton(_vendor, settings, builtin_monitoring)
    validate_transaction = providers.Singleton(
        lambda decisions, monitoring, clock, s: ValidateTransaction(
            decisions, monitoring, clock, deadline=s.monitoring_deadline_seconds
        ),
        decisions,
        monitoring,
        clock,
        settings,
    )
    manage_rule_sets = providers.Singleton(ManageRuleSets, rule_sets, clock)

    # The review queue: held cases, decided by reviewers, the outcome sent to Toqio.
    reviews = providers.Singleton(SqlAlchemyReviewRepository, core.database)
    review_unit_of_work = providers.Factory(
        SqlAlchemyReviewUnitOfWork,
        core.database,
        outbox=core.outbox,
        webhooks=core.webhook_queue,
        wake_relay=core.outbox_relay.provided.wake,
        wake_dispatcher=core.webhook_dispatcher.provided.wake,
    )
    list_cases = providers.Singleton(ListCases, reviews)
    get_case = providers.Singleton(GetCase, reviews, decisions, clock)
    decide_case = providers.Singleton(
        lambda units, reviews, rates, clock, s: DecideCase(
            units, reviews, rates, clock, four_eyes_above_minor=s.four_eyes_above_minor
        ),
        review_unit_of_work.provider,
        reviews,
        rates,
        clock,
        settings,
    )


# Litestar dependency name -> the container provider of what it injects.
_INJECTED = (
    "create_api_key",
    "revoke_api_key",
    "create_reviewer",
    "issue_reviewer_token",
    "validate_transaction",
    "manage_rule_sets",
    "list_cases",
    "get_case",
    "decide_case",
)


def _constant(value: object) -> Provide:
    def provide() -> object:
        return value

    return Provide(provide, use_cache=True, sync_to_thread=False)


def build_service(settings: Settings, *, broker: InMemoryBroker | None = None) -> ServiceHost:
    """Compose compliance; ``broker`` lets the embedded runner share one in-process bus."""
    container = Container(settings=settings, broker=broker or InMemoryBroker())
    core = container.core
    bus, database = core.bus(), core.database()
    screening = container.sanctions_screening()
    app = create_http_app(
        readiness={"database": database.ping, "broker": bus.ping},
        dev_handlers=dev_route_handlers(core.webhook_sender()),
        admin_token=settings.compliance_admin_token,
        authenticate_api_key=container.authenticate_api_key(),
        dependencies={name: _constant(getattr(container, name)()) for name in _INJECTED},
        console_handlers=console_route_handlers(
            container.issue_reviewer_token(),
            container.authenticate_reviewer(),
            secure_cookies=settings.console_secure_cookies,
            csrf_key=_console_csrf_key(settings),
        ),
        template_config=console_template_config(),
        review_handlers=review_route_handlers(container.authenticate_reviewer()),
    )

    async def subscribe_activity() -> None:
        await bus.subscribe(
            ACTIVITY_QUEUE,
            [Binding("accounts_payments", "TransactionBooked.v1")],
            activity_handler(database, tables.messaging, container.activity()),
        )

    async def load_screening() -> None:
        await screening.refresh()

    monitoring = container.monitoring()
    startup = [load_screening, subscribe_activity]
    shutdown = []
    if isinstance(monitoring, HttpMonitoringVendor):
        startup.append(monitoring.warm_up)
        shutdown.append(monitoring.aclose)
    return build_host(
        cast(Any, core),
        app=app,
        settings=settings,
        startup=startup,
        shutdown=shutdown,
        workers=[
            PeriodicWorker(
                "sanctions-refresh", screening.refresh, interval=settings.sanctions_refresh_seconds
            )
        ],
    )

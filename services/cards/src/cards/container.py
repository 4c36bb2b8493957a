"""Composition root of cards: the shared technical core plus the PCI island's own wiring."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from dependency_injector import containers, providers

from building_blocks.auth import ToqioJwtVerifier, toqio_jwt_guard
from building_blocks.auth.dev_jwt_keys import toqio_public_key
from building_blocks.messaging import InMemoryBroker
from building_blocks.runtime import PeriodicWorker, ServiceHost
from building_blocks.runtime.core_container import CoreContainer
from building_blocks.runtime.hosting import build_host, dev_route_handlers
from cards.adapters.crypto.aes_gcm import AesGcmCipher
from cards.adapters.crypto.audit_mac import HmacAuditMac
from cards.adapters.crypto.cvv import HmacCvvCalculator
from cards.adapters.crypto.fingerprint import HmacFingerprinter
from cards.adapters.crypto.key_material import KeyMaterial, load_key_material
from cards.adapters.crypto.security_code_hasher import HmacSecurityCodeHasher
from cards.adapters.crypto.security_code_rsa import load_security_code_decryptor
from cards.adapters.crypto.totp_secrets import load_totp_secrets
from cards.adapters.messaging.bus_funds import BusFundsReservation
from cards.adapters.persistence import tables
from cards.adapters.persistence.audit_log import SqlAlchemyAuditReader, SqlAlchemyAuditRecorder
from cards.adapters.persistence.authorization_repository import SqlAlchemyPendingAuthorizations
from cards.adapters.persistence.security_unit_of_work import SqlAlchemySecurityUnitOfWork
from cards.adapters.persistence.unit_of_work import SqlAlchemyCardsUnitOfWork
from cards.adapters.persistence.vault_repository import (
    SqlAlchemyDataKeyRepository,
    SqlAlchemySealedSecretRepository,
)
from cards.adapters.processor.sandbox_processor import SandboxCardProcessor
from cards.application.audit.verify import VerifyAuditLog
from cards.application.authorizations.abandoned import FinishAbandonedAuthorizations
from cards.application.authorizations.authorize import Authorize
from cards.application.authorizations.settle import ClearAuthorization, ReverseAuthorization
from cards.application.cards.alias import UpdateCardAlias
from cards.application.cards.cancel import CancelCard
from cards.application.cards.delete import DeleteCard
from cards.application.cards.get import GetCard
from cards.application.cards.issue import IssueCard
from cards.application.cards.options import (
    CardImages,
    IssuingPolicy,
    default_limit_bounds,
    parse_limit_bounds,
)
from cards.application.cards.queries import (
    GetAvailableCardLimits,
    GetCardImageUrl,
    GetCardImageUrlByTemplate,
    GetCardLimitsMinMax,
    GetCardSettings,
)
from cards.application.cards.read_only import UpdateCardReadOnly
from cards.application.cards.replace import ReplaceCard
from cards.application.cards.suspend import SuspendCard
from cards.application.cards.update_limits import UpdateCard
from cards.application.security.activation import ActivateCard, ActivateCardWithOtp
from cards.application.security.gate import SecurityCodeGate
from cards.application.security.lockout import LockoutPolicy
from cards.application.security.otp import FixedSandboxOtp, NoOtpRequired
from cards.application.security.reveal import RevealPan, RevealPin
from cards.application.security.totp import GetTotpSecret
from cards.application.vault.rotation import RotateKeys
from cards.application.vault.vault import CardVault
from cards.config import SERVICE, Settings
from cards.domain.pan import BinRange
from cards.entrypoints.http.app import create_http_app
from cards.entrypoints.http.card_routes import card_route_handlers, card_sandbox_route_handlers
from cards.entrypoints.http.card_security import security_route_handlers
from cards.entrypoints.http.processor import processor_route_handlers

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def _now() -> datetime:
    return datetime.now(UTC)


def _key_material(settings: Settings, embedded_sqlite: bool) -> KeyMaterial:
    return load_key_material(
        keyring=settings.cards_kek_keyring,
        keyring_file=settings.cards_kek_keyring_file,
        fingerprint_key=settings.cards_fingerprint_key,
        cvv_key=settings.cards_cvv_key,
        audit_mac_key=settings.cards_audit_mac_key,
        data_dir=settings.data_dir,
        allow_development=embedded_sqlite,
    )


def _issuing_policy(settings: Settings) -> IssuingPolicy:
    bounds = settings.cards_limit_bounds
    return IssuingPolicy(
        bin_range=BinRange(settings.cards_bin_prefix, settings.cards_pan_length),
        validity_years=settings.cards_card_validity_years,
        provider=settings.cards_provider_name,
        bounds=parse_limit_bounds(bounds) if bounds else default_limit_bounds(),
    )


class Container(containers.DeclarativeContainer):
    """Everything cards is made of, built once per process by its entrypoint."""

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
    clock = providers.Object(_now)

    # Keys: configured, or (embedded SQLite only) development files under DATA_DIR.
    key_material = providers.Singleton(
        lambda s, db: _key_material(s, db.is_sqlite), settings, core.database
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

    # The vault and the audit log.
    data_keys = providers.Singleton(SqlAlchemyDataKeyRepository, core.database)
    sealed_secrets = providers.Singleton(SqlAlchemySealedSecretRepository, core.database)
    vault = providers.Singleton(
        lambda keys, data_keys: CardVault(
            keys.kek,
            data_keys,
            AesGcmCipher(),
            HmacFingerprinter(keys.fingerprint_key),
            HmacCvvCalculator(keys.cvv_key),
        ),
        key_material,
        data_keys,
    )
    rotate_keys = providers.Factory(
        lambda keys, data_keys, sealed, vault, batch_size=500: RotateKeys(
            keys.kek, data_keys, sealed, vault, batch_size=batch_size
        ),
        key_material,
        data_keys,
        sealed_secrets,
        vault,
    )
    audit_mac = providers.Singleton(lambda keys: HmacAuditMac(keys.audit_mac_key), key_material)
    audit_reader = providers.Singleton(SqlAlchemyAuditReader, core.database)
    audit_recorder = providers.Singleton(SqlAlchemyAuditRecorder, core.database, audit_mac)
    verify_audit_log = providers.Factory(
        VerifyAuditLog, audit_reader, audit_mac, recorder=audit_recorder
    )

    cards_unit_of_work = providers.Factory(
        SqlAlchemyCardsUnitOfWork,
        core.database.provided.sessions,
        outbox=core.outbox,
        webhooks=core.webhook_queue,
        audit_mac=audit_mac,
        wake_relay=core.outbox_relay.provided.wake,
        wake_dispatcher=core.webhook_dispatcher.provided.wake,
    )

    # Issuing and the card lifecycle.
    security_code_hasher = providers.Singleton(
        lambda keys: HmacSecurityCodeHasher(keys.fingerprint_key), key_material
    )
    card_processor = providers.Singleton(SandboxCardProcessor)
    issuing_policy = providers.Singleton(_issuing_policy, settings)
    card_images = providers.Singleton(
        lambda s: CardImages(s.cards_image_url_template, s.cards_default_card_design), settings
    )
    issue_card = providers.Singleton(
        IssueCard,
        cards_unit_of_work.provider,
        vault,
        security_code_hasher,
        card_processor,
        issuing_policy,
        clock,
    )
    replace_card = providers.Singleton(
        ReplaceCard,
        cards_unit_of_work.provider,
        vault,
        security_code_hasher,
        card_processor,
        issuing_policy,
        clock,
    )
    get_card = providers.Singleton(GetCard, cards_unit_of_work.provider, clock)
    suspend_card = providers.Singleton(SuspendCard, cards_unit_of_work.provider, clock)
    cancel_card = providers.Singleton(CancelCard, cards_unit_of_work.provider, clock)
    delete_card = providers.Singleton(DeleteCard, cards_unit_of_work.provider, clock)
    update_card = providers.Singleton(
        UpdateCard, cards_unit_of_work.provider, issuing_policy, clock
    )
    update_card_alias = providers.Singleton(UpdateCardAlias, cards_unit_of_work.provider)
    update_card_read_only = providers.Singleton(UpdateCardReadOnly, cards_unit_of_work.provider)
    get_available_card_limits = providers.Singleton(GetAvailableCardLimits)
    get_card_limits_min_max = providers.Singleton(GetCardLimitsMinMax, issuing_policy)
    get_card_settings = providers.Singleton(GetCardSettings, cards_unit_of_work.provider)
    get_card_image_url = providers.Singleton(
        GetCardImageUrl, cards_unit_of_work.provider, card_images
    )
    get_card_image_url_by_template = providers.Singleton(GetCardImageUrlByTemplate, card_images)

    # Activation and reveal behind the cardholder's security code.
    security_code_decryptor = providers.Singleton(
        lambda s, db: load_security_code_decryptor(
            s.cards_security_code_private_key,
            data_dir=s.data_dir,
            allow_development_key=db.is_sqlite,
        ),
        settings,
        core.database,
    )
    security_units = providers.Factory(
        SqlAlchemySecurityUnitOfWork,
        core.database.provided.sessions,
        outbox=core.outbox,
        webhooks=core.webhook_queue,
        audit_mac=audit_mac,
        wake_relay=core.outbox_relay.provided.wake,
        wake_dispatcher=core.webhook_dispatcher.provided.wake,
    )
    lockout_policy = providers.Singleton(
        lambda s: LockoutPolicy(
            max_failures=s.cards_security_code_max_failures,
            cool_down=timedelta(seconds=s.cards_security_code_lockout_seconds),
        ),
        settings,
    )
    security_code_gate = providers.Singleton(
        SecurityCodeGate, security_code_decryptor, security_code_hasher, policy=lockout_policy
    )
    otp_verifier = providers.Singleton(
        lambda s: (
            FixedSandboxOtp(s.cards_sandbox_activation_otp.reveal())
            if s.cards_sandbox_activation_otp
            else NoOtpRequired()
        ),
        settings,
    )
    activate_card = providers.Singleton(ActivateCard, security_units.provider, security_code_gate)
    activate_card_with_otp = providers.Singleton(ActivateCardWithOtp, activate_card, otp_verifier)
    reveal_pan = providers.Singleton(RevealPan, security_units.provider, security_code_gate, vault)
    reveal_pin = providers.Singleton(RevealPin, security_units.provider, security_code_gate, vault)
    totp_secrets = providers.Singleton(
        lambda s: load_totp_secrets(
            enabled=s.cards_totp_enabled, key=s.cards_totp_key, data_dir=s.data_dir
        ),
        settings,
    )
    get_totp_secret = providers.Singleton(GetTotpSecret, security_units.provider, totp_secrets)

    # Real-time authorization for the processor: local checks, then a hold over the bus.
    funds_reservation = providers.Singleton(BusFundsReservation, core.bus)
    authorize = providers.Singleton(
        lambda units, funds, clock, s: Authorize(
            units, funds, clock=clock, deadline=s.cards_authorization_deadline_seconds
        ),
        cards_unit_of_work.provider,
        funds_reservation,
        clock,
        settings,
    )
    clear_authorization = providers.Singleton(
        ClearAuthorization, cards_unit_of_work.provider, clock=clock
    )
    reverse_authorization = providers.Singleton(
        ReverseAuthorization, cards_unit_of_work.provider, clock=clock
    )
    pending_authorizations = providers.Singleton(SqlAlchemyPendingAuthorizations, core.database)
    finish_abandoned_authorizations = providers.Singleton(
        FinishAbandonedAuthorizations,
        cards_unit_of_work.provider,
        pending_authorizations,
        clock=clock,
    )


def _route_handlers(container: Container, settings: Settings) -> list[Any]:
    guards = [toqio_jwt_guard(container.jwt_verifier())]
    provider = settings.cards_provider_name
    built: Callable[[str], Any] = lambda name: getattr(container, name)()  # noqa: E731
    return [
        *card_route_handlers(
            toqio_guards=guards,
            card_provider=provider,
            **{
                name: built(name)
                for name in (
                    "issue_card",
                    "get_card",
                    "delete_card",
                    "suspend_card",
                    "cancel_card",
                    "update_card",
                    "update_card_alias",
                    "update_card_read_only",
                    "get_available_card_limits",
                    "get_card_limits_min_max",
                    "get_card_settings",
                    "get_card_image_url",
                    "get_card_image_url_by_template",
                )
            },
        ),
        *security_route_handlers(
            toqio_guards=guards,
            public_key_pem=container.security_code_decryptor().public_key_pem,
            activate_card=container.activate_card(),
            activate_card_with_otp=container.activate_card_with_otp(),
            reveal_pan=container.reveal_pan(),
            reveal_pin=container.reveal_pin(),
            get_totp_secret=container.get_totp_secret(),
            card_provider=provider,
        ),
        # Outside the Toqio JWT guard: the processor authenticates with its own key.
        *processor_route_handlers(
            api_key=settings.cards_processor_api_key,
            authorize=container.authorize(),
            clear_authorization=container.clear_authorization(),
            reverse_authorization=container.reverse_authorization(),
            sandbox_enabled=settings.sandbox_enabled,
        ),
        *card_sandbox_route_handlers(
            enabled=settings.sandbox_enabled,
            sandbox_card_processor=container.card_processor(),
            replace_card=container.replace_card(),
            card_provider=provider,
        ),
    ]


def build_service(settings: Settings, *, broker: InMemoryBroker | None = None) -> ServiceHost:
    """Compose cards; ``broker`` lets the embedded runner share one in-process bus."""
    container = Container(settings=settings, broker=broker or InMemoryBroker())
    core = container.core
    app = create_http_app(
        readiness={"database": core.database().ping, "broker": core.bus().ping},
        dev_handlers=dev_route_handlers(core.webhook_sender()),
        route_handlers=_route_handlers(container, settings),
    )
    abandoned = PeriodicWorker(
        "abandoned-authorizations", container.finish_abandoned_authorizations(), interval=5.0
    )
    return build_host(cast(Any, core), app=app, settings=settings, workers=[abandoned])

"""Composition root of compliance: the shared technical core plus this service's domain wiring."""

from __future__ import annotations

from pathlib import Path

from dependency_injector import containers, providers

from building_blocks.messaging import InMemoryBroker
from building_blocks.runtime import ServiceHost
from building_blocks.runtime.core_container import CoreContainer
from building_blocks.runtime.hosting import build_host, dev_route_handlers
from compliance.adapters.persistence import tables
from compliance.config import SERVICE, Settings
from compliance.entrypoints.http.app import create_http_app

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


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


def build_service(settings: Settings, *, broker: InMemoryBroker | None = None) -> ServiceHost:
    """Compose compliance; ``broker`` lets the embedded runner share one in-process bus."""
    container = Container(settings=settings, broker=broker or InMemoryBroker())
    core = container.core
    app = create_http_app(
        readiness={"database": core.database().ping, "broker": core.bus().ping},
        dev_handlers=dev_route_handlers(core.webhook_sender()),
    )
    return build_host(core, app=app, settings=settings)

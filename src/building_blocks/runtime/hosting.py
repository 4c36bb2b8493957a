"""Assemble a ``ServiceHost`` from a service's core container and its HTTP app."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from dependency_injector import providers
from litestar import Litestar, Router
from litestar.types import ControllerRouterHandler

from building_blocks.runtime.core_container import CoreContainer
from building_blocks.runtime.launcher import Hook, ServiceHost, Worker
from building_blocks.runtime.settings import ServiceSettings
from building_blocks.webhooks import (
    RecordingWebhookSender,
    WebhookRecorderController,
    WebhookSender,
    webhook_recorder_dependencies,
)


def dev_route_handlers(sender: WebhookSender) -> list[ControllerRouterHandler]:
    """The local webhook recorder's browsing endpoint, served only while it is in use."""
    if isinstance(sender, RecordingWebhookSender):
        return [
            Router(
                path="/",
                route_handlers=[WebhookRecorderController],
                dependencies=webhook_recorder_dependencies(sender),
            )
        ]
    return []


def build_host(
    core_provider: providers.Container[CoreContainer],
    *,
    app: Litestar,
    settings: ServiceSettings,
    startup: Sequence[Hook] = (),
    shutdown: Sequence[Hook] = (),
    workers: Sequence[Worker] = (),
) -> ServiceHost:
    """A host that migrates, connects the bus, runs relay, dispatcher and ``workers``, serves."""
    # A Container provider forwards attribute access to the container it holds.
    core = cast(CoreContainer, core_provider)
    bus = core.bus()
    database = core.database()
    return ServiceHost(
        name=core.service(),
        app=app,
        port=settings.port,
        host=settings.host,
        startup=[core.schema_initializer(), bus.start, *startup],
        workers=[core.outbox_relay(), core.webhook_dispatcher(), *workers],
        # Run in reverse on stop: the service's own hooks, then the bus (in-flight handlers
        # finish), then the database.
        shutdown=[database.dispose, bus.close, *shutdown],
        graceful_seconds=settings.graceful_shutdown_seconds,
    )

"""The composition every service shares: database, unit of work, outbox relay, webhooks."""

from __future__ import annotations

from pathlib import Path

from dependency_injector import containers, providers
from sqlalchemy import MetaData

from building_blocks.messaging import (
    InMemoryBroker,
    InMemoryMessageBus,
    MessageBus,
    RabbitMqMessageBus,
)
from building_blocks.outbox import MessagingTables, Outbox, OutboxRelay, messaging_tables
from building_blocks.persistence import Database, SqlAlchemyUnitOfWork
from building_blocks.persistence.migrations import upgrade_to_head
from building_blocks.runtime.settings import ServiceSettings
from building_blocks.webhooks import (
    HttpWebhookSender,
    RecordingWebhookSender,
    WebhookDispatcher,
    WebhookQueue,
    WebhookSender,
    WebhookTables,
    webhook_tables,
)


def message_bus(
    settings: ServiceSettings, service: str, broker: InMemoryBroker | None
) -> MessageBus:
    """RabbitMQ when ``RABBITMQ_URL`` is set, else the in-process bus shared via ``broker``."""
    if settings.rabbitmq_url is not None:
        return RabbitMqMessageBus(
            settings.rabbitmq_url.reveal(), service, namespace=settings.amqp_namespace
        )
    return InMemoryMessageBus(broker or InMemoryBroker(), service)


def webhook_sender(settings: ServiceSettings) -> WebhookSender:
    """Toqio when ``TOQIO_WEBHOOK_BASE_URL`` is set; otherwise the local recorder."""
    if settings.toqio_webhook_base_url:
        api_key = settings.toqio_webhook_api_key
        return HttpWebhookSender(
            settings.toqio_webhook_base_url,
            settings.toqio_integration_id,
            api_key.reveal() if api_key is not None else "",
            api_key_header=settings.toqio_webhook_api_key_header,
        )
    return RecordingWebhookSender()


class SchemaInitializer:
    """Brings a service's tables up to date when it starts."""

    def __init__(self, database: Database, metadata: MetaData, migrations_dir: Path) -> None:
        self._database = database
        self._metadata = metadata
        self._migrations_dir = migrations_dir

    async def __call__(self) -> None:
        # SQLite backs only the embedded `make run`; it has no schemas for Alembic to target,
        # so its tables come straight from the metadata. PostgreSQL always runs migrations.
        if self._database.is_sqlite:
            Path(self._database.url.split("///", 1)[-1]).parent.mkdir(parents=True, exist_ok=True)
            await self._database.create_schema(self._metadata)
        else:
            await upgrade_to_head(self._database, self._migrations_dir)


class CoreContainer(containers.DeclarativeContainer):
    """Technical services of one service; its own container adds the domain on top."""

    service = providers.Dependency(instance_of=str)
    settings = providers.Dependency(instance_of=ServiceSettings)
    metadata = providers.Dependency(instance_of=MetaData)
    migrations_dir = providers.Dependency(instance_of=Path)
    messaging = providers.Dependency(instance_of=MessagingTables)
    webhook_storage = providers.Dependency(instance_of=WebhookTables)
    broker = providers.Dependency(instance_of=InMemoryBroker, default=None)

    database = providers.Singleton(
        Database,
        url=providers.Callable(lambda s, n: s.database_url_for(n), settings, service),
        schema=service,
    )
    bus = providers.Singleton(message_bus, settings, service, broker)
    unit_of_work = providers.Factory(SqlAlchemyUnitOfWork, sessions=database.provided.sessions)
    outbox = providers.Singleton(Outbox, messaging)
    outbox_relay = providers.Singleton(OutboxRelay, database, messaging, bus)
    webhook_sender = providers.Singleton(webhook_sender, settings)
    webhook_queue = providers.Singleton(WebhookQueue, webhook_storage)
    webhook_dispatcher = providers.Singleton(
        WebhookDispatcher, database, webhook_storage, webhook_sender
    )
    schema_initializer = providers.Singleton(SchemaInitializer, database, metadata, migrations_dir)


__all__ = ["CoreContainer", "messaging_tables", "webhook_tables"]

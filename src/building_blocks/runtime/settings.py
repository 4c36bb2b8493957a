"""Settings every service reads from the environment, with embedded defaults for `make run`."""

from __future__ import annotations

import msgspec

from building_blocks.settings import Secret


class ServiceSettings(msgspec.Struct, frozen=True, kw_only=True):
    """What every service needs to run; each service's own ``Settings`` extends it.

    With no ``DATABASE_URL`` a service uses a SQLite file under ``./var/``; with no
    ``RABBITMQ_URL`` it uses the in-process message bus; with no ``TOQIO_WEBHOOK_BASE_URL``
    webhooks go to a local recorder so nothing reaches Toqio by accident.
    """

    port: int
    host: str = "127.0.0.1"
    database_url: Secret | None = None
    rabbitmq_url: Secret | None = None
    amqp_namespace: str = ""
    toqio_webhook_base_url: str | None = None
    toqio_integration_id: str = "toqio-connector"
    toqio_webhook_api_key: Secret | None = None
    toqio_webhook_api_key_header: str = "X-Api-Key"
    log_level: str = "INFO"
    log_json: bool = True
    graceful_shutdown_seconds: float = 30.0
    data_dir: str = "var"

    def database_url_for(self, service: str) -> str:
        """The database URL of ``service``: the configured one, or its own SQLite file."""
        if self.database_url is not None:
            return self.database_url.reveal()
        return f"sqlite:///{self.data_dir}/{service}.db"

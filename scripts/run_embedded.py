"""Run the whole connector in one process on embedded defaults (`make run`).

SQLite files under ``./var/``, one in-process message bus shared by the three services (unless
``RABBITMQ_URL`` is set), and webhooks kept by a local recorder unless
``TOQIO_WEBHOOK_BASE_URL`` is set.
"""

from __future__ import annotations

import os

import accounts_payments.config
import cards.config
import compliance.config
from accounts_payments.container import build_service as build_accounts_payments
from building_blocks.messaging import InMemoryBroker
from building_blocks.observability import configure_logging
from building_blocks.runtime import run_hosts
from building_blocks.settings import load_settings
from cards.container import build_service as build_cards
from compliance.container import build_service as build_compliance


def _environ_for(service: str) -> dict[str, str]:
    # PORT would name one port for all three; here each service keeps its default unless
    # <SERVICE>_PORT (e.g. CARDS_PORT) moves it.
    environ = {key: value for key, value in os.environ.items() if key != "PORT"}
    if f"{service}_PORT" in os.environ:
        environ["PORT"] = os.environ[f"{service}_PORT"]
    return environ


def main() -> None:
    """Start accounts_payments on 8001, compliance on 8002 and cards on 8003."""
    ap = load_settings(accounts_payments.config.Settings, _environ_for("ACCOUNTS_PAYMENTS"))
    co = load_settings(compliance.config.Settings, _environ_for("COMPLIANCE"))
    ca = load_settings(cards.config.Settings, _environ_for("CARDS"))
    configure_logging("connector", ap.log_level, json=ap.log_json)
    broker = InMemoryBroker()
    run_hosts(
        [
            build_accounts_payments(ap, broker=broker),
            build_compliance(co, broker=broker),
            build_cards(ca, broker=broker),
        ]
    )


if __name__ == "__main__":
    main()

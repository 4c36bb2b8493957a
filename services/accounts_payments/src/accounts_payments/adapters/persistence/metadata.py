"""The MetaData every accounts_payments table registers on (schema ``accounts_payments``)."""

from __future__ import annotations

from building_blocks.persistence import service_metadata

metadata = service_metadata("accounts_payments")

"""HTTP building blocks: the app factory, Toqio envelopes, health, metrics and idempotency."""

from building_blocks.web.app_factory import create_app
from building_blocks.web.envelopes import (
    CardOk,
    EnvelopeStyle,
    ErrorEnvelope,
    Ok,
    ProblemOut,
    card_ok,
    ok,
)
from building_blocks.web.exception_handlers import STATUS_BY_ERROR, domain_error_data, status_for
from building_blocks.web.idempotency import (
    IDEMPOTENCY_KEY_HEADER,
    REPLAYED_HEADER,
    run_idempotently,
    toqio_error_renderer,
)
from building_blocks.web.request_id import current_request_id
from building_blocks.web.schema import CamelStruct

__all__ = [
    "IDEMPOTENCY_KEY_HEADER",
    "REPLAYED_HEADER",
    "STATUS_BY_ERROR",
    "CamelStruct",
    "CardOk",
    "EnvelopeStyle",
    "ErrorEnvelope",
    "Ok",
    "ProblemOut",
    "card_ok",
    "create_app",
    "current_request_id",
    "domain_error_data",
    "ok",
    "run_idempotently",
    "status_for",
    "toqio_error_renderer",
]

"""HTTP building blocks: the Litestar app factory, Toqio envelopes, health and metrics."""

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
from building_blocks.web.exception_handlers import STATUS_BY_ERROR, status_for
from building_blocks.web.request_id import current_request_id
from building_blocks.web.schema import CamelStruct

__all__ = [
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
    "ok",
    "status_for",
]

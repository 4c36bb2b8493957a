"""The cards domain's errors, each with the Toqio error code its envelope carries.

Messages name cards, authorizations, statuses and amounts, never a PAN, CVV, PIN or key.
"""

from __future__ import annotations

from shared_kernel.domain.errors import (
    Conflict,
    FieldProblem,
    InvalidInput,
    NotFound,
    NotImplementedByProvider,
    RuleViolated,
)

CARD_NOT_FOUND = "CARD_NOT_FOUND"
CARD_TERMINAL_STATE = "CARD_TERMINAL_STATE"
CARD_TRANSITION_NOT_ALLOWED = "CARD_TRANSITION_NOT_ALLOWED"
CARD_ISSUER_ONLY = "CARD_ISSUER_ONLY"
CARD_DELETED = "CARD_DELETED"
INVALID_CARD = "INVALID_CARD"
INVALID_LIMITS = "INVALID_LIMITS"
INVALID_CONTROLS = "INVALID_CONTROLS"
INVALID_REPLACEMENT = "INVALID_REPLACEMENT"
FUNCTION_NOT_IMPLEMENTED_YET = "FUNCTION_NOT_IMPLEMENTED_YET"
INVALID_AUTHORIZATION = "INVALID_AUTHORIZATION"
AUTHORIZATION_NOT_FOUND = "AUTHORIZATION_NOT_FOUND"
AUTHORIZATION_MISMATCH = "AUTHORIZATION_MISMATCH"
AUTHORIZATION_STATE_CONFLICT = "AUTHORIZATION_STATE_CONFLICT"
OPERATION_MISMATCH = "OPERATION_MISMATCH"
CLEARING_EXCEEDS_AUTHORIZATION = "CLEARING_EXCEEDS_AUTHORIZATION"
REVERSAL_EXCEEDS_AUTHORIZATION = "REVERSAL_EXCEEDS_AUTHORIZATION"


def card_not_found(card_id: str) -> NotFound:
    return NotFound(f"card {card_id} does not exist", code=CARD_NOT_FOUND)


def card_in_terminal_state(card_id: str, status: str, action: str) -> Conflict:
    return Conflict(
        f"card {card_id} is {status}, a final status: it cannot be {action}",
        code=CARD_TERMINAL_STATE,
    )


def transition_not_allowed(card_id: str, status: str, target: str, action: str) -> Conflict:
    return Conflict(
        f"card {card_id} cannot be {action}: a {status} card cannot become {target}",
        code=CARD_TRANSITION_NOT_ALLOWED,
    )


def issuer_only(card_id: str, action: str, channel: str) -> RuleViolated:
    return RuleViolated(
        f"card {card_id} cannot be {action} through {channel}: only the issuer blocks or "
        "unblocks a card, and a blocked card can otherwise only be cancelled or closed",
        code=CARD_ISSUER_ONLY,
    )


def card_deleted(card_id: str) -> Conflict:
    return Conflict(f"card {card_id} was deleted and cannot change", code=CARD_DELETED)


def invalid_card_field(field: str, message: str) -> InvalidInput:
    return InvalidInput(
        f"{field}: {message}",
        code=INVALID_CARD,
        problems=(FieldProblem(field, INVALID_CARD, message),),
    )


def funding_not_supported(funding: str) -> NotImplementedByProvider:
    return NotImplementedByProvider(
        f"{funding} cards are not supported: only DEBIT cards can be issued",
        code=FUNCTION_NOT_IMPLEMENTED_YET,
    )


def function_not_implemented(what: str) -> NotImplementedByProvider:
    return NotImplementedByProvider(
        f"{what} is not supported by this connector's card processor",
        code=FUNCTION_NOT_IMPLEMENTED_YET,
    )


def invalid_limits(problems: tuple[FieldProblem, ...]) -> InvalidInput:
    summary = "; ".join(f"{p.field}: {p.message}" for p in problems)
    return InvalidInput(f"invalid card limits: {summary}", code=INVALID_LIMITS, problems=problems)


def invalid_controls(field: str, message: str) -> InvalidInput:
    return InvalidInput(
        f"{field}: {message}",
        code=INVALID_CONTROLS,
        problems=(FieldProblem(field, INVALID_CONTROLS, message),),
    )


def invalid_replacement(message: str) -> InvalidInput:
    return InvalidInput(message, code=INVALID_REPLACEMENT)


def invalid_authorization(field: str, message: str) -> InvalidInput:
    return InvalidInput(
        f"{field}: {message}",
        code=INVALID_AUTHORIZATION,
        problems=(FieldProblem(field, INVALID_AUTHORIZATION, message),),
    )


def authorization_not_found(authorization_id: str) -> NotFound:
    return NotFound(
        f"authorization {authorization_id} does not exist", code=AUTHORIZATION_NOT_FOUND
    )


def authorization_mismatch(processor_id: str, fields: tuple[str, ...]) -> Conflict:
    return Conflict(
        f"processor id {processor_id} was already used for another authorization "
        f"(different {', '.join(fields)})",
        code=AUTHORIZATION_MISMATCH,
    )


def authorization_state_conflict(authorization_id: str, status: str, action: str) -> Conflict:
    return Conflict(
        f"authorization {authorization_id} is {status}: it cannot be {action}",
        code=AUTHORIZATION_STATE_CONFLICT,
    )


def operation_mismatch(processor_id: str, authorization_id: str) -> Conflict:
    return Conflict(
        f"processor id {processor_id} was already used for another operation "
        f"on authorization {authorization_id}",
        code=OPERATION_MISMATCH,
    )


def clearing_exceeds_authorization(
    authorization_id: str, amount: str, remaining: str
) -> RuleViolated:
    return RuleViolated(
        f"clearing of {amount} exceeds the {remaining} still authorized "
        f"on authorization {authorization_id}",
        code=CLEARING_EXCEEDS_AUTHORIZATION,
    )


def reversal_exceeds_authorization(
    authorization_id: str, amount: str, remaining: str
) -> RuleViolated:
    return RuleViolated(
        f"reversal of {amount} exceeds the {remaining} still authorized "
        f"on authorization {authorization_id}",
        code=REVERSAL_EXCEEDS_AUTHORIZATION,
    )

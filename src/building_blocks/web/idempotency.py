"""Litestar glue for ``Idempotency-Key``: claim the key, run the handler once, replay its answer."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import structlog
from litestar import Request, Response
from litestar.enums import MediaType
from litestar.serialization import get_serializer
from litestar.utils import get_enum_string_value

from building_blocks.idempotency import Claim, IdempotencyStore, StoredResponse, fingerprint
from building_blocks.web.envelopes import EnvelopeStyle, error_envelope
from building_blocks.web.exception_handlers import domain_error_data, status_for
from building_blocks.web.request_id import request_id_or_new
from shared_kernel.domain.errors import DomainError, FieldProblem, InvalidInput

IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
_VALID_KEY = re.compile(r"[\x20-\x7e]{1,255}")

_log = structlog.get_logger("building_blocks.web")


def toqio_error_renderer(
    service: str,
    extra_statuses: Mapping[type[DomainError], int] | None = None,
    *,
    style: EnvelopeStyle = EnvelopeStyle.INTEGRATION_HUB,
) -> Callable[[DomainError], Response[Any]]:
    """A ``render_error`` answering as ``ToqioExceptionHandlers.domain_error`` would.

    Args:
        service: the ``errorOrigin`` of the envelopes.
        extra_statuses: HTTP statuses of the service's own error classes.
        style: the envelope dialect.
    """
    statuses = dict(extra_statuses or {})

    def render(error: DomainError) -> Response[Any]:
        status = status_for(error, statuses)
        body = error_envelope(
            style=style,
            origin=service,
            status=status,
            code=error.code,
            message=error.message,
            request_id=request_id_or_new(),
            data=domain_error_data(error),
        )
        return Response(body, status_code=status)

    return render


def _valid_key(value: str) -> str:
    if not _VALID_KEY.fullmatch(value):
        problem = FieldProblem(
            IDEMPOTENCY_KEY_HEADER,
            "INVALID_VALUE",
            "Must be 1 to 255 printable ASCII characters",
        )
        raise InvalidInput(
            "The Idempotency-Key header is invalid",
            code="INVALID_IDEMPOTENCY_KEY",
            problems=(problem,),
        )
    return value


def _render(request: Request[Any, Any, Any], response: Response[Any]) -> StoredResponse:
    # As Litestar would render it (status, media type, type encoders), but done here so the
    # bytes stored are the bytes sent.
    route = request.route_handler
    encoders = {**route.resolve_type_encoders(), **response.response_type_encoders}
    media_type = get_enum_string_value(response.media_type or MediaType.JSON)
    body = response.render(response.content, media_type, get_serializer(encoders))
    headers = {name: str(value) for name, value in response.headers.items()}
    return StoredResponse(response.status_code or route.status_code, headers, body)


def _send(stored: StoredResponse, original: Response[Any]) -> Response[bytes]:
    return Response(
        stored.body,
        status_code=stored.status,
        headers=stored.headers,
        media_type=original.media_type or MediaType.JSON,
        background=original.background,
        cookies=original.cookies,
    )


async def _release(store: IdempotencyStore, claim: Claim) -> None:
    # Shielded: a cancelled request must still free its key, or retries get 409 until the
    # lease runs out.
    try:
        await asyncio.shield(store.release(claim))
    except Exception as exc:
        _log.warning(
            "idempotency.release_failed",
            scope=claim.scope,
            idempotency_key=claim.key,
            error_type=type(exc).__name__,
        )


async def run_idempotently(
    request: Request[Any, Any, Any],
    store: IdempotencyStore | None,
    *,
    scope: str,
    handler: Callable[[], Awaitable[Response[Any]]],
    is_final: Callable[[DomainError], bool],
    render_error: Callable[[DomainError], Response[Any]],
    resource_id: Callable[[Response[Any]], str | None] | None = None,
) -> Response[Any]:
    """Run ``handler`` once per ``Idempotency-Key``; retries get its first answer again.

    Without the header (or a store) the handler just runs. With it, the first request runs
    the handler and its answer is stored; a retry with the same request gets those same
    bytes back with ``Idempotent-Replayed: true``. A ``DomainError`` that ``is_final``
    (a business decline) is rendered with ``render_error`` and stored like a success; any
    other error frees the key, so the client may fix the request and retry with it.

    Args:
        request: the current request; its method, path and body make the fingerprint.
        store: where keys are kept; None turns idempotency off.
        scope: keeps keys apart, e.g. the operation and the tenant.
        handler: runs the request and returns its response.
        is_final: whether a domain error is the key's final answer.
        render_error: renders a final domain error as a response.
        resource_id: what a successful response created (a payment id), for operators.

    Raises:
        InvalidInput: the header is not 1 to 255 printable ASCII characters.
        IdempotencyKeyReused: the key came with a different request before.
        IdempotencyRequestInFlight: the key's first request is still running.
    """
    header = request.headers.get(IDEMPOTENCY_KEY_HEADER)
    if header is None or store is None:
        return await handler()
    key = _valid_key(header)
    claim = await store.claim(
        scope, key, fingerprint(request.method, request.url.path, await request.body())
    )
    if isinstance(claim, StoredResponse):
        headers = {**claim.headers, REPLAYED_HEADER: "true"}
        return Response(
            claim.body, status_code=claim.status, headers=headers, media_type=MediaType.JSON
        )
    try:
        response = await handler()
    except DomainError as error:
        if not is_final(error):
            await _release(store, claim)
            raise
        response = render_error(error)
        created = None
        _log.info(
            "request.rejected", code=error.code, status=response.status_code, path=request.url.path
        )
    except BaseException:
        await _release(store, claim)
        raise
    else:
        created = resource_id(response) if resource_id is not None else None
    # From here on the request's effects are committed: nothing releases the key, as a rerun
    # is worse than a 409 until the lease runs out.
    stored = _render(request, response)
    await store.complete(claim, stored, resource_id=created)
    return _send(stored, response)

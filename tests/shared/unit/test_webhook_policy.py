"""Backoff grows with bounded jitter, Retry-After is honoured and retries stop after 72 h."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from building_blocks.webhooks import DeliveryStatus, RetryPolicy, is_retryable, parse_retry_after
from building_blocks.webhooks.policy import Decision

pytestmark = pytest.mark.unit

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
POLICY = RetryPolicy(initial_wait=2, max_wait=600, jitter=5)


def decide(status: int | None, retry_after: float | None = None, *, age_h: float = 0) -> Decision:
    return POLICY.decide(
        status,
        retry_after,
        retry_number=1,
        window_started_at=NOW - timedelta(hours=age_h),
        now=NOW,
    )


def test_backoff_doubles_with_every_retry_and_adds_at_most_the_jitter() -> None:
    for retry in range(1, 8):
        waits = [POLICY.backoff(retry) for _ in range(50)]
        base = 2 * 2 ** (retry - 1)
        assert all(base <= wait <= base + 5 for wait in waits)
        assert len(set(waits)) > 1  # jittered


def test_backoff_stays_jittered_but_bounded_at_the_cap() -> None:
    waits = [POLICY.backoff(40) for _ in range(50)]
    assert all(595 <= wait <= 600 for wait in waits)
    assert len(set(waits)) > 1
    assert POLICY.backoff(0) == pytest.approx(POLICY.backoff(1), abs=5)


def test_jitter_must_stay_below_the_cap() -> None:
    with pytest.raises(ValueError, match="jitter"):
        RetryPolicy(max_wait=5, jitter=5)


@pytest.mark.parametrize("status", [200, 201, 204, 299])
def test_any_2xx_is_delivered(status: int) -> None:
    assert decide(status).status is DeliveryStatus.DELIVERED


@pytest.mark.parametrize("status", [301, 400, 401, 403, 404, 409, 422])
def test_other_answers_fail_without_retry(status: int) -> None:
    assert not is_retryable(status)
    assert decide(status).status is DeliveryStatus.FAILED


@pytest.mark.parametrize("status", [None, 408, 429, 500, 502, 503, 504])
def test_transient_outcomes_are_retried_after_the_backoff(status: int | None) -> None:
    decision = decide(status)
    assert decision.status is DeliveryStatus.PENDING
    assert decision.next_attempt_at is not None
    wait = decision.next_attempt_at - NOW
    assert timedelta(seconds=2) <= wait <= timedelta(seconds=7)


def test_retry_after_replaces_the_backoff_and_is_capped() -> None:
    assert decide(429, 120).next_attempt_at == NOW + timedelta(seconds=120)
    assert decide(503, -5).next_attempt_at == NOW
    capped = decide(429, 10**9).next_attempt_at
    assert capped == NOW + timedelta(seconds=POLICY.max_retry_after)


def test_retries_end_72_hours_after_the_window_opened() -> None:
    assert decide(503, age_h=72).status is DeliveryStatus.EXPIRED
    assert decide(400, age_h=80).status is DeliveryStatus.FAILED
    last = decide(503, 3600, age_h=71.9)
    assert last.next_attempt_at == NOW + timedelta(hours=0.1)


def test_retry_after_in_seconds() -> None:
    assert parse_retry_after("120") == 120
    assert parse_retry_after(" 0 ") == 0


def test_retry_after_as_an_http_date() -> None:
    assert parse_retry_after("Sat, 01 Mar 2025 12:01:30 GMT", NOW) == 90
    assert parse_retry_after("Sat, 01 Mar 2025 12:01:30 -0000", NOW) == 90
    assert parse_retry_after("Sat, 01 Mar 2025 11:00:00 GMT", NOW) == 0
    assert parse_retry_after("Sat, 01 Mar 2025 12:00:00 GMT") == 0  # long past by now


@pytest.mark.parametrize("value", [None, "", "soon", "-5", "1.5"])
def test_unreadable_retry_after_is_ignored(value: str | None) -> None:
    assert parse_retry_after(value, NOW) is None

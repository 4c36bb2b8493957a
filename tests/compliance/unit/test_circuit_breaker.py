"""CircuitBreaker: closed, open after consecutive failures, half-open trial, fail fast."""

from __future__ import annotations

import asyncio

import pytest

from compliance.adapters.monitoring.circuit_breaker import (
    BreakerState,
    CircuitBreaker,
    VendorUnavailable,
)

pytestmark = pytest.mark.unit


class ManualClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Vendor:
    """An operation that succeeds or fails on demand and counts its calls."""

    def __init__(self) -> None:
        self.calls = 0
        self.failing = False

    async def __call__(self) -> str:
        self.calls += 1
        if self.failing:
            raise VendorUnavailable("down")
        return "ok"


def breaker(
    threshold: int = 3, reset_after: float = 30.0
) -> tuple[CircuitBreaker, ManualClock, list[tuple[BreakerState, BreakerState]]]:
    clock, changes = ManualClock(), []
    cb = CircuitBreaker(
        threshold, reset_after, clock, on_change=lambda old, new: changes.append((old, new))
    )
    return cb, clock, changes


async def fail(cb: CircuitBreaker, vendor: Vendor, times: int) -> None:
    vendor.failing = True
    for _ in range(times):
        with pytest.raises(VendorUnavailable):
            await cb.call(vendor)


async def test_a_new_breaker_is_closed_and_passes_calls_through() -> None:
    cb, _, _ = breaker()
    vendor = Vendor()

    assert await cb.call(vendor) == "ok"
    assert cb.state is BreakerState.CLOSED
    assert vendor.calls == 1


async def test_failures_below_the_threshold_keep_it_closed_and_a_success_resets_the_count() -> None:
    cb, _, _ = breaker(threshold=3)
    vendor = Vendor()

    await fail(cb, vendor, 2)
    assert cb.consecutive_failures == 2
    vendor.failing = False
    await cb.call(vendor)
    await fail(cb, vendor, 2)

    assert cb.state is BreakerState.CLOSED
    assert cb.consecutive_failures == 2


async def test_consecutive_failures_open_it_and_calls_then_fail_fast() -> None:
    cb, _, changes = breaker(threshold=3)
    vendor = Vendor()
    await fail(cb, vendor, 3)
    vendor.failing = False

    with pytest.raises(VendorUnavailable, match="circuit open") as caught:
        await cb.call(vendor)

    assert caught.value.code == "MONITORING_VENDOR_UNAVAILABLE"
    assert cb.state is BreakerState.OPEN
    assert vendor.calls == 3
    assert changes == [(BreakerState.CLOSED, BreakerState.OPEN)]


async def test_it_stays_open_until_the_pause_is_over_then_reads_half_open() -> None:
    cb, clock, _ = breaker(threshold=1, reset_after=30.0)
    await fail(cb, Vendor(), 1)

    clock.now += 29.9
    assert cb.state is BreakerState.OPEN
    clock.now += 0.1
    assert cb.state is BreakerState.HALF_OPEN


async def test_a_successful_trial_call_closes_it() -> None:
    cb, clock, changes = breaker(threshold=2)
    vendor = Vendor()
    await fail(cb, vendor, 2)
    clock.now += 30
    vendor.failing = False

    assert await cb.call(vendor) == "ok"

    assert cb.state is BreakerState.CLOSED
    assert cb.consecutive_failures == 0
    assert changes == [
        (BreakerState.CLOSED, BreakerState.OPEN),
        (BreakerState.OPEN, BreakerState.HALF_OPEN),
        (BreakerState.HALF_OPEN, BreakerState.CLOSED),
    ]


async def test_a_failed_trial_call_opens_it_again_for_another_pause() -> None:
    cb, clock, _ = breaker(threshold=2, reset_after=30.0)
    vendor = Vendor()
    await fail(cb, vendor, 2)
    clock.now += 30

    await fail(cb, vendor, 1)

    assert cb.state is BreakerState.OPEN
    clock.now += 29
    with pytest.raises(VendorUnavailable, match="circuit open"):
        await cb.call(vendor)
    assert vendor.calls == 3
    clock.now += 1
    assert cb.state is BreakerState.HALF_OPEN


async def test_only_one_trial_call_goes_through_while_half_open() -> None:
    cb, clock, _ = breaker(threshold=1)
    await fail(cb, Vendor(), 1)
    clock.now += 30
    release = asyncio.Event()
    calls = 0

    async def slow() -> str:
        nonlocal calls
        calls += 1
        await release.wait()
        return "ok"

    trial = asyncio.create_task(cb.call(slow))
    await asyncio.sleep(0)
    with pytest.raises(VendorUnavailable, match="circuit open"):
        await cb.call(slow)
    release.set()

    assert await trial == "ok"
    assert calls == 1
    assert cb.state is BreakerState.CLOSED


async def test_a_cancelled_trial_frees_the_slot_without_counting_as_a_failure() -> None:
    cb, clock, _ = breaker(threshold=1)
    vendor = Vendor()
    await fail(cb, vendor, 1)
    clock.now += 30

    async def hangs() -> str:
        await asyncio.Event().wait()
        return "never"

    trial = asyncio.create_task(cb.call(hangs))
    await asyncio.sleep(0)
    trial.cancel()
    with pytest.raises(asyncio.CancelledError):
        await trial

    assert cb.state is BreakerState.HALF_OPEN
    vendor.failing = False
    assert await cb.call(vendor) == "ok"
    assert cb.state is BreakerState.CLOSED


def test_a_threshold_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="failure_threshold"):
        CircuitBreaker(failure_threshold=0)

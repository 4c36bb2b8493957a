"""UUIDv7 ids: RFC 9562 layout, creation-order sorting and the embedded timestamp."""

from __future__ import annotations

import time
import uuid

import pytest

from shared_kernel.domain import ids
from shared_kernel.domain.ids import new_id, uuid7, uuid7_timestamp_ms

pytestmark = pytest.mark.unit


def test_a_uuid7_has_version_7_and_the_rfc_variant() -> None:
    for _ in range(1000):
        value = uuid7()
        assert value.version == 7
        assert value.variant == uuid.RFC_4122
        assert (value.int >> 76) & 0xF == 0x7
        assert (value.int >> 62) & 0b11 == 0b10


def test_ten_thousand_ids_sort_in_creation_order() -> None:
    made = [uuid7() for _ in range(10_000)]

    assert sorted(made) == made
    assert len(set(made)) == len(made)


def test_id_strings_sort_in_creation_order_too() -> None:
    made = [new_id() for _ in range(10_000)]

    assert sorted(made) == made
    assert all(uuid.UUID(text).version == 7 for text in made[:100])


def test_the_timestamp_is_the_creation_millisecond() -> None:
    before = time.time_ns() // 1_000_000
    value = uuid7()
    after = time.time_ns() // 1_000_000

    assert before <= uuid7_timestamp_ms(value) <= after


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """Monkeypatch that also restores the generator's state, so later ids use the real clock."""
    monkeypatch.setattr(ids, "_last_ms", ids._last_ms)
    monkeypatch.setattr(ids, "_counter", ids._counter)
    return monkeypatch


def test_ids_stay_ordered_when_the_clock_stands_still(clock: pytest.MonkeyPatch) -> None:
    # 5000 ids in one millisecond exhaust the 12-bit counter, which must borrow the next one.
    frozen_ns = (time.time_ns() // 1_000_000 + 10_000) * 1_000_000
    clock.setattr(time, "time_ns", lambda: frozen_ns)

    made = [uuid7() for _ in range(5000)]

    assert sorted(made) == made
    assert uuid7_timestamp_ms(made[0]) == frozen_ns // 1_000_000
    assert uuid7_timestamp_ms(made[-1]) == frozen_ns // 1_000_000 + 1


def test_ids_stay_ordered_when_the_clock_goes_back(clock: pytest.MonkeyPatch) -> None:
    first = uuid7()
    clock.setattr(time, "time_ns", lambda: 1_000_000_000 * 1_000_000)

    later = [uuid7() for _ in range(100)]

    assert all(first < value for value in later)
    assert sorted(later) == later


def test_the_real_clock_is_back_after_a_frozen_clock_test() -> None:
    now_ms = time.time_ns() // 1_000_000

    assert abs(uuid7_timestamp_ms(uuid7()) - now_ms) < 1000

"""Time-ordered UUIDv7 ids (RFC 9562), so primary keys sort by creation and index well."""

from __future__ import annotations

import os
import threading
import time
import uuid

_lock = threading.Lock()
_last_ms = 0
_counter = 0


def uuid7() -> uuid.UUID:
    """Return a new UUIDv7, monotonic within this process.

    The 12-bit ``rand_a`` field is used as a counter inside one millisecond (RFC 9562,
    method 1) so ids made in a burst still sort in creation order.
    """
    global _last_ms, _counter
    with _lock:
        now_ms = time.time_ns() // 1_000_000
        if now_ms > _last_ms:
            _last_ms = now_ms
            _counter = int.from_bytes(os.urandom(2), "big") & 0x3FF  # leave headroom
        else:
            _counter += 1
            if _counter > 0xFFF:  # counter exhausted: borrow the next millisecond
                _last_ms += 1
                _counter = 0
        ms, counter = _last_ms, _counter
    rand_b = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= counter << 64
    value |= 0b10 << 62
    value |= rand_b
    return uuid.UUID(int=value)


def new_id() -> str:
    """Return a new UUIDv7 as its canonical string."""
    return str(uuid7())


def uuid7_timestamp_ms(value: uuid.UUID) -> int:
    """Return the Unix millisecond timestamp embedded in a UUIDv7."""
    return value.int >> 80

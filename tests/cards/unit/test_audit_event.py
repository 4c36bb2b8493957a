"""Audit events refuse what must not be kept; the audit MAC keeps its key to itself."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from cards.adapters.crypto.audit_mac import HmacAuditMac
from cards.domain.audit import (
    INVALID_AUDIT_EVENT,
    MAX_DETAIL_VALUE_LENGTH,
    MAX_FIELD_LENGTH,
    AuditEvent,
)
from shared_kernel.domain.errors import InvalidInput
from tests.cards.audit_fakes import AUDIT_KEY, OTHER_KEY, START, event

pytestmark = pytest.mark.unit

PAN = "4111111111111111"


def test_an_event_time_is_kept_in_utc() -> None:
    paris = timezone(timedelta(hours=2))

    made = AuditEvent(
        action=event().action,
        actor="user-1",
        channel="API",
        tenant_id="tenant-1",
        subject="card-1",
        occurred_at=datetime(2030, 6, 1, 14, 0, tzinfo=paris),
    )

    assert made.occurred_at == START
    assert made.occurred_at.tzinfo is not None
    assert made.occurred_at.utcoffset() == timedelta(0)
    assert dict(made.details) == {}


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(InvalidInput) as raised:
        AuditEvent(**{**_fields(), "occurred_at": datetime(2030, 6, 1)})

    assert raised.value.code == INVALID_AUDIT_EVENT
    assert raised.value.problems[0].field == "occurred_at"


@pytest.mark.parametrize("name", ["actor", "channel"])
def test_an_event_without_actor_or_channel_is_refused(name: str) -> None:
    with pytest.raises(InvalidInput, match=f"The {name} of an audit event is required"):
        AuditEvent(**{**_fields(), name: ""})


def test_an_action_outside_the_vocabulary_is_refused() -> None:
    with pytest.raises(InvalidInput, match="must be an AuditAction"):
        AuditEvent(**{**_fields(), "action": "PAN_COPIED"})


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("subject", "x" * (MAX_FIELD_LENGTH + 1)),
        ("tenant_id", "tenant\x00"),
        ("details", {"reason": "x" * (MAX_DETAIL_VALUE_LENGTH + 1)}),
        ("details", {"": "empty name"}),
        ("details", {"count": 3}),
    ],
    ids=["too-long", "nul", "long-detail", "empty-key", "not-text"],
)
def test_a_field_that_cannot_be_stored_as_is_is_refused(name: str, value: object) -> None:
    with pytest.raises(InvalidInput) as raised:
        AuditEvent(**{**_fields(), name: value})

    assert raised.value.problems[0].field == name


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("details", {"note": f"revealed {PAN}"}),
        ("details", {"note": "4111 1111 1111 1111"}),
        ("details", {"note": "4111-1111-1111-1111 2030"}),
        ("details", {PAN: "as a key"}),
        ("subject", PAN),
        ("actor", f"x{PAN}"),
    ],
)
def test_a_card_number_anywhere_in_an_event_is_refused_without_echoing_it(
    name: str, value: object
) -> None:
    with pytest.raises(InvalidInput) as raised:
        AuditEvent(**{**_fields(), name: value})

    assert "card number" in raised.value.message
    assert PAN not in str(raised.value)
    assert "1111" not in repr(raised.value.problems)


@pytest.mark.parametrize(
    "value",
    [
        "last4=1111",
        "4111111111111112",
        "amountMinor=12500",
        "2030-06-01T12:00:00Z",
        "41111111111111110000",
    ],
)
def test_digits_that_are_no_card_number_are_kept(value: str) -> None:
    assert dict(event(details={"note": value}).details) == {"note": value}


def test_the_details_are_a_read_only_copy() -> None:
    given = {"reason": "lost"}
    made = event(details=given)
    given["reason"] = "changed"

    assert dict(made.details) == {"reason": "lost"}
    with pytest.raises(TypeError):
        made.details["reason"] = "changed"  # type: ignore[index]


def test_the_mac_is_hmac_sha256_in_hex() -> None:
    mac = HmacAuditMac(AUDIT_KEY).mac("0" * 64, b"{}")

    assert len(mac) == 64
    assert int(mac, 16) >= 0
    assert mac == HmacAuditMac(AUDIT_KEY).mac("0" * 64, b"{}")


def test_another_key_gives_another_mac() -> None:
    assert HmacAuditMac(AUDIT_KEY).mac("0", b"x") != HmacAuditMac(OTHER_KEY).mac("0", b"x")


def test_the_split_between_the_previous_mac_and_the_content_is_unambiguous() -> None:
    mac = HmacAuditMac(AUDIT_KEY)

    assert mac.mac("ab", b"c") != mac.mac("a", b"bc")


def test_a_short_key_is_refused_without_showing_it() -> None:
    with pytest.raises(ValueError, match="at least 32 bytes") as raised:
        HmacAuditMac(b"k" * 31)

    assert "kkkk" not in str(raised.value)


def test_the_repr_of_the_mac_hides_its_key() -> None:
    mac = HmacAuditMac(b"\xaa" * 32)

    assert repr(mac) == "HmacAuditMac(key=<hidden>)"
    assert "aa" not in repr(mac)
    assert "170" not in str(mac)
    assert not hasattr(mac, "__dict__")


def _fields() -> dict[str, Any]:
    made = event()
    return {
        "action": made.action,
        "actor": made.actor,
        "channel": made.channel,
        "tenant_id": made.tenant_id,
        "subject": made.subject,
        "occurred_at": made.occurred_at,
        "details": dict(made.details),
    }

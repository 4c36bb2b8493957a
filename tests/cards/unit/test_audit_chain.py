"""The audit chain: an intact log verifies, and every kind of tampering is found where it is."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from cards.application.audit.chain import canonical_bytes, next_entry
from cards.application.audit.verify import AuditProblem, AuditVerification, VerifyAuditLog
from cards.domain.audit import GENESIS_MAC, AuditAction, AuditEntry, AuditHead
from tests.cards.audit_fakes import OTHER_KEY, START, FakeAuditLog, FakeClock, audit_mac, event

pytestmark = pytest.mark.unit

ENTRIES = 6


@pytest.fixture
async def log() -> FakeAuditLog:
    log = FakeAuditLog()
    for number in range(1, ENTRIES + 1):
        await log.append(event(number))
    return log


async def verify(log: FakeAuditLog) -> AuditVerification:
    return await VerifyAuditLog(log, audit_mac())()


def broken(at: int, problem: AuditProblem) -> tuple[int | None, AuditProblem | None]:
    return at, problem


def where(report: AuditVerification) -> tuple[int | None, AuditProblem | None]:
    return report.broken_at, report.problem


async def test_an_intact_chain_verifies_every_entry(log: FakeAuditLog) -> None:
    report = await verify(log)

    assert report.ok
    assert report == AuditVerification(entries_checked=ENTRIES, last_sequence=ENTRIES)
    assert report.summary() == "audit log intact: 6 entries verified"


async def test_an_empty_log_verifies() -> None:
    report = await verify(FakeAuditLog())

    assert (report.ok, report.entries_checked, report.last_sequence) == (True, 0, 0)


async def test_each_entry_links_to_the_mac_of_the_one_before(log: FakeAuditLog) -> None:
    links = [entry.previous_mac for entry in log.stored]

    assert links == [GENESIS_MAC] + [entry.mac for entry in log.stored[:-1]]
    assert [entry.sequence for entry in log.stored] == list(range(1, ENTRIES + 1))
    assert len(set(links)) == ENTRIES


@pytest.mark.parametrize(
    "changes",
    [
        {"action": AuditAction.PAN_REVEALED},
        {"actor": "mallory"},
        {"channel": "BACKOFFICE"},
        {"tenant_id": "tenant-2"},
        {"subject": "card-99"},
        {"occurred_at": START + timedelta(days=1)},
        {"details": {"from": "ACTIVE", "to": "CLOSED"}},
        {"details": {}},
    ],
    ids=lambda changes: next(iter(changes)),
)
async def test_editing_any_field_of_an_entry_breaks_its_mac(
    log: FakeAuditLog, changes: dict[str, Any]
) -> None:
    log.edit_event(3, **changes)

    report = await verify(log)

    assert where(report) == broken(3, AuditProblem.MAC_MISMATCH)
    assert report.entries_checked == 3
    assert not report.ok


async def test_deleting_an_entry_leaves_a_gap_at_its_sequence(log: FakeAuditLog) -> None:
    log.delete(3)

    assert where(await verify(log)) == broken(3, AuditProblem.SEQUENCE_GAP)


async def test_deleting_the_first_entry_is_found_at_sequence_one(log: FakeAuditLog) -> None:
    log.delete(1)

    assert where(await verify(log)) == broken(1, AuditProblem.SEQUENCE_GAP)


async def test_deleting_the_last_entries_is_found_against_the_head(log: FakeAuditLog) -> None:
    log.delete(6)
    log.delete(5)

    report = await verify(log)

    assert where(report) == broken(5, AuditProblem.HEAD_MISMATCH)
    assert report.entries_checked == 4


async def test_swapping_two_entries_breaks_the_link_at_the_first(log: FakeAuditLog) -> None:
    third, fifth = log.at(3), log.at(5)
    log.overwrite(3, replace(fifth, sequence=3))
    log.overwrite(5, replace(third, sequence=5))

    assert where(await verify(log)) == broken(3, AuditProblem.WRONG_PREVIOUS_LINK)


async def test_swapping_two_entries_and_relinking_them_still_breaks_the_mac(
    log: FakeAuditLog,
) -> None:
    second, third, fifth = log.at(2), log.at(3), log.at(5)
    log.overwrite(3, replace(fifth, sequence=3, previous_mac=second.mac))
    log.overwrite(5, replace(third, sequence=5, previous_mac=log.at(4).mac))

    assert where(await verify(log)) == broken(3, AuditProblem.MAC_MISMATCH)


async def test_an_entry_forged_without_the_key_into_the_middle_is_found(
    log: FakeAuditLog,
) -> None:
    # The forger shifts the later entries up and writes a well-linked entry at 3 under a
    # key of their own: without ours its MAC cannot be right.
    for sequence in range(ENTRIES, 2, -1):
        log.overwrite(sequence, replace(log.at(sequence), sequence=sequence + 1))
    after_second = AuditHead(last_sequence=2, last_mac=log.at(2).mac)
    forged = next_entry(after_second, event(9), audit_mac(OTHER_KEY))
    log.stored.append(forged)
    log.head = replace(log.head, last_sequence=ENTRIES + 1)

    assert where(await verify(log)) == broken(3, AuditProblem.MAC_MISMATCH)


async def test_an_entry_forged_onto_the_end_is_found_with_or_without_moving_the_head(
    log: FakeAuditLog,
) -> None:
    forged = next_entry(log.head, event(9), audit_mac(OTHER_KEY))
    log.stored.append(forged)

    assert where(await verify(log)) == broken(7, AuditProblem.HEAD_MISMATCH)

    log.head = AuditHead(last_sequence=forged.sequence, last_mac=forged.mac)

    assert where(await verify(log)) == broken(7, AuditProblem.MAC_MISMATCH)


async def test_changing_a_mac_without_the_key_is_found_at_that_entry(log: FakeAuditLog) -> None:
    log.overwrite(4, replace(log.at(4), mac="f" * 64))

    assert where(await verify(log)) == broken(4, AuditProblem.MAC_MISMATCH)


async def test_changing_the_last_mac_is_found_even_if_the_head_follows(
    log: FakeAuditLog,
) -> None:
    log.overwrite(6, replace(log.at(6), mac="0" * 64))

    assert where(await verify(log)) == broken(6, AuditProblem.MAC_MISMATCH)


async def test_a_head_that_disagrees_with_the_last_mac_is_found(log: FakeAuditLog) -> None:
    log.head = replace(log.head, last_mac="a" * 64)

    assert where(await verify(log)) == broken(6, AuditProblem.HEAD_MISMATCH)


async def test_a_whole_chain_rewritten_under_another_key_fails_at_its_first_entry(
    log: FakeAuditLog,
) -> None:
    rewritten = FakeAuditLog(audit_mac(OTHER_KEY))
    for entry in log.stored:
        await rewritten.append(entry.event)

    assert where(await verify(rewritten)) == broken(1, AuditProblem.MAC_MISMATCH)


async def test_entries_beyond_a_missing_head_are_found() -> None:
    log = FakeAuditLog()
    await log.append(event())
    log.head = AuditHead()

    assert where(await verify(log)) == broken(1, AuditProblem.HEAD_MISMATCH)


async def test_an_entry_that_no_longer_decodes_is_found_at_its_sequence(
    log: FakeAuditLog,
) -> None:
    log.unreadable.add(4)

    report = await verify(log)

    assert where(report) == broken(4, AuditProblem.UNREADABLE_ENTRY)
    assert report.entries_checked == 4


async def test_an_undecodable_entry_after_a_gap_is_reported_as_the_gap(log: FakeAuditLog) -> None:
    log.delete(3)
    log.unreadable.add(4)

    assert where(await verify(log)) == broken(3, AuditProblem.SEQUENCE_GAP)


async def test_the_summary_of_a_broken_log_says_where_and_what_but_no_content(
    log: FakeAuditLog,
) -> None:
    log.edit_event(2, actor="mallory")

    summary = (await verify(log)).summary()

    assert summary == (
        "audit log BROKEN at sequence 2: MAC_MISMATCH (2 entries checked, head at 6)"
    )
    assert "mallory" not in summary


async def test_a_verification_is_itself_recorded_in_the_log(log: FakeAuditLog) -> None:
    verify_log = VerifyAuditLog(log, audit_mac(), recorder=log, clock=FakeClock())

    await verify_log(actor="auditor-1", channel="CLI")

    recorded = log.at(ENTRIES + 1).event
    assert (recorded.action, recorded.actor, recorded.channel) == (
        AuditAction.AUDIT_VERIFIED,
        "auditor-1",
        "CLI",
    )
    assert dict(recorded.details) == {"entriesChecked": "6", "result": "INTACT"}
    assert (await verify_log()).ok


async def test_a_broken_verification_records_where_the_chain_broke(log: FakeAuditLog) -> None:
    log.delete(2)

    await VerifyAuditLog(log, audit_mac(), recorder=log, clock=FakeClock())()

    recorded = log.stored[-1].event
    assert dict(recorded.details) == {
        "entriesChecked": "2",
        "result": "SEQUENCE_GAP",
        "brokenAt": "2",
    }
    assert (recorded.actor, recorded.tenant_id, recorded.subject) == ("system", "", "")


async def test_without_a_recorder_verifying_writes_nothing(log: FakeAuditLog) -> None:
    await verify(log)

    assert len(log.stored) == ENTRIES


def test_the_canonical_encoding_ignores_the_order_details_were_given_in() -> None:
    one = event(details={"a": "1", "b": "2"})
    other = event(details={"b": "2", "a": "1"})

    assert canonical_bytes(1, one) == canonical_bytes(1, other)


def test_the_canonical_encoding_covers_the_sequence() -> None:
    assert canonical_bytes(1, event()) != canonical_bytes(2, event())


def test_the_canonical_encoding_keeps_field_boundaries() -> None:
    split_one = replace(event(), actor="ab", channel="c")
    split_other = replace(event(), actor="a", channel="bc")
    in_details = event(details={"a": "b,c"})
    two_details = event(details={"a": "b", "c": ""})

    assert canonical_bytes(1, split_one) != canonical_bytes(1, split_other)
    assert canonical_bytes(1, in_details) != canonical_bytes(1, two_details)


def test_the_canonical_encoding_is_pinned() -> None:
    # Changing the encoding would break every chain already written: this must never move.
    expected = (
        b'{"action":"CARD_STATUS_CHANGED","actor":"user-1","channel":"API",'
        b'"details":{"from":"ACTIVE","to":"SUSPENDED"},"occurredAt":"2030-06-01T12:01:00.000000+00:00",'
        b'"sequence":1,"subject":"card-1","tenantId":"tenant-1","v":1}'
    )

    assert canonical_bytes(1, event()) == expected


def test_a_non_ascii_value_encodes_unambiguously() -> None:
    encoded = canonical_bytes(1, replace(event(), actor="Zoë \u2028"))

    assert b"Zo\\u00eb \\u2028" in encoded


async def test_an_entry_is_equal_to_itself_read_back(log: FakeAuditLog) -> None:
    read = [entry async for entry in log.entries()]

    assert read == log.stored
    assert all(isinstance(entry, AuditEntry) for entry in read)

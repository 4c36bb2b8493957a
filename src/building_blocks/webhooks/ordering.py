"""Per-key delivery order: when a keyed delivery may be claimed and when it may be replayed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from building_blocks.webhooks.tables import DeliveryStatus

# Deliveries of a key still on their way to Toqio: they hold back every later one of the key.
UNSETTLED = (DeliveryStatus.PENDING, DeliveryStatus.DELIVERING)

# Deliveries the dispatcher gave up on; only these can be replayed.
GAVE_UP = (DeliveryStatus.FAILED, DeliveryStatus.EXPIRED)

# FAILED and EXPIRED are settled: they do NOT hold back later deliveries of their key.
#
# Holding them back (head-of-line blocking) would freeze a transaction's webhooks until an
# operator acts, and leave Toqio on an ever staler status: a 4xx is Toqio refusing that one
# body, which waiting does not fix, and an EXPIRED delivery has already held its successors
# back for the whole 72 h window while it was PENDING. Moving on keeps what does reach Toqio
# in order: a delivery is sent only after every earlier one of its key has settled.
#
# The price is paid in ``replay()``: re-sending a settled delivery after a later one of its
# key was (or may yet be) sent would give Toqio the older status last. So a delivery is
# replayed only while every later delivery of its key is FAILED or EXPIRED too; replaying
# the oldest first keeps them in order, since the replayed one holds the later ones back.
#
# A keyed delivery's 72 h retry window starts at its first attempt (see ``claim_due``), so
# one that waited long behind its predecessor still gets its full round of retries.


def earlier(row: sa.FromClause, than: sa.FromClause) -> sa.ColumnElement[bool]:
    """Whether ``row`` comes before ``than`` in enqueue order: ``created_at``, then id.

    Spelt out instead of a row-value comparison, which not every SQLite build supports.
    """
    return sa.or_(
        row.c.created_at < than.c.created_at,
        sa.and_(row.c.created_at == than.c.created_at, row.c.id < than.c.id),
    )


def in_turn(deliveries: sa.Table) -> sa.ColumnElement[bool]:
    """Whether a row of ``deliveries`` is next of its ordering key: no earlier one unsettled.

    Key-less rows always are: ``NULL = NULL`` is never true, so nothing counts as earlier.

    Under ``FOR UPDATE SKIP LOCKED`` this still admits one delivery per key at a time: a row
    another dispatcher has locked to claim is skipped but not hidden from this probe, which
    sees it PENDING (claim not committed yet) or DELIVERING (committed), never settled. And
    within one batch only the first unsettled row of a key can pass, as it is earlier than
    the rest.
    """
    before = deliveries.alias("earlier_delivery")
    return ~sa.exists().where(
        before.c.ordering_key == deliveries.c.ordering_key,
        before.c.status.in_(UNSETTLED),
        earlier(before, deliveries),
    )


@dataclass(frozen=True)
class Replay:
    """A FAILED or EXPIRED delivery an operator asked to send again.

    Attributes:
        webhook_type: the delivery's webhook type.
        superseded_by: a later delivery of the same ordering key that was sent, is being
            sent or is queued; the replay was refused so as not to send an older status
            after it. None when the delivery was replayed.
    """

    webhook_type: str
    superseded_by: str | None = None


async def replay_in_order(
    session: AsyncSession, deliveries: sa.Table, delivery_id: str, now: datetime
) -> Replay | None:
    """Make a FAILED or EXPIRED delivery PENDING again unless that breaks its key's order.

    The caller commits when the result says it was replayed.

    Returns:
        What happened, or None if the delivery is unknown or not FAILED/EXPIRED.
    """
    d = deliveries
    target = (
        await session.execute(
            sa.select(d.c.webhook_type, d.c.ordering_key)
            .where(d.c.id == delivery_id, d.c.status.in_(GAVE_UP))
            .with_for_update()
        )
    ).one_or_none()
    if target is None:
        return None
    webhook_type = str(target.webhook_type)
    if target.ordering_key is not None:
        # Every later row of the key is locked whatever its status, so a concurrent replay
        # or claim of one of them is waited for and its outcome seen here; filtering on
        # status in SQL would pass over rows whose change is not committed yet.
        later = d.alias("later_delivery")
        rows = await session.execute(
            sa.select(later.c.id, later.c.status)
            .where(
                d.c.id == delivery_id,
                later.c.ordering_key == d.c.ordering_key,
                earlier(d, later),
            )
            .order_by(later.c.created_at, later.c.id)
            .with_for_update(of=later)
        )
        for row in rows:
            if row.status not in GAVE_UP:
                return Replay(webhook_type, superseded_by=str(row.id))
    await session.execute(
        d.update()
        .where(d.c.id == delivery_id)
        .values(
            status=DeliveryStatus.PENDING,
            next_attempt_at=now,
            window_started_at=now,
            attempts_before_window=d.c.attempts,
        )
    )
    return Replay(webhook_type)

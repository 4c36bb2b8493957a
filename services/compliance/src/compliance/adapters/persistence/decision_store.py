"""SqlAlchemyDecisionStore: decisions with their outcomes, event and review case, stored at once."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import msgspec
import sqlalchemy as sa

from building_blocks.outbox import Outbox
from building_blocks.persistence import Database, dialect_insert
from compliance.adapters.persistence.decision_tables import decisions, review_cases, rule_outcomes
from compliance.domain.monitoring.decision import (
    Decision,
    MonitoringStatus,
    Reason,
    RuleOutcome,
    Verdict,
)
from compliance.domain.monitoring.transaction import (
    Beneficiary,
    MonitoredTransaction,
    PartyType,
)
from shared_kernel.contracts import Envelope, IntegrationMessage
from shared_kernel.domain.ids import new_id
from shared_kernel.domain.money import Money

PENDING_CASE = "PENDING"


class _Party(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    type: PartyType
    name: str
    iban: str
    bic: str
    account_number: str
    bank_country: str
    country: str


class _Request(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """A ``MonitoredTransaction`` as kept in ``decisions.request``; money in minor units."""

    transaction_id: str
    customer_id: str
    client_id: str
    source_account_id: str
    amount_minor: int
    currency: str
    beneficiary: _Party
    created_at: datetime
    beneficiary_account_id: str
    user_id: str
    scheme: str
    concept: str
    reference: str
    purpose_code: str
    is_fx: bool
    own_accounts: bool


_request_decoder = msgspec.json.Decoder(_Request)
_reasons_decoder = msgspec.json.Decoder(tuple[Reason, ...])
_strings_decoder = msgspec.json.Decoder(tuple[str, ...])
_inputs_decoder = msgspec.json.Decoder(dict[str, str])


def _json(value: object) -> str:
    return msgspec.json.encode(value).decode()


def _fields(
    value: MonitoredTransaction | Beneficiary, *, but: tuple[str, ...] = ()
) -> dict[str, Any]:
    return {f.name: getattr(value, f.name) for f in dataclasses.fields(value) if f.name not in but}


_COMPOSITE = ("amount", "beneficiary")


def request_to_json(tx: MonitoredTransaction) -> str:
    """``tx`` as the JSON kept beside its decision."""
    return _json(
        _Request(
            **_fields(tx, but=_COMPOSITE),
            amount_minor=tx.amount.minor,
            currency=tx.amount.currency.code,
            beneficiary=_Party(**_fields(tx.beneficiary)),
        )
    )


def request_from_json(raw: str | bytes) -> MonitoredTransaction:
    """The transaction ``request_to_json`` stored (for the review case)."""
    request = _request_decoder.decode(raw)
    plain = msgspec.structs.asdict(request)
    for composite in ("amount_minor", "currency", "beneficiary"):
        del plain[composite]
    return MonitoredTransaction(
        **plain,
        amount=Money.of(request.amount_minor, request.currency),
        beneficiary=Beneficiary(**msgspec.structs.asdict(request.beneficiary)),
    )


def _decision_row(decision: Decision, tx: MonitoredTransaction) -> dict[str, Any]:
    return {
        "decision_id": decision.decision_id,
        "customer_id": decision.customer_id,
        "transaction_id": decision.transaction_id,
        "client_id": decision.client_id,
        "status": decision.status.value,
        "risk_score": decision.risk_score,
        "reasons": _json(decision.reasons),
        "decided_at": decision.decided_at,
        "decided_by": decision.decided_by,
        "rule_set_id": decision.rule_set_id,
        "rule_set_version": decision.rule_set_version,
        "sanctions_versions": _json(decision.sanctions_versions),
        "shadow_status": decision.shadow_status.value if decision.shadow_status else None,
        "amount_minor": decision.amount_minor,
        "currency": decision.currency,
        "request": request_to_json(tx),
    }


def _outcome_rows(decision: Decision) -> list[dict[str, Any]]:
    return [
        {
            "decision_id": decision.decision_id,
            "shadow": shadow,
            "position": position,
            "rule_id": outcome.rule_id,
            "kind": outcome.kind,
            "verdict": outcome.verdict.value,
            "score": outcome.score,
            "explanation": outcome.explanation,
            "inputs": _json(dict(outcome.inputs)),
            "overridable": outcome.overridable,
        }
        for shadow, outcomes in ((False, decision.outcomes), (True, decision.shadow_outcomes))
        for position, outcome in enumerate(outcomes)
    ]


def _outcome(row: sa.RowMapping) -> RuleOutcome:
    return RuleOutcome(
        rule_id=row["rule_id"],
        kind=row["kind"],
        verdict=Verdict(row["verdict"]),
        score=row["score"],
        explanation=row["explanation"],
        inputs=_inputs_decoder.decode(row["inputs"]),
        overridable=row["overridable"],
    )


def _decision(row: sa.RowMapping, outcomes: Sequence[sa.RowMapping]) -> Decision:
    shadow_status = row["shadow_status"]
    return Decision(
        decision_id=row["decision_id"],
        transaction_id=row["transaction_id"],
        customer_id=row["customer_id"],
        client_id=row["client_id"],
        status=MonitoringStatus(row["status"]),
        risk_score=row["risk_score"],
        reasons=_reasons_decoder.decode(row["reasons"]),
        outcomes=tuple(_outcome(o) for o in outcomes if not o["shadow"]),
        decided_at=row["decided_at"],
        decided_by=row["decided_by"],
        rule_set_id=row["rule_set_id"],
        rule_set_version=row["rule_set_version"],
        sanctions_versions=_strings_decoder.decode(row["sanctions_versions"]),
        shadow_status=None if shadow_status is None else MonitoringStatus(shadow_status),
        shadow_outcomes=tuple(_outcome(o) for o in outcomes if o["shadow"]),
        amount_minor=row["amount_minor"],
        currency=row["currency"],
    )


class SqlAlchemyDecisionStore:
    """``DecisionStore`` on ``decisions``, ``rule_outcomes``, ``review_cases`` and the outbox."""

    def __init__(
        self, database: Database, outbox: Outbox, *, wake_relay: Callable[[], None] = lambda: None
    ) -> None:
        self._database = database
        self._outbox = outbox
        self._wake_relay = wake_relay

    async def find(self, customer_id: str, transaction_id: str) -> Decision | None:
        """The stored decision, with its outcomes and shadow outcomes, else ``None``."""
        d, o = decisions.c, rule_outcomes.c
        async with self._database.sessions.begin() as session:
            found = await session.execute(
                sa.select(decisions).where(
                    d.customer_id == customer_id, d.transaction_id == transaction_id
                )
            )
            row = found.mappings().one_or_none()
            if row is None:
                return None
            outcomes = await session.execute(
                sa.select(rule_outcomes)
                .where(o.decision_id == row["decision_id"])
                .order_by(o.shadow, o.position)
            )
            return _decision(row, outcomes.mappings().all())

    async def add(
        self, decision: Decision, tx: MonitoredTransaction, *, announce: IntegrationMessage
    ) -> bool:
        """Store the decision, its outcomes, its event and (when held) its review case.

        Returns:
            ``False``, having written nothing, when the transaction has a decision already.
        """
        async with self._database.sessions.begin() as session:
            # ON CONFLICT DO NOTHING rather than catching IntegrityError: a failed INSERT aborts
            # a PostgreSQL transaction, and a concurrent insert of the same transaction makes
            # this one wait for it, then yield if it committed.
            statement = (
                dialect_insert(self._database, decisions)
                .values(_decision_row(decision, tx))
                .on_conflict_do_nothing()
                .returning(decisions.c.decision_id)
            )
            if (await session.execute(statement)).scalar_one_or_none() is None:
                return False
            if rows := _outcome_rows(decision):
                await session.execute(sa.insert(rule_outcomes), rows)
            envelope = Envelope.wrap(announce, correlation_id=decision.transaction_id)
            await self._outbox.add(session, envelope)
            if decision.status is MonitoringStatus.PENDING_EXTERNAL_APPROVAL:
                await session.execute(sa.insert(review_cases).values(_case_row(decision)))
        self._wake_relay()
        return True


def _case_row(decision: Decision) -> dict[str, Any]:
    return {
        "case_id": new_id(),
        "decision_id": decision.decision_id,
        "customer_id": decision.customer_id,
        "client_id": decision.client_id,
        "transaction_id": decision.transaction_id,
        "status": PENDING_CASE,
        "amount_minor": decision.amount_minor,
        "currency": decision.currency,
        "risk_score": decision.risk_score,
        "created_at": decision.decided_at,
        "decided_at": None,
    }

"""Rules as JSON: the camelCase shape stored in ``rule_sets.rules`` and accepted by the admin API.

Each rule is an object tagged by ``kind`` (``AMOUNT_THRESHOLD``, ``VELOCITY``,
``NEW_BENEFICIARY``, ``COUNTRY_RISK``, ``LIST``, ``SANCTIONS``); amounts are minor units of the
rule set's base currency. Omitted optional fields take the domain's defaults.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import msgspec
from msgspec import Meta

from compliance.domain.monitoring.rules import (
    AmountThreshold,
    CountryRisk,
    ListAction,
    ListMatch,
    NewBeneficiary,
    Rule,
    RuleSet,
    SanctionsScreening,
    Velocity,
    VelocityScope,
)
from compliance.domain.sanctions.names import normalise
from shared_kernel.domain.errors import InvalidInput

INVALID_RULE_SET = "INVALID_RULE_SET"

RuleId = Annotated[str, Meta(min_length=1, max_length=64)]
Score = Annotated[int, Meta(ge=0, le=100)]
Minor = Annotated[int, Meta(ge=0)]
Count = Annotated[int, Meta(ge=0)]
Seconds = Annotated[int, Meta(gt=0)]
Threshold = Annotated[float, Meta(gt=0, le=1)]
Country = Annotated[str, Meta(pattern="^[A-Za-z]{2}$")]
Entry = Annotated[str, Meta(min_length=1, max_length=200)]


class _RuleSchema(
    msgspec.Struct,
    frozen=True,
    kw_only=True,
    rename="camel",
    tag_field="kind",
    forbid_unknown_fields=True,  # we own both ends: a misspelt limit must not pass silently
):
    rule_id: RuleId


# Defaults mirror the domain's; a unit test pins them together.
class AmountThresholdSchema(_RuleSchema, frozen=True, tag="AMOUNT_THRESHOLD"):
    """``AmountThreshold``."""

    review_above_minor: Minor | None = None
    reject_above_minor: Minor | None = None
    score: Score = 30


class VelocitySchema(_RuleSchema, frozen=True, tag="VELOCITY"):
    """``Velocity``."""

    scope: VelocityScope
    window_seconds: Seconds
    max_count: Count | None = None
    max_sum_minor: Minor | None = None
    reject: bool = False
    score: Score = 25


class NewBeneficiarySchema(_RuleSchema, frozen=True, tag="NEW_BENEFICIARY"):
    """``NewBeneficiary``."""

    above_minor: Minor
    score: Score = 20


class CountryRiskSchema(_RuleSchema, frozen=True, tag="COUNTRY_RISK"):
    """``CountryRisk``; ISO 3166 alpha-2 codes, either case."""

    high_risk: tuple[Country, ...] = ()
    sanctioned: tuple[Country, ...] = ()
    score: Score = 40


class ListSchema(_RuleSchema, frozen=True, tag="LIST"):
    """``ListMatch``; names are normalised like payee names, IBANs compacted."""

    action: ListAction
    merchants: tuple[Entry, ...] = ()
    ibans: tuple[Entry, ...] = ()
    names: tuple[Entry, ...] = ()


class SanctionsSchema(_RuleSchema, frozen=True, tag="SANCTIONS"):
    """``SanctionsScreening``; match scores run from 0 to 1."""

    review_at: Threshold = 0.88
    reject_at: Threshold = 0.97
    score: Score = 60


RuleSchema = (
    AmountThresholdSchema
    | VelocitySchema
    | NewBeneficiarySchema
    | CountryRiskSchema
    | ListSchema
    | SanctionsSchema
)

_decoder = msgspec.json.Decoder(list[RuleSchema])
_encoder = msgspec.json.Encoder()
# RuleSet checks its rules on construction; a throwaway one runs those checks on decoded rules.
_CHECKED_AT = datetime(2000, 1, 1, tzinfo=UTC)


def _name(name: str) -> str:
    return " ".join(normalise(name))


def _compact(values: tuple[str, ...]) -> frozenset[str]:
    cleaned = (value.replace(" ", "").upper() for value in values)
    return frozenset(value for value in cleaned if value)


def rule_from_schema(schema: RuleSchema) -> Rule:
    """The domain rule ``schema`` describes (not yet checked against the domain's rules)."""
    match schema:
        case AmountThresholdSchema():
            return AmountThreshold(
                schema.rule_id, schema.review_above_minor, schema.reject_above_minor, schema.score
            )
        case VelocitySchema():
            return Velocity(
                schema.rule_id,
                schema.scope,
                schema.window_seconds,
                schema.max_count,
                schema.max_sum_minor,
                schema.reject,
                schema.score,
            )
        case NewBeneficiarySchema():
            return NewBeneficiary(schema.rule_id, schema.above_minor, schema.score)
        case CountryRiskSchema():
            return CountryRisk(
                schema.rule_id,
                _compact(schema.high_risk),
                _compact(schema.sanctioned),
                schema.score,
            )
        case ListSchema():
            names = frozenset(name for name in map(_name, schema.names) if name)
            merchants = frozenset(m.strip() for m in schema.merchants) - {""}
            return ListMatch(
                schema.rule_id, schema.action, merchants, _compact(schema.ibans), names
            )
        case SanctionsSchema():
            return SanctionsScreening(
                schema.rule_id, schema.review_at, schema.reject_at, schema.score
            )


def rule_to_schema(rule: Rule) -> RuleSchema:
    """``rule`` in its JSON shape; set members are sorted so equal rules encode equally."""
    match rule:
        case AmountThreshold():
            return AmountThresholdSchema(
                rule_id=rule.rule_id,
                review_above_minor=rule.review_above_minor,
                reject_above_minor=rule.reject_above_minor,
                score=rule.score,
            )
        case Velocity():
            return VelocitySchema(
                rule_id=rule.rule_id,
                scope=rule.scope,
                window_seconds=rule.window_seconds,
                max_count=rule.max_count,
                max_sum_minor=rule.max_sum_minor,
                reject=rule.reject,
                score=rule.score,
            )
        case NewBeneficiary():
            return NewBeneficiarySchema(
                rule_id=rule.rule_id, above_minor=rule.above_minor, score=rule.score
            )
        case CountryRisk():
            return CountryRiskSchema(
                rule_id=rule.rule_id,
                high_risk=tuple(sorted(rule.high_risk)),
                sanctioned=tuple(sorted(rule.sanctioned)),
                score=rule.score,
            )
        case ListMatch():
            return ListSchema(
                rule_id=rule.rule_id,
                action=rule.action,
                merchants=tuple(sorted(rule.merchants)),
                ibans=tuple(sorted(rule.ibans)),
                names=tuple(sorted(rule.names)),
            )
        case SanctionsScreening():
            return SanctionsSchema(
                rule_id=rule.rule_id,
                review_at=rule.review_at,
                reject_at=rule.reject_at,
                score=rule.score,
            )


def rules_from_schemas(schemas: list[RuleSchema]) -> tuple[Rule, ...]:
    """The domain rules, checked as a rule set checks them.

    Raises:
        InvalidInput: ``INVALID_RULE_SET`` naming the rule and what is wrong with it.
    """
    rules = tuple(rule_from_schema(schema) for schema in schemas)
    RuleSet("check", "check", 1, "EUR", rules, _CHECKED_AT)
    return rules


def rules_from_json(raw: bytes | str) -> tuple[Rule, ...]:
    """Decode a JSON array of rules.

    Raises:
        InvalidInput: ``INVALID_RULE_SET`` for malformed JSON, an unknown ``kind``, a missing
            or out-of-range field (with its JSON path, such as ``$[1].windowSeconds``), or
            rules the domain refuses.
    """
    try:
        schemas = _decoder.decode(raw)
    except msgspec.ValidationError as error:
        raise InvalidInput(f"Invalid rule set: {error}", code=INVALID_RULE_SET) from error
    except msgspec.DecodeError as error:
        raise InvalidInput(f"Rule set is not valid JSON: {error}", code=INVALID_RULE_SET) from error
    return rules_from_schemas(schemas)


def rules_to_json(rules: tuple[Rule, ...] | list[Rule]) -> str:
    """Encode rules as the JSON array ``rules_from_json`` reads."""
    return _encoder.encode([rule_to_schema(rule) for rule in rules]).decode()

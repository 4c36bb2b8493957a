"""The rule set JSON codec: every kind round-trips, and bad input gets a clear INVALID_RULE_SET."""

from __future__ import annotations

import json

import pytest

from compliance.application.monitoring.rule_set_codec import rules_from_json, rules_to_json
from compliance.domain.monitoring.rules import (
    AmountThreshold,
    CountryRisk,
    ListAction,
    ListMatch,
    NewBeneficiary,
    Rule,
    SanctionsScreening,
    Velocity,
    VelocityScope,
)
from shared_kernel.domain.errors import InvalidInput

pytestmark = pytest.mark.unit

EVERY_KIND: tuple[Rule, ...] = (
    AmountThreshold("large", review_above_minor=10_000_00, reject_above_minor=50_000_00, score=35),
    Velocity(
        "burst", VelocityScope.SOURCE_ACCOUNT, 3600, max_count=5, max_sum_minor=9, reject=True
    ),
    NewBeneficiary("new", above_minor=500_00, score=15),
    CountryRisk("countries", high_risk=frozenset({"NG", "PA"}), sanctioned=frozenset({"KP"})),
    ListMatch(
        "block",
        ListAction.BLOCK,
        merchants=frozenset({"client-7"}),
        ibans=frozenset({"DE89370400440532013000"}),
        names=frozenset({"acme", "ivan petrov"}),
    ),
    SanctionsScreening("sanctions", review_at=0.9, reject_at=0.99, score=70),
)


def invalid(raw: object) -> InvalidInput:
    text = raw if isinstance(raw, str) else json.dumps(raw)
    with pytest.raises(InvalidInput) as raised:
        rules_from_json(text)
    assert raised.value.code == "INVALID_RULE_SET"
    return raised.value


@pytest.mark.parametrize("rule", EVERY_KIND, ids=lambda rule: rule.kind)
def test_every_kind_of_rule_round_trips_through_json(rule: Rule) -> None:
    assert rules_from_json(rules_to_json((rule,))) == (rule,)


def test_rules_are_written_in_camel_case_tagged_by_kind() -> None:
    written = json.loads(rules_to_json(EVERY_KIND))

    assert [rule["kind"] for rule in written] == [rule.kind for rule in EVERY_KIND]
    assert written[1]["windowSeconds"] == 3600
    assert written[1]["scope"] == "SOURCE_ACCOUNT"
    assert written[3]["highRisk"] == ["NG", "PA"]


def test_equal_rules_encode_to_the_same_json() -> None:
    names = frozenset({"zeta", "alpha", "mid"})
    one = ListMatch("allow", ListAction.ALLOW, names=names)
    other = ListMatch("allow", ListAction.ALLOW, names=frozenset(sorted(names, reverse=True)))

    assert rules_to_json((one,)) == rules_to_json((other,))


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"ruleId": "a", "reviewAboveMinor": 1}, AmountThreshold("a", review_above_minor=1)),
        (
            {"ruleId": "v", "scope": "MERCHANT", "windowSeconds": 60, "maxCount": 2},
            Velocity("v", VelocityScope.MERCHANT, 60, max_count=2),
        ),
        ({"ruleId": "n", "aboveMinor": 5}, NewBeneficiary("n", above_minor=5)),
        ({"ruleId": "c"}, CountryRisk("c")),
        ({"ruleId": "l", "action": "ALLOW"}, ListMatch("l", ListAction.ALLOW)),
        ({"ruleId": "s"}, SanctionsScreening("s")),
    ],
    ids=lambda value: getattr(value, "kind", ""),
)
def test_omitted_fields_take_the_domain_defaults(given: dict[str, object], expected: Rule) -> None:
    assert rules_from_json(json.dumps([{"kind": expected.kind, **given}])) == (expected,)


def test_list_entries_are_normalised_like_payee_names_and_ibans() -> None:
    raw = [
        {
            "kind": "LIST",
            "ruleId": "allow",
            "action": "ALLOW",
            "merchants": [" client-1 "],
            "ibans": ["de89 3704 0044 0532 0130 00"],
            "names": ["Mr. José  ÁLVAREZ", "ACME Ltd."],
        }
    ]

    (rule,) = rules_from_json(json.dumps(raw))

    assert rule == ListMatch(
        "allow",
        ListAction.ALLOW,
        merchants=frozenset({"client-1"}),
        ibans=frozenset({"DE89370400440532013000"}),
        names=frozenset({"jose alvarez", "acme ltd"}),
    )


def test_country_codes_are_upper_cased() -> None:
    (rule,) = rules_from_json('[{"kind": "COUNTRY_RISK", "ruleId": "c", "sanctioned": ["kp"]}]')

    assert rule == CountryRisk("c", sanctioned=frozenset({"KP"}))


def test_malformed_json_is_an_invalid_rule_set() -> None:
    assert "not valid JSON" in invalid('[{"kind": "SANCTIONS",').message


def test_an_unknown_kind_is_an_invalid_rule_set_naming_it() -> None:
    error = invalid([{"kind": "MOON_PHASE", "ruleId": "m"}])

    assert "MOON_PHASE" in error.message
    assert "$[0].kind" in error.message


@pytest.mark.parametrize(
    ("rule", "path"),
    [
        ({"kind": "AMOUNT_THRESHOLD", "ruleId": "a", "reviewAboveMinor": "10"}, "reviewAboveMinor"),
        ({"kind": "AMOUNT_THRESHOLD", "ruleId": "a", "reviewAboveMinor": -1}, "reviewAboveMinor"),
        ({"kind": "VELOCITY", "ruleId": "v", "scope": "PLANET", "windowSeconds": 9}, "scope"),
        ({"kind": "VELOCITY", "ruleId": "v", "scope": "MERCHANT"}, "windowSeconds"),
        ({"kind": "NEW_BENEFICIARY", "ruleId": "n", "aboveMinor": 1, "score": 101}, "score"),
        ({"kind": "COUNTRY_RISK", "ruleId": "c", "highRisk": ["Nigeria"]}, "highRisk"),
        ({"kind": "SANCTIONS", "ruleId": "s", "reviewAt": 1.5}, "reviewAt"),
        ({"kind": "SANCTIONS", "ruleId": "", "reviewAt": 0.5}, "ruleId"),
        ({"kind": "LIST", "ruleId": "l", "action": "ALLOW", "colour": "red"}, "colour"),
    ],
)
def test_a_bad_value_is_an_invalid_rule_set_naming_its_field(
    rule: dict[str, object], path: str
) -> None:
    error = invalid([rule])

    assert "$[0]" in error.message
    assert path in error.message


@pytest.mark.parametrize(
    ("rules", "words"),
    [
        ([{"kind": "AMOUNT_THRESHOLD", "ruleId": "a"}], "rule a: needs review_above_minor"),
        (
            [{"kind": "VELOCITY", "ruleId": "v", "scope": "MERCHANT", "windowSeconds": 60}],
            "rule v: needs max_count or max_sum_minor",
        ),
        ([{"kind": "SANCTIONS", "ruleId": "s", "reviewAt": 0.99, "rejectAt": 0.9}], "rule s:"),
        ([{"kind": "SANCTIONS", "ruleId": "x"}, {"kind": "SANCTIONS", "ruleId": "x"}], "unique"),
    ],
)
def test_rules_the_domain_refuses_are_an_invalid_rule_set(
    rules: list[dict[str, object]], words: str
) -> None:
    assert words in invalid(rules).message

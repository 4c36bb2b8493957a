"""The rule set a customer gets until it configures its own (version 0, in euros).

Conservative on purpose: it holds for review what a reasonable compliance officer would want
to see, and rejects only sanctioned countries and confirmed sanctions hits. The country lists
follow the EU's high-risk third countries (Delegated Regulation (EU) 2016/1675 as amended) and
comprehensive UN/EU/US embargoes; customers should replace them with their own policy.
"""

from __future__ import annotations

from datetime import datetime

from compliance.domain.monitoring.rules import (
    AmountThreshold,
    CountryRisk,
    NewBeneficiary,
    RuleSet,
    SanctionsScreening,
    Velocity,
    VelocityScope,
)

DEFAULT_RULE_SET_ID = "default"
HOUR, DAY, MONTH = 3600, 86_400, 30 * 86_400
HIGH_RISK_COUNTRIES = frozenset(
    {"AF", "BF", "CM", "CD", "HT", "JM", "ML", "MZ", "MM", "NG", "PH", "SN", "SS", "TZ",
     "TT", "UG", "VU", "VN", "YE", "VE", "BB", "PA", "GI", "ZA"}
)  # fmt: skip
SANCTIONED_COUNTRIES = frozenset({"KP", "IR", "SY", "CU"})


def default_rule_set(customer_id: str, now: datetime) -> RuleSet:
    """Version 0 of ``customer_id``'s rules."""
    return RuleSet(
        rule_set_id=DEFAULT_RULE_SET_ID,
        customer_id=customer_id,
        version=0,
        base_currency="EUR",
        created_at=now,
        rules=(
            AmountThreshold("large-amount", review_above_minor=10_000_00),
            Velocity("merchant-burst", VelocityScope.MERCHANT, HOUR, max_count=20),
            Velocity("merchant-monthly", VelocityScope.MERCHANT, MONTH, max_sum_minor=250_000_00),
            Velocity("account-daily", VelocityScope.SOURCE_ACCOUNT, DAY, max_sum_minor=50_000_00),
            Velocity(
                "beneficiary-daily",
                VelocityScope.BENEFICIARY,
                DAY,
                max_count=5,
                max_sum_minor=20_000_00,
            ),
            NewBeneficiary("new-beneficiary", above_minor=5_000_00),
            CountryRisk(
                "country-risk", high_risk=HIGH_RISK_COUNTRIES, sanctioned=SANCTIONED_COUNTRIES
            ),
            SanctionsScreening("sanctions"),
        ),
    )

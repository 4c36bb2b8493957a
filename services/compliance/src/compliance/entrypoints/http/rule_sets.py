"""``/admin/rule-sets``: a customer's versioned rules, created and switched by the admin.

Needs the app dependency ``manage_rule_sets`` (ManageRuleSets); served behind the admin guard.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from litestar import Controller, Response, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from building_blocks.web import CamelStruct, Ok, ok
from compliance.application.monitoring.rule_set_admin import ManageRuleSets
from compliance.application.monitoring.rule_set_codec import (
    RuleSchema,
    rule_to_schema,
    rules_from_schemas,
)
from compliance.domain.monitoring.rules import RuleSet, RuleSetMode

Id = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")]
Mode = Literal["ACTIVE", "SHADOW", "RETIRED"]


class RuleSetRequest(CamelStruct, frozen=True, kw_only=True):
    """A new version of a rule set."""

    customer_id: Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
    rule_set_id: Id
    base_currency: Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z]{3}$")] = "EUR"
    mode: Mode = "SHADOW"
    rules: Annotated[list[RuleSchema], msgspec.Meta(min_length=1, max_length=200)]


class SwitchRequest(CamelStruct, frozen=True, kw_only=True):
    """Which part a version plays from now on."""

    mode: Mode


class RuleSetResponse(CamelStruct, frozen=True, kw_only=True):
    """One version of a rule set."""

    customer_id: str
    rule_set_id: str
    version: int
    base_currency: str
    mode: str
    created_at: datetime
    rules: list[RuleSchema]

    @classmethod
    def of(cls, rule_set: RuleSet) -> RuleSetResponse:
        return cls(
            customer_id=rule_set.customer_id,
            rule_set_id=rule_set.rule_set_id,
            version=rule_set.version,
            base_currency=rule_set.base_currency,
            mode=str(rule_set.mode),
            created_at=rule_set.created_at,
            rules=[rule_to_schema(rule) for rule in rule_set.rules],
        )


class RuleSetController(Controller):
    """``/admin/rule-sets``."""

    path = "/admin/rule-sets"
    tags = ["Admin"]

    @post("/", operation_id="addRuleSetVersion", status_code=201)
    async def add(
        self, data: JSONBody[RuleSetRequest], manage_rule_sets: NamedDependency[ManageRuleSets]
    ) -> Response[Ok[RuleSetResponse]]:
        """Add the next version; new versions start in SHADOW unless ``mode`` says otherwise."""
        added = await manage_rule_sets.add_version(
            data.customer_id,
            data.rule_set_id,
            data.base_currency,
            rules_from_schemas(data.rules),
            RuleSetMode(data.mode),
        )
        return ok(RuleSetResponse.of(added), 201)

    @get("/{customerId:str}", operation_id="listRuleSetVersions")
    async def versions(
        self,
        customerId: FromPath[str],  # noqa: N803
        manage_rule_sets: NamedDependency[ManageRuleSets],
    ) -> Response[Ok[list[RuleSetResponse]]]:
        """Every version of the customer's rule sets, oldest first."""
        return ok([RuleSetResponse.of(r) for r in await manage_rule_sets.versions(customerId)])

    @put(
        "/{customerId:str}/{ruleSetId:str}/versions/{version:int}",
        operation_id="switchRuleSetVersion",
        status_code=200,
    )
    async def switch(
        self,
        customerId: FromPath[str],  # noqa: N803
        ruleSetId: FromPath[str],  # noqa: N803
        version: FromPath[int],
        data: JSONBody[SwitchRequest],
        manage_rule_sets: NamedDependency[ManageRuleSets],
    ) -> Response[Ok[list[RuleSetResponse]]]:
        """Make the version ACTIVE (the previous one retires), SHADOW, or RETIRED."""
        await manage_rule_sets.switch(customerId, ruleSetId, version, RuleSetMode(data.mode))
        return ok([RuleSetResponse.of(r) for r in await manage_rule_sets.versions(customerId)])

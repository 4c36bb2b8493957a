"""Access use cases through fakes: API keys, reviewers, sign-in and token authentication."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

import pytest

from compliance.adapters.crypto.api_key_hasher import TqApiKeyHasher
from compliance.adapters.crypto.hmac_token_signer import HmacTokenSigner
from compliance.application.access.api_keys import (
    AuthenticateApiKey,
    CreateApiKey,
    RevokeApiKey,
)
from compliance.application.access.reviewers import (
    AuthenticateReviewer,
    CreateReviewer,
    IssueReviewerToken,
)
from compliance.domain.access import AccessDenied, InvalidCredentials, ReviewerRole
from shared_kernel.domain.errors import Conflict, InvalidInput, NotFound
from tests.compliance.fakes import (
    FakeApiKeyRepository,
    FakeClock,
    FakePasswordHasher,
    FakeReviewerRepository,
)

pytestmark = pytest.mark.unit

PASSWORD = "correct horse battery"


@dataclass
class Access:
    clock: FakeClock
    keys: FakeApiKeyRepository
    reviewers: FakeReviewerRepository
    passwords: FakePasswordHasher
    signer: HmacTokenSigner

    def create_key(self) -> CreateApiKey:
        return CreateApiKey(self.keys, TqApiKeyHasher(), self.clock)

    def revoke_key(self) -> RevokeApiKey:
        return RevokeApiKey(self.keys, self.clock)

    def authenticate_key(self) -> AuthenticateApiKey:
        return AuthenticateApiKey(self.keys, TqApiKeyHasher())

    def create_reviewer(self) -> CreateReviewer:
        return CreateReviewer(self.reviewers, self.passwords, self.clock)

    def issue_token(self) -> IssueReviewerToken:
        return IssueReviewerToken(self.reviewers, self.passwords, self.signer, self.clock)

    def authenticate_reviewer(self) -> AuthenticateReviewer:
        return AuthenticateReviewer(self.reviewers, self.signer, self.clock)


@pytest.fixture
def access() -> Access:
    return Access(
        clock=FakeClock(),
        keys=FakeApiKeyRepository(),
        reviewers=FakeReviewerRepository(),
        passwords=FakePasswordHasher(),
        signer=HmacTokenSigner(b"k" * 32),
    )


async def test_a_new_api_key_is_stored_only_as_a_hash(access: Access) -> None:
    created = await access.create_key()(" cust-1 ")

    stored = access.keys.keys[created.record.key_id]
    assert stored.customer_id == "cust-1"
    assert stored.created_at == access.clock.now
    assert created.plaintext not in stored.key_hash
    assert created.plaintext not in repr(created)


async def test_an_api_key_authenticates_its_customer(access: Access) -> None:
    created = await access.create_key()("cust-1")

    assert await access.authenticate_key()(created.plaintext) == "cust-1"


@pytest.mark.parametrize("customer_id", ["", "   ", "c" * 129])
async def test_an_api_key_needs_a_customer_id(access: Access, customer_id: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        await access.create_key()(customer_id)

    assert [p.field for p in raised.value.problems] == ["customerId"]
    assert access.keys.keys == {}


async def test_keys_that_are_altered_unknown_or_foreign_do_not_authenticate(
    access: Access,
) -> None:
    created = await access.create_key()("cust-1")
    altered = created.plaintext[:-1] + ("A" if created.plaintext[-1] != "A" else "B")
    unknown_id = "tq_0123456789abcdef_" + created.plaintext.split("_", 2)[2]

    authenticate = access.authenticate_key()
    assert await authenticate(altered) is None
    assert await authenticate(unknown_id) is None
    assert await authenticate("not-one-of-ours") is None
    assert await authenticate("tq_../../x_y") is None


async def test_a_revoked_key_no_longer_authenticates(access: Access) -> None:
    created = await access.create_key()("cust-1")
    access.clock.advance(timedelta(minutes=5))

    revoked = await access.revoke_key()(created.record.key_id)

    assert revoked.revoked_at == access.clock.now
    assert await access.authenticate_key()(created.plaintext) is None


async def test_revoking_twice_keeps_the_first_revocation(access: Access) -> None:
    created = await access.create_key()("cust-1")
    first = await access.revoke_key()(created.record.key_id)
    access.clock.advance(timedelta(hours=1))

    second = await access.revoke_key()(created.record.key_id)

    assert second.revoked_at == first.revoked_at


async def test_revoking_an_unknown_key_is_not_found(access: Access) -> None:
    with pytest.raises(NotFound) as raised:
        await access.revoke_key()("0123456789abcdef")

    assert raised.value.code == "API_KEY_NOT_FOUND"


async def test_a_reviewer_is_created_with_a_normalised_name_and_a_hashed_password(
    access: Access,
) -> None:
    reviewer = await access.create_reviewer()(
        username="  Alice.Smith ", password=PASSWORD, role=ReviewerRole.SUPERVISOR
    )

    assert reviewer.username == "alice.smith"
    assert reviewer.role is ReviewerRole.SUPERVISOR
    assert PASSWORD not in reviewer.password_hash
    assert access.reviewers.reviewers[reviewer.reviewer_id] == reviewer


@pytest.mark.parametrize(
    ("username", "password", "codes"),
    [
        ("alice", "short", {("password", "TOO_SHORT")}),
        ("alice", "a" * 20, {("password", "TOO_WEAK")}),
        ("alice.reviewer", "Alice.Reviewer", {("password", "SAME_AS_USERNAME")}),
        ("al", PASSWORD, {("username", "INVALID_FORMAT")}),
        ("alice smith", PASSWORD, {("username", "INVALID_FORMAT")}),
        ("a" * 65, PASSWORD, {("username", "INVALID_FORMAT")}),
        ("x!", "xxx", {("username", "INVALID_FORMAT"), ("password", "TOO_SHORT"),
                       ("password", "TOO_WEAK")}),
        ("alice", "p" + "q" * 256, {("password", "TOO_LONG")}),
    ],
)  # fmt: skip
async def test_a_reviewer_breaking_the_policy_gets_every_problem_and_is_not_created(
    access: Access, username: str, password: str, codes: set[tuple[str, str]]
) -> None:
    with pytest.raises(InvalidInput) as raised:
        await access.create_reviewer()(
            username=username, password=password, role=ReviewerRole.REVIEWER
        )

    assert {(p.field, p.code) for p in raised.value.problems} == codes
    assert access.reviewers.reviewers == {}


async def test_a_second_reviewer_with_the_same_name_is_a_conflict(access: Access) -> None:
    create = access.create_reviewer()
    await create(username="alice", password=PASSWORD, role=ReviewerRole.REVIEWER)

    with pytest.raises(Conflict) as raised:
        await create(username="ALICE", password=PASSWORD + "!", role=ReviewerRole.SUPERVISOR)

    assert raised.value.code == "REVIEWER_EXISTS"
    assert len(access.reviewers.reviewers) == 1


async def test_a_reviewer_signs_in_and_the_token_identifies_them(access: Access) -> None:
    reviewer = await access.create_reviewer()(
        username="alice", password=PASSWORD, role=ReviewerRole.REVIEWER
    )

    issued = await access.issue_token()(" Alice", PASSWORD)
    identity = await access.authenticate_reviewer()(issued.token)

    assert issued.expires_at == access.clock.now + timedelta(minutes=15)
    assert identity == reviewer.identity()
    assert issued.token not in repr(issued)


async def test_a_wrong_password_and_an_unknown_user_get_the_same_answer_after_the_same_work(
    access: Access,
) -> None:
    await access.create_reviewer()(username="alice", password=PASSWORD, role=ReviewerRole.REVIEWER)
    issue = access.issue_token()

    with pytest.raises(InvalidCredentials) as wrong_password:
        await issue("alice", PASSWORD + "x")
    work_for_known = access.passwords.verifications
    with pytest.raises(InvalidCredentials) as unknown_user:
        await issue("mallory", PASSWORD)

    assert (wrong_password.value.code, wrong_password.value.message) == (
        unknown_user.value.code,
        unknown_user.value.message,
    )
    assert wrong_password.value.code == "INVALID_CREDENTIALS"
    assert access.passwords.verifications == 2 * work_for_known == 2


async def test_a_disabled_reviewer_can_neither_sign_in_nor_use_an_earlier_token(
    access: Access,
) -> None:
    await access.create_reviewer()(username="alice", password=PASSWORD, role=ReviewerRole.REVIEWER)
    issued = await access.issue_token()("alice", PASSWORD)

    access.reviewers.disable("alice")

    with pytest.raises(InvalidCredentials):
        await access.issue_token()("alice", PASSWORD)
    with pytest.raises(AccessDenied):
        await access.authenticate_reviewer()(issued.token)


async def test_a_token_stops_working_when_it_expires(access: Access) -> None:
    await access.create_reviewer()(username="alice", password=PASSWORD, role=ReviewerRole.REVIEWER)
    issued = await access.issue_token()("alice", PASSWORD)

    access.clock.advance(timedelta(minutes=15))

    with pytest.raises(AccessDenied) as raised:
        await access.authenticate_reviewer()(issued.token)
    assert raised.value.code == "TOKEN_EXPIRED"


async def test_a_password_hash_with_old_parameters_is_upgraded_at_sign_in(
    access: Access,
) -> None:
    reviewer = await access.create_reviewer()(
        username="alice", password=PASSWORD, role=ReviewerRole.REVIEWER
    )
    access.passwords.version = "fake2"

    await access.issue_token()("alice", PASSWORD)

    upgraded = access.reviewers.reviewers[reviewer.reviewer_id].password_hash
    assert upgraded.startswith("fake2$")
    assert await access.issue_token()("alice", PASSWORD)


async def test_the_role_a_token_grants_is_the_one_stored_now(access: Access) -> None:
    reviewer = await access.create_reviewer()(
        username="alice", password=PASSWORD, role=ReviewerRole.SUPERVISOR
    )
    issued = await access.issue_token()("alice", PASSWORD)
    stored = access.reviewers.reviewers[reviewer.reviewer_id]
    access.reviewers.reviewers[reviewer.reviewer_id] = replace(stored, role=ReviewerRole.REVIEWER)

    identity = await access.authenticate_reviewer()(issued.token)

    assert identity.role is ReviewerRole.REVIEWER

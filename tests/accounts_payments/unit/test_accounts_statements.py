"""Statements from the ledger, the OTP challenge flow, the footer and the ownership certificate."""

from __future__ import annotations

import base64
import zlib
from datetime import UTC, datetime, timedelta

import pytest

from accounts_payments.adapters.documents.ownership_certificate import (
    FpdfOwnershipCertificateRenderer,
)
from accounts_payments.adapters.otp.sandbox_otp_sender import (
    SandboxOtpSender,
    UnavailableOtpSender,
)
from accounts_payments.application.accounts.book_inbound_transfer import BookInboundTransfer
from accounts_payments.application.accounts.common import AccountView
from accounts_payments.application.accounts.documents import (
    GetOwnershipCertificate,
    GetStatementFooter,
)
from accounts_payments.application.accounts.open_account import OpenAccount
from accounts_payments.application.accounts.statements import (
    GetStatement,
    OtpRequired,
    ResendOtp,
    StatementQuery,
)
from accounts_payments.application.ports.inbound_transfers import InboundTransfer
from accounts_payments.domain.otp import MAX_ATTEMPTS
from shared_kernel.domain.errors import (
    InvalidInput,
    NotFound,
    NotImplementedByProvider,
    RuleViolated,
)
from shared_kernel.domain.money import Money
from tests.accounts_payments.fakes import (
    FakeAccountsUnitOfWork,
    FakeBank,
    FakeStore,
    RecordingOtpSender,
    customer,
)
from tests.accounts_payments.unit.test_accounts_open import command

pytestmark = pytest.mark.unit

NOW = datetime.now(UTC)


@pytest.fixture
def store() -> FakeStore:
    return FakeStore(customers={"cust-1": customer()})


@pytest.fixture
async def account(store: FakeStore) -> AccountView:
    view = await OpenAccount(lambda: FakeAccountsUnitOfWork(store), FakeBank())(command())
    assert view.account.bank is not None
    for number, minor in enumerate((1000, 250), start=1):
        await BookInboundTransfer(lambda: FakeAccountsUnitOfWork(store))(
            InboundTransfer(
                f"ptx-{number}",
                view.account.bank.provider_account_id,
                Money.of(minor, "EUR"),
                "Bob",
                "DE89370400440532013000",
                "ref",
                NOW,
            )
        )
    return view


def query(account: AccountView, **extra: str) -> StatementQuery:
    return StatementQuery(
        "cust-1",
        "cl-1",
        account.account.account_id,
        since=NOW - timedelta(days=1),
        until=NOW + timedelta(days=1),
        **extra,  # type: ignore[arg-type]
    )


def statements(store: FakeStore, sender: RecordingOtpSender, *, otp: bool = False) -> GetStatement:
    return GetStatement(
        lambda: FakeAccountsUnitOfWork(store), sender, lambda: datetime.now(UTC), otp_required=otp
    )


async def test_statement_lines_carry_the_running_balance(
    store: FakeStore, account: AccountView
) -> None:
    lines = await statements(store, RecordingOtpSender())(query(account))

    assert [line.balance_after for line in lines] == [Money.of(1000, "EUR"), Money.of(1250, "EUR")]
    assert all(line.metadata["kind"] == "INBOUND_BANK_TRANSFER" for line in lines)


async def test_a_period_ending_before_it_starts_is_refused(
    store: FakeStore, account: AccountView
) -> None:
    bad = StatementQuery("cust-1", "cl-1", account.account.account_id, since=NOW, until=NOW)
    with pytest.raises(InvalidInput) as raised:
        await statements(store, RecordingOtpSender())(bad)
    assert raised.value.code == "INVALID_DATE_RANGE"


async def test_the_otp_flow_asks_for_a_code_then_accepts_it_once(
    store: FakeStore, account: AccountView
) -> None:
    sender = RecordingOtpSender()
    get = statements(store, sender)

    with pytest.raises(OtpRequired) as required:
        await get(query(account), with_otp=True)
    assert required.value.code == "OTP_REQUIRED"
    operation_id = required.value.data["operationId"]
    assert set(required.value.data) == {"requestId", "operationId", "resend"}
    code = sender.sent[operation_id]
    assert store.otps[operation_id].code_hash != code

    lines = await get(query(account, otp=code, operation_id=operation_id), with_otp=True)
    assert len(lines) == 2
    with pytest.raises(RuleViolated) as raised:
        await get(query(account, otp=code, operation_id=operation_id), with_otp=True)
    assert raised.value.code == "OTP_ALREADY_USED"


async def test_wrong_codes_are_counted_until_the_challenge_locks(
    store: FakeStore, account: AccountView
) -> None:
    sender = RecordingOtpSender()
    get = statements(store, sender, otp=True)
    with pytest.raises(OtpRequired) as required:
        await get(query(account))
    operation_id = required.value.data["operationId"]
    wrong = "000000" if sender.sent[operation_id] != "000000" else "111111"

    for _ in range(MAX_ATTEMPTS):
        with pytest.raises(RuleViolated) as raised:
            await get(query(account, otp=wrong, operation_id=operation_id))
        assert raised.value.code == "OTP_INVALID"
    with pytest.raises(RuleViolated) as raised:
        await get(query(account, otp=sender.sent[operation_id], operation_id=operation_id))
    assert raised.value.code == "OTP_ATTEMPTS_EXCEEDED"


async def test_an_expired_or_unknown_operation_is_refused(
    store: FakeStore, account: AccountView
) -> None:
    sender = RecordingOtpSender()
    with pytest.raises(OtpRequired) as required:
        await statements(store, sender)(query(account), with_otp=True)
    operation_id = required.value.data["operationId"]
    late = GetStatement(
        lambda: FakeAccountsUnitOfWork(store),
        sender,
        lambda: datetime.now(UTC) + timedelta(hours=1),
        otp_required=False,
    )
    with pytest.raises(RuleViolated) as raised:
        await late(
            query(account, otp=sender.sent[operation_id], operation_id=operation_id), with_otp=True
        )
    assert raised.value.code == "OTP_EXPIRED"
    with pytest.raises(NotFound):
        await late(query(account, otp="123456", operation_id="unknown"), with_otp=True)


async def test_resending_replaces_the_code(store: FakeStore, account: AccountView) -> None:
    sender = RecordingOtpSender()
    with pytest.raises(OtpRequired) as required:
        await statements(store, sender)(query(account), with_otp=True)
    operation_id = required.value.data["operationId"]
    first = sender.sent[operation_id]

    await ResendOtp(lambda: FakeAccountsUnitOfWork(store), sender, lambda: datetime.now(UTC))(
        "cust-1", operation_id
    )

    assert store.otps[operation_id].attempts == 0
    lines = await statements(store, sender)(
        query(account, otp=sender.sent[operation_id], operation_id=operation_id), with_otp=True
    )
    assert len(lines) == 2 or first == sender.sent[operation_id]
    with pytest.raises(NotFound):
        await ResendOtp(lambda: FakeAccountsUnitOfWork(store), sender, lambda: NOW)("cust-1", "x")


async def test_the_sandbox_sender_keeps_codes_for_the_sandbox_endpoint_only() -> None:
    sender = SandboxOtpSender(capacity=1)
    await sender.send("cust-1", "op-1", "123456")
    await sender.send("cust-1", "op-2", "654321")
    assert sender.code_for("op-2") == "654321"
    assert sender.code_for("op-1") is None
    with pytest.raises(NotImplementedByProvider):
        await UnavailableOtpSender().send("cust-1", "op", "1")


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("es-ES", "Las cuentas de Acme Bank"),
        ("en_US", "Acme Bank accounts"),
        ("xx", "Acme Bank accounts"),
    ],
)
async def test_the_footer_speaks_the_locales_language(
    store: FakeStore, locale: str, expected: str
) -> None:
    footer = await GetStatementFooter(lambda: FakeAccountsUnitOfWork(store), FakeBank())(
        "cust-1", "regular", locale
    )
    assert footer.startswith(expected)
    assert "fakebank" in footer


@pytest.mark.parametrize(("ledger_type", "locale"), [("casino", "en-US"), ("regular", "english!")])
async def test_a_bad_ledger_type_or_locale_is_refused(
    store: FakeStore, ledger_type: str, locale: str
) -> None:
    with pytest.raises(InvalidInput):
        await GetStatementFooter(lambda: FakeAccountsUnitOfWork(store), FakeBank())(
            "cust-1", ledger_type, locale
        )


def pdf_text(pdf: bytes) -> str:
    """The text of an fpdf2 PDF: its content streams, inflated."""
    chunks, rest = [], pdf
    while b"stream\n" in rest:
        _, _, rest = rest.partition(b"stream\n")
        body, _, rest = rest.partition(b"\nendstream")
        try:
            chunks.append(zlib.decompress(body).decode("latin-1"))
        except zlib.error:
            chunks.append(body.decode("latin-1"))
    return "".join(chunks)


async def test_the_ownership_certificate_is_a_pdf_naming_holder_and_iban(
    store: FakeStore, account: AccountView
) -> None:
    certificate = GetOwnershipCertificate(
        lambda: FakeAccountsUnitOfWork(store),
        FakeBank(),
        FpdfOwnershipCertificateRenderer(),
        lambda: NOW,
    )

    encoded = await certificate("cust-1", "cl-1", account.account.account_id)

    pdf = base64.b64decode(encoded)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert "Acme Ltd" in text
    assert account.account.iban is not None
    assert account.account.iban in text
    with pytest.raises(NotFound):
        await certificate("cust-1", "other-client", account.account.account_id)

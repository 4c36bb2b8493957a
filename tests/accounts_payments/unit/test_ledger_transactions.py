"""retry_on_deadlock re-runs a whole unit of work only for transient database failures."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError

from accounts_payments.adapters.persistence.transactions import (
    ConcurrentUpdate,
    retry_on_deadlock,
    sqlstate,
)

pytestmark = pytest.mark.unit


class DriverError(Exception):
    def __init__(self, sqlstate: str | None = None, pgcode: str | None = None) -> None:
        super().__init__("driver error")
        self.sqlstate = sqlstate
        self.pgcode = pgcode


def database_error(code: str) -> DBAPIError:
    return DBAPIError("UPDATE ...", {}, DriverError(sqlstate=code))


class Flaky:
    def __init__(self, *failures: BaseException) -> None:
        self.failures = list(failures)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return "done"


@pytest.mark.parametrize("code", ["40P01", "40001"])
async def test_deadlocks_and_serialization_failures_rerun_the_work(code: str) -> None:
    work = Flaky(database_error(code), database_error(code))
    assert await retry_on_deadlock(work) == "done"
    assert work.calls == 3


async def test_a_failed_version_check_reruns_the_work() -> None:
    work = Flaky(ConcurrentUpdate("changed"))
    assert await retry_on_deadlock(work) == "done"


async def test_the_last_error_surfaces_once_attempts_run_out() -> None:
    work = Flaky(*[database_error("40P01") for _ in range(3)])
    with pytest.raises(DBAPIError):
        await retry_on_deadlock(work, attempts=3)
    assert work.calls == 3


async def test_other_errors_are_not_retried() -> None:
    work = Flaky(IntegrityError("INSERT ...", {}, DriverError(sqlstate="23505")), ValueError())
    with pytest.raises(IntegrityError):
        await retry_on_deadlock(work)
    assert work.calls == 1


def test_sqlstate_is_read_from_the_adapter_or_the_chained_driver_error() -> None:
    assert sqlstate(DBAPIError("x", {}, DriverError(pgcode="40001"))) == "40001"
    adapted = DriverError()
    adapted.__cause__ = DriverError(sqlstate="40P01")
    assert sqlstate(DBAPIError("x", {}, adapted)) == "40P01"
    assert sqlstate(DBAPIError("x", {}, DriverError())) is None
    assert sqlstate(ValueError("not a database error")) is None

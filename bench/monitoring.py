"""``/transaction/validate`` under load, next to a bare Litestar JSON endpoint in the same run.

The service runs as deployed (uvicorn, PostgreSQL, its default rule set, a 10,000-entry
sanctions list in memory); the bare endpoint is a Litestar app that decodes and answers JSON of
the same shape, served by the same uvicorn in the same process. The ratio is what monitoring
costs beyond HTTP and the framework. PostgreSQL comes from ``DATABASE_URL`` (a server URL; a
scratch database is created and dropped), else ``postgresql://postgres@127.0.0.1:5432``.
"""

from __future__ import annotations

import asyncio
import os
import random
from typing import Any

import asyncpg
import httpx
from litestar import Litestar, post

from bench.load import free_port, run_load
from building_blocks.persistence import Database
from building_blocks.runtime import ServiceHost, serve_hosts
from building_blocks.settings import load_settings
from compliance.adapters.persistence.sanctions_repository import SqlAlchemySanctionsRepository
from compliance.config import Settings
from compliance.container import build_service
from compliance.domain.sanctions.entries import (
    EntityType,
    ListVersion,
    LoadedList,
    SanctionsEntry,
    SanctionsList,
)

ADMIN_TOKEN = "bench-admin-token-0123456789abcdef0123"
_SYLLABLES = (
    "ba", "ko", "ri", "ta", "ne", "mu", "sa", "lo", "vi", "de",
    "ga", "zu", "mi", "ra", "te", "no", "ka", "li", "su", "ve",
)  # fmt: skip


def _synthetic_list(count: int, seed: int = 7) -> LoadedList:
    rng = random.Random(seed)

    def word() -> str:
        return "".join(rng.choice(_SYLLABLES) for _ in range(rng.choice((2, 3)))).capitalize()

    entries = tuple(
        SanctionsEntry(
            list_name=SanctionsList.EU,
            entry_id=str(n),
            entity_type=EntityType.INDIVIDUAL if n % 5 else EntityType.ENTITY,
            names=(f"{word()} {word()}", f"{word()} {word()}")
            if n % 3 == 0
            else (f"{word()} {word()}",),
            countries=frozenset(),
            birth_years=frozenset(),
            programmes=("BENCH",),
        )
        for n in range(count)
    )
    return LoadedList(ListVersion(SanctionsList.EU, "bench", len(entries)), entries)


def _body(n: int) -> dict[str, Any]:
    return {
        "transactionId": f"bench-{os.getpid()}-{n}",
        "customerId": "cust-bench",
        "clientId": f"client-{n % 50}",
        "sourceAccountId": f"acc-{n % 50}",
        "amount": 120.5,
        "currency": "EUR",
        "beneficiary": {
            "type": "COMPANY",
            "name": "Initech Solutions GmbH",
            "iban": "DE89370400440532013000",
            "country": "DE",
        },
        "bankPaymentScheme": "SEPA",
    }


def _bare_app() -> Litestar:
    @post("/echo", status_code=200)
    async def echo(data: dict[str, Any]) -> dict[str, Any]:
        return {
            "transactionId": data.get("transactionId"),
            "status": "APPROVED",
            "riskScore": 0,
            "reasons": [],
            "decisionId": "bare",
        }

    return Litestar(route_handlers=[echo])


async def _scratch_database(server: str) -> tuple[str, str]:
    name = f"bench_validate_{os.getpid()}"
    connection = await asyncpg.connect(server.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return name, server.rsplit("/", 1)[0] + f"/{name}"


async def _drop(server: str, name: str) -> None:
    connection = await asyncpg.connect(server.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


async def validate_under_load(seconds: float = 5.0, clients: int = 8) -> list[str]:
    """Run both sides, one client (latency) then ``clients`` (throughput); return the report.

    One client shows what a single validation costs; several saturate this machine's cores,
    so their latency is mostly queueing behind each other.
    """
    server = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    name, url = await _scratch_database(server)
    port, bare_port = free_port(), free_port()
    settings = load_settings(
        Settings,
        {
            "PORT": str(port),
            "DATABASE_URL": url,
            "COMPLIANCE_ADMIN_TOKEN": ADMIN_TOKEN,
            "LOG_LEVEL": "WARNING",
        },
    )
    host = build_service(settings)
    bare = ServiceHost(name="bare", app=_bare_app(), port=bare_port)
    stop = asyncio.Event()
    report: list[str] = []
    serving = asyncio.create_task(serve_hosts([host, bare], stop))
    try:
        base = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=base, timeout=10) as client:
            for _ in range(200):
                try:
                    if (await client.get("/health/ready")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
            database = Database(url, schema="compliance")
            await SqlAlchemySanctionsRepository(database).store(_synthetic_list(10_000))
            await database.dispose()
            for hook in host.startup:  # reload the screening index with the list just stored
                if getattr(hook, "__name__", "") == "load_screening":
                    await hook()
            created = await client.post(
                "/admin/api-keys",
                json={"customerId": "cust-bench"},
                headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
            )
            key = created.json()["data"]["apiKey"]

        async def validate(client: httpx.AsyncClient, n: int) -> httpx.Response:
            return await client.post(
                "/transaction/validate", json=_body(n), headers={"X-Api-Key": key}
            )

        async def echo(client: httpx.AsyncClient, n: int) -> httpx.Response:
            return await client.post("/echo", json=_body(n))

        for concurrency in (1, clients):
            baseline = await run_load(
                "bare Litestar JSON endpoint",
                f"http://127.0.0.1:{bare_port}",
                echo,
                clients=concurrency,
                seconds=seconds,
            )
            measured = await run_load(
                "/transaction/validate (default rules, 10k list)",
                base,
                validate,
                clients=concurrency,
                seconds=seconds,
            )
            report += [
                f"POST /transaction/validate on PostgreSQL, {concurrency} concurrent "
                f"client(s), {seconds:.0f} s each side:",
                baseline.line(),
                measured.line(),
                f"  ratio: p50 x{measured.p50_ms / baseline.p50_ms:.1f}, "
                f"p99 x{measured.p99_ms / baseline.p99_ms:.1f}, "
                f"throughput x{measured.per_second / baseline.per_second:.2f} of the bare "
                "endpoint",
            ]
    finally:
        stop.set()
        await serving
        await _drop(server, name)
    return report

"""The ``load-sanctions`` command, on SQLite: each format is loaded, a bad file is refused."""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from building_blocks.persistence import Database
from compliance.adapters.persistence import tables
from compliance.adapters.persistence.sanctions_repository import SqlAlchemySanctionsRepository
from compliance.adapters.sanctions.readers import SANCTIONS_READERS
from compliance.application.sanctions.loading import LoadSanctionsList
from compliance.application.sanctions.ports import SanctionsListReader
from compliance.entrypoints.cli.sanctions import add_commands, load_sanctions
from tests.compliance.sanctions_support import Party, write_eu, write_ofac, write_un

pytestmark = pytest.mark.unit

PARTIES = [
    Party(1, "individual", "Omar Farid", "Haddad", countries=("SY",), birth_year=1970),
    Party(2, "entity", "Arvand Shipping Ltd", aliases=("Arvand Co",), countries=("IR",)),
]


@pytest.fixture
async def repository(tmp_path: Path) -> AsyncIterator[SqlAlchemySanctionsRepository]:
    database = Database(f"sqlite:///{tmp_path}/compliance.db", schema="compliance")
    await database.create_schema(tables.metadata)
    yield SqlAlchemySanctionsRepository(database)
    await database.dispose()


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="compliance")
    add_commands(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


Run = Callable[..., Awaitable[tuple[int, str, str]]]


@dataclass
class Commands:
    """``SanctionsCommands`` as the container provides them."""

    repository: SqlAlchemySanctionsRepository

    def load_sanctions_list(self) -> LoadSanctionsList:
        return LoadSanctionsList(self.repository)

    def sanctions_readers(self) -> Mapping[str, SanctionsListReader]:
        return SANCTIONS_READERS


@pytest.fixture
def run(repository: SqlAlchemySanctionsRepository, capsys: pytest.CaptureFixture[str]) -> Run:
    async def run(*argv: str) -> tuple[int, str, str]:
        args = parse(*argv)
        code = await args.handler(args, Commands(repository))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


@pytest.mark.parametrize(
    ("file_format", "write", "printed"),
    [
        ("ofac", lambda d: write_ofac(d / "ofac", PARTIES), "loaded OFAC_SDN sha256:"),
        ("eu", lambda d: write_eu(d / "eu.csv", PARTIES), "loaded EU 2030-05-01: 2 entries"),
        (
            "un",
            lambda d: write_un(d / "un.xml", PARTIES),
            "loaded UN 2030-05-01T00:00:00.000Z: 2 entries",
        ),
    ],
)
async def test_a_list_file_of_each_format_is_loaded_as_the_active_version(
    repository: SqlAlchemySanctionsRepository,
    run: Run,
    tmp_path: Path,
    file_format: str,
    write: Callable[[Path], Path],
    printed: str,
) -> None:
    path = write(tmp_path)

    code, out, err = await run("load-sanctions", "--format", file_format, str(path))
    entries, versions = await repository.active()

    assert (code, err) == (0, "")
    assert out.startswith(printed)
    assert out.rstrip().endswith(": 2 entries")
    assert len(versions) == 1
    assert sorted(entry.entry_id for entry in entries) == ["1", "2"]


async def test_loading_the_same_file_twice_keeps_one_version(
    repository: SqlAlchemySanctionsRepository, run: Run, tmp_path: Path
) -> None:
    path = str(write_eu(tmp_path / "eu.csv", PARTIES))

    first = await run("load-sanctions", "--format", "eu", path)
    second = await run("load-sanctions", "--format", "eu", path)

    assert first == second
    assert len(await repository.active_versions()) == 1


async def test_a_file_of_another_format_is_refused_with_exit_code_2(
    repository: SqlAlchemySanctionsRepository, run: Run, tmp_path: Path
) -> None:
    path = write_eu(tmp_path / "eu.csv", PARTIES)

    code, out, err = await run("load-sanctions", "--format", "un", str(path))

    assert (code, out) == (2, "")
    assert "INVALID_SANCTIONS_FILE" in err
    assert str(path) in err
    assert await repository.active_versions() == []


async def test_a_missing_file_is_refused_with_exit_code_2(run: Run, tmp_path: Path) -> None:
    code, _, err = await run("load-sanctions", "--format", "ofac", str(tmp_path / "sdn.csv"))

    assert code == 2
    assert "INVALID_SANCTIONS_FILE: cannot read" in err


def test_the_format_is_required_and_one_of_ofac_eu_un() -> None:
    with pytest.raises(SystemExit):
        parse("load-sanctions", "list.csv")
    with pytest.raises(SystemExit):
        parse("load-sanctions", "--format", "csv", "list.csv")

    args = parse("load-sanctions", "--format", "un", "list.xml")
    assert (args.command, args.format, args.path) == ("load-sanctions", "un", Path("list.xml"))
    assert args.handler is load_sanctions

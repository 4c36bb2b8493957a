"""A small Dockerfile reader and the rules every service image must follow."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field

SHARED_SOURCES = (
    "pyproject.toml",
    "uv.lock",
    # hatchling refuses to build the root package's metadata without its readme.
    "README.md",
    "src/shared_kernel",
    "src/building_blocks",
)
ROOT_USERS = {"root", "0"}
_FLAG = re.compile(r"--([\w-]+)(?:=(\S*))?\s*")


@dataclass(frozen=True)
class Instruction:
    """One instruction, continuation lines joined, with the line it starts on."""

    keyword: str
    arguments: str
    line: int


@dataclass
class Stage:
    """A build stage: its ``FROM`` image, its name, and its instructions after ``FROM``."""

    image: str
    name: str | None
    line: int
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[Instruction]:
        """Every instruction of this stage with ``keyword``."""
        return [item for item in self.instructions if item.keyword == keyword]


def parse_instructions(text: str) -> list[Instruction]:
    """Split a Dockerfile into instructions.

    Joins lines ending in a backslash and drops comment and blank lines, also inside a
    continuation, as Docker does. Heredocs are not supported: the images do not use them.
    """
    instructions: list[Instruction] = []
    parts: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if not parts:
            start = number
        if stripped.endswith("\\"):
            parts.append(stripped[:-1].strip())
            continue
        parts.append(stripped)
        joined = " ".join(part for part in parts if part)
        parts = []
        keyword, _, arguments = joined.partition(" ")
        instructions.append(Instruction(keyword.upper(), arguments.strip(), start))
    if parts:
        raise ValueError(f"the instruction starting on line {start} ends in a continuation")
    return instructions


def parse_stages(text: str) -> list[Stage]:
    """Group a Dockerfile's instructions into build stages (global ``ARG``s are dropped)."""
    stages: list[Stage] = []
    for instruction in parse_instructions(text):
        if instruction.keyword == "FROM":
            words = [word for word in instruction.arguments.split() if not word.startswith("--")]
            name = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
            stages.append(Stage(words[0], name, instruction.line))
        elif stages:
            stages[-1].instructions.append(instruction)
    return stages


def split_flags(arguments: str) -> tuple[dict[str, str], list[str]]:
    """Split ``COPY``/``ADD`` arguments into their ``--flag=value`` options and paths."""
    rest = arguments.strip()
    flags: dict[str, str] = {}
    while match := _FLAG.match(rest):
        flags[match.group(1)] = match.group(2) or ""
        rest = rest[match.end() :]
    paths = json.loads(rest) if rest.startswith("[") else shlex.split(rest)
    return flags, [str(path) for path in paths]


def exec_form(arguments: str) -> list[str] | None:
    """The JSON array of an exec-form ``ENTRYPOINT``/``CMD``, or None for the shell form."""
    try:
        value = json.loads(arguments)
    except json.JSONDecodeError:
        return None
    return [str(item) for item in value] if isinstance(value, list) else None


def _normalise(path: str) -> str:
    path = path.strip()
    while path.startswith("./"):
        path = path[2:]
    return path.rstrip("/")


def context_copy_problems(stages: list[Stage], service: str, others: list[str]) -> list[str]:
    """Every ``COPY``/``ADD`` from the build context that takes more than the service needs."""
    allowed = (*SHARED_SOURCES, f"services/{service}")
    problems: list[str] = []
    for stage in stages:
        for instruction in stage.all("COPY") + stage.all("ADD"):
            flags, paths = split_flags(instruction.arguments)
            if "from" in flags:
                continue  # from another stage or image, not from the build context
            if len(paths) < 2:
                problems.append(f"line {instruction.line}: {instruction.keyword} has no source")
                continue
            for source in map(_normalise, paths[:-1]):
                where = f"line {instruction.line}: {instruction.keyword} {source!r}"
                if any(f"services/{other}" in source for other in others):
                    problems.append(f"{where} copies another service into the {service} image")
                elif any(char in source for char in "*?[") or source in ("", "."):
                    problems.append(f"{where} uses a wildcard or the whole context")
                elif not any(source == root or source.startswith(root + "/") for root in allowed):
                    problems.append(f"{where} is outside the allowed paths {allowed}")
    return problems


def runtime_problems(stages: list[Stage], service: str, port: int) -> list[str]:
    """What the final (runtime) stage of ``service``'s image lacks or gets wrong."""
    if len(stages) < 2:
        return [f"expected a multi-stage build (>= 2 FROM), found {len(stages)} FROM"]
    final = stages[-1]
    problems: list[str] = []
    users = final.all("USER")
    if not users:
        problems.append("the final stage has no USER: the service would run as root")
    else:
        user = users[-1].arguments.split(":")[0]
        if user in ROOT_USERS:
            problems.append(f"the final stage runs as root (USER {users[-1].arguments})")
        elif not user.isdigit():
            problems.append(f"USER {user!r} is not an explicit numeric UID")
    healthchecks = final.all("HEALTHCHECK")
    if not healthchecks or healthchecks[-1].arguments.upper() == "NONE":
        problems.append("the final stage has no HEALTHCHECK")
    elif "/health/live" not in healthchecks[-1].arguments:
        problems.append("the HEALTHCHECK does not probe /health/live")
    entrypoints = final.all("ENTRYPOINT")
    entrypoint = exec_form(entrypoints[-1].arguments) if entrypoints else None
    if entrypoint != ["python", "-m", service]:
        problems.append(f'ENTRYPOINT must be ["python", "-m", "{service}"], got {entrypoint}')
    exposed = {
        word.split("/")[0] for item in final.all("EXPOSE") for word in item.arguments.split()
    }
    if str(port) not in exposed:
        problems.append(f"the final stage does not EXPOSE {port} (exposes {sorted(exposed)})")
    signals = [item.arguments for item in final.all("STOPSIGNAL")]
    if signals[-1:] != ["SIGTERM"]:
        problems.append(f"STOPSIGNAL must be SIGTERM, got {signals}")
    return problems


_DURATION = re.compile(r"(\d+(?:\.\d+)?)(h|ms|m|s|us)")
_UNIT_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001, "us": 0.000001}


def duration_seconds(text: str) -> float:
    """Seconds in a compose duration such as ``45s`` or ``1m30s``."""
    matches = _DURATION.findall(text)
    if not matches or "".join(number + unit for number, unit in matches) != text.strip():
        raise ValueError(f"not a duration: {text!r}")
    return sum(float(number) * _UNIT_SECONDS[unit] for number, unit in matches)

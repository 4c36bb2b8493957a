"""The deployment files keep the architecture's promises: images, compose, CI and Sonar."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.dockerfile import (
    context_copy_problems,
    duration_seconds,
    parse_instructions,
    parse_stages,
    runtime_problems,
)

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]
PORTS = {"accounts_payments": 8001, "compliance": 8002, "cards": 8003}
SERVICES = list(PORTS)
TOQIO_SETTINGS = {
    "TOQIO_JWT_PUBLIC_KEY",
    "TOQIO_WEBHOOK_BASE_URL",
    "TOQIO_INTEGRATION_ID",
    "TOQIO_WEBHOOK_API_KEY",
    "SANDBOX_ENABLED",
    "COMPLIANCE_ADMIN_TOKEN",
    "CARDS_PROCESSOR_API_KEY",
}


def _yaml(relative: str) -> dict[Any, Any]:
    path = REPO / relative
    assert path.is_file(), f"{relative} is missing"
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict), f"{relative} is not a YAML mapping"
    return loaded


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    services = _yaml("docker-compose.yml").get("services")
    assert isinstance(services, dict), "docker-compose.yml has no services mapping"
    return services


def _environment(service: dict[str, Any]) -> dict[str, Any]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return dict(env)


def _container_ports(service: dict[str, Any]) -> set[int]:
    ports: set[int] = set()
    for port in service.get("ports", []):
        if isinstance(port, dict):
            ports.add(int(port["target"]))
        else:
            ports.add(int(str(port).rsplit(":", 1)[-1].split("/")[0]))
    return ports


# --- the Dockerfile reader itself -----------------------------------------------------------


def test_the_reader_joins_continuations_and_skips_comments_inside_them() -> None:
    text = "# syntax=docker/dockerfile:1\nFROM a AS b\nRUN one \\\n  # note\n  two \\\n\n  three\n"

    instructions = parse_instructions(text)

    assert [(item.keyword, item.arguments, item.line) for item in instructions] == [
        ("FROM", "a AS b", 2),
        ("RUN", "one two three", 3),
    ]


def test_the_copy_rules_catch_another_service_a_wildcard_and_the_whole_context() -> None:
    text = (
        "FROM python:3.11-slim AS builder\n"
        "COPY services/compliance/src services/compliance/src\n"
        'COPY ["src/*", "/app/src"]\n'
        "COPY --chown=1:1 . /app\n"
        "COPY --from=builder /anything /anything\n"
        "FROM python:3.11-slim\n"
    )

    problems = context_copy_problems(parse_stages(text), "cards", ["compliance"])

    assert len(problems) == 3, problems
    assert "another service" in problems[0]
    assert "wildcard" in problems[1]
    assert "whole context" in problems[2]


def test_the_runtime_rules_catch_a_root_single_stage_image() -> None:
    text = "FROM python:3.11-slim\nUSER root\nENTRYPOINT python -m cards\n"

    problems = runtime_problems(parse_stages(text), "cards", 8003)

    assert problems == ["expected a multi-stage build (>= 2 FROM), found 1 FROM"]
    problems = runtime_problems(parse_stages("FROM a AS b\n" + text), "cards", 8003)
    assert any("runs as root" in problem for problem in problems), problems
    assert any("HEALTHCHECK" in problem for problem in problems), problems
    assert any("ENTRYPOINT" in problem for problem in problems), problems
    assert any("EXPOSE 8003" in problem for problem in problems), problems


# --- the service images ---------------------------------------------------------------------


@pytest.mark.parametrize("service", SERVICES)
def test_each_image_copies_only_the_kernel_the_building_blocks_and_its_own_service(
    service: str,
) -> None:
    dockerfile = REPO / "services" / service / "Dockerfile"
    assert dockerfile.is_file(), f"services/{service}/Dockerfile is missing"
    stages = parse_stages(dockerfile.read_text(encoding="utf-8"))
    others = [other for other in SERVICES if other != service]

    problems = context_copy_problems(stages, service, others)

    assert not problems, f"services/{service}/Dockerfile:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("service", SERVICES)
def test_each_image_is_multi_stage_non_root_healthchecked_and_runs_its_own_module(
    service: str,
) -> None:
    dockerfile = REPO / "services" / service / "Dockerfile"
    assert dockerfile.is_file(), f"services/{service}/Dockerfile is missing"
    stages = parse_stages(dockerfile.read_text(encoding="utf-8"))

    problems = runtime_problems(stages, service, PORTS[service])

    assert not problems, f"services/{service}/Dockerfile:\n  " + "\n  ".join(problems)
    assert stages[-1].image == "python:3.11-slim", (
        f"services/{service}/Dockerfile: the runtime stage should be python:3.11-slim, "
        f"not {stages[-1].image}"
    )


def test_the_docker_build_context_is_an_allow_list() -> None:
    path = REPO / ".dockerignore"
    assert path.is_file(), ".dockerignore is missing: .git, .venv and local data would be sent"
    patterns = [
        line.strip()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]

    assert patterns[:1] == ["*"], ".dockerignore should start by ignoring everything ('*')"
    reincluded = {pattern[1:].rstrip("/") for pattern in patterns if pattern.startswith("!")}
    needed = {"pyproject.toml", "uv.lock", "src/shared_kernel", "src/building_blocks"}
    needed |= {f"services/{service}" for service in SERVICES}
    assert needed <= reincluded, f".dockerignore does not re-include {sorted(needed - reincluded)}"


# --- docker compose -------------------------------------------------------------------------


def test_compose_runs_postgres_rabbitmq_and_the_three_services(compose: dict[str, Any]) -> None:
    missing = {"postgres", "rabbitmq", *SERVICES} - set(compose)
    assert not missing, f"docker-compose.yml lacks the services {sorted(missing)}"
    assert str(compose["postgres"].get("image", "")).startswith("postgres:16"), (
        "postgres should run PostgreSQL 16"
    )
    assert str(compose["rabbitmq"].get("image", "")).startswith("rabbitmq:3.13"), (
        "rabbitmq should run RabbitMQ 3.13"
    )
    assert compose["postgres"].get("volumes"), "postgres keeps its data on no volume"


@pytest.mark.parametrize("name", ["postgres", "rabbitmq", *SERVICES])
def test_every_compose_service_has_a_health_check(compose: dict[str, Any], name: str) -> None:
    healthcheck = compose.get(name, {}).get("healthcheck") or {}

    assert healthcheck.get("test"), f"compose service {name} has no healthcheck test"
    assert not healthcheck.get("disable"), f"compose service {name} disables its healthcheck"


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_waits_for_healthy_infrastructure(
    compose: dict[str, Any], service: str
) -> None:
    depends_on = compose.get(service, {}).get("depends_on")

    assert isinstance(depends_on, dict), (
        f"{service}: depends_on must use the long form with condition: service_healthy"
    )
    for dependency in ("postgres", "rabbitmq"):
        condition = (depends_on.get(dependency) or {}).get("condition")
        assert condition == "service_healthy", (
            f"{service} must wait for {dependency} to be healthy, has condition {condition!r}"
        )


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_is_built_from_its_own_dockerfile_on_its_own_port(
    compose: dict[str, Any], service: str
) -> None:
    definition = compose.get(service, {})
    build = definition.get("build") or {}
    env = _environment(definition)

    assert build.get("context") == ".", f"{service}: the build context must be the repo root"
    assert build.get("dockerfile") == f"services/{service}/Dockerfile", (
        f"{service}: built from {build.get('dockerfile')!r}, not its own Dockerfile"
    )
    assert PORTS[service] in _container_ports(definition), (
        f"{service} does not publish container port {PORTS[service]}"
    )
    assert str(env.get("PORT")) == str(PORTS[service]), (
        f"{service}: PORT is {env.get('PORT')!r}, expected {PORTS[service]}"
    )
    assert definition.get("restart"), f"{service} has no restart policy"


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_gets_the_database_and_the_broker(
    compose: dict[str, Any], service: str
) -> None:
    env = _environment(compose.get(service, {}))

    for variable in ("DATABASE_URL", "RABBITMQ_URL"):
        assert env.get(variable), f"{service} has no {variable} in its environment"
    assert "@postgres:" in env["DATABASE_URL"], f"{service}: DATABASE_URL is not the postgres one"
    assert "@rabbitmq:" in env["RABBITMQ_URL"], f"{service}: RABBITMQ_URL is not the rabbitmq one"


def test_the_services_share_one_database(compose: dict[str, Any]) -> None:
    urls = {_environment(compose.get(service, {})).get("DATABASE_URL") for service in SERVICES}

    assert len(urls) == 1, f"each service owns a schema of one database, got URLs {urls}"


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_gets_time_to_drain_on_sigterm(compose: dict[str, Any], service: str) -> None:
    definition = compose.get(service, {})
    grace = definition.get("stop_grace_period")
    assert grace, f"{service} has no stop_grace_period: Docker kills it after 10 s"
    drain = _environment(definition).get("GRACEFUL_SHUTDOWN_SECONDS") or 30

    assert duration_seconds(str(grace)) > float(drain), (
        f"{service}: stop_grace_period {grace} leaves no time for a {drain} s drain"
    )


def test_the_toqio_settings_are_passed_through(compose: dict[str, Any]) -> None:
    seen = set().union(*(_environment(compose.get(service, {})) for service in SERVICES))

    missing = TOQIO_SETTINGS - seen
    assert not missing, f"settings not passed to any service: {sorted(missing)}"
    for service in ("accounts_payments", "compliance"):
        assert "CARDS_PROCESSOR_API_KEY" not in _environment(compose[service]), (
            f"{service} must not receive the card processor's credential (PCI DSS scope)"
        )


# --- CI and Sonar ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ci_jobs() -> dict[str, Any]:
    jobs = _yaml(".github/workflows/ci.yml").get("jobs")
    assert isinstance(jobs, dict), ".github/workflows/ci.yml has no jobs"
    return jobs


def _steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return list(job.get("steps") or [])


def _job_running(jobs: dict[str, Any], text: str) -> tuple[str, dict[str, Any]]:
    for name, job in jobs.items():
        if any(text in str(step.get("run", "")) for step in _steps(job)):
            return name, job
    raise AssertionError(f"no CI job runs {text!r}")


def test_ci_runs_make_test_against_postgres_and_rabbitmq(ci_jobs: dict[str, Any]) -> None:
    name, job = _job_running(ci_jobs, "make test")

    assert {"postgres", "rabbitmq"} <= set(job.get("services") or {}), (
        f"CI job {name} runs make test without postgres and rabbitmq service containers"
    )
    env = job.get("env") or {}
    assert {"DATABASE_URL", "RABBITMQ_URL"} <= set(env), (
        f"CI job {name} does not point DATABASE_URL/RABBITMQ_URL at its service containers"
    )
    uploads = [step for step in _steps(job) if "upload-artifact" in str(step.get("uses", ""))]
    assert any("coverage.xml" in str(step.get("with", {}).get("path")) for step in uploads), (
        f"CI job {name} does not upload coverage.xml"
    )


def test_ci_audits_the_locked_dependencies(ci_jobs: dict[str, Any]) -> None:
    name, job = _job_running(ci_jobs, "pip-audit")
    runs = " ".join(str(step.get("run", "")) for step in _steps(job))

    assert "uv export --frozen" in runs, f"CI job {name} does not audit what uv.lock pins"


def test_ci_runs_sonar_after_the_tests_and_only_with_a_token(ci_jobs: dict[str, Any]) -> None:
    for name, job in ci_jobs.items():
        for step in _steps(job):
            if "sonarqube-scan-action" in str(step.get("uses", "")).lower():
                test_job, _ = _job_running(ci_jobs, "make test")
                needs = job.get("needs") or []
                needs = [needs] if isinstance(needs, str) else needs
                assert name == test_job or test_job in needs, f"sonar job {name} ignores tests"
                assert "SONAR_TOKEN" in str(step.get("if", "")), (
                    "the sonar step should be skipped when SONAR_TOKEN is absent"
                )
                return
    raise AssertionError("no CI step uses SonarSource/sonarqube-scan-action")


def test_sonar_knows_the_sources_the_tests_and_the_coverage_report() -> None:
    path = REPO / "sonar-project.properties"
    assert path.is_file(), "sonar-project.properties is missing"
    properties = dict(
        line.split("=", 1)
        for line in path.read_text(encoding="utf-8").splitlines()
        if "=" in line and not line.lstrip().startswith("#")
    )
    sources = set(properties.get("sonar.sources", "").split(","))

    expected = {"src", *(f"services/{service}/src" for service in SERVICES)}
    assert expected <= sources, f"sonar.sources lacks {sorted(expected - sources)}"
    assert properties.get("sonar.tests") == "tests", "sonar.tests should be tests"
    assert properties.get("sonar.python.version") == "3.11", "sonar.python.version should be 3.11"
    assert "coverage.xml" in properties.get("sonar.python.coverage.reportPaths", ""), (
        "sonar.python.coverage.reportPaths should name coverage.xml"
    )
    assert "migrations/versions" in properties.get("sonar.exclusions", ""), (
        "sonar.exclusions should leave out the generated migration versions"
    )

"""Settings from environment variables: conversion, defaults, masked secrets, all errors at once."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
import pytest

from building_blocks.settings import Secret, SettingsError, load_settings

pytestmark = pytest.mark.unit


class AppSettings(msgspec.Struct, frozen=True, kw_only=True):
    port: int
    database_url: Secret
    host: str = "127.0.0.1"
    debug: bool = False
    timeout_seconds: float = 2.5
    api_key: Secret | None = None
    webhook_url: str | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING"] = "INFO"
    workers: Annotated[int, msgspec.Meta(ge=1, le=64)] = 4
    allowed_algorithms: tuple[str, ...] = ("RS256",)
    retry_delays: tuple[int, ...] = msgspec.field(default_factory=lambda: (1, 2))


REQUIRED = {"APP_PORT": "8001", "APP_DATABASE_URL": "postgresql://u:hunter2@db/app"}


def load(**variables: str) -> AppSettings:
    return load_settings(AppSettings, REQUIRED | variables, prefix="APP_")


def test_fields_come_from_prefixed_upper_case_variables() -> None:
    settings = load(
        APP_HOST="0.0.0.0",
        APP_TIMEOUT_SECONDS="0.75",
        APP_LOG_LEVEL="DEBUG",
        APP_WORKERS="8",
        APP_ALLOWED_ALGORITHMS="RS256, ES256,",
        APP_RETRY_DELAYS="5,10",
        APP_WEBHOOK_URL="https://toqio.example",
    )

    assert settings.port == 8001
    assert settings.host == "0.0.0.0"
    assert settings.timeout_seconds == 0.75
    assert settings.log_level == "DEBUG"
    assert settings.workers == 8
    assert settings.allowed_algorithms == ("RS256", "ES256")
    assert settings.retry_delays == (5, 10)
    assert settings.webhook_url == "https://toqio.example"


def test_missing_optional_variables_take_the_struct_defaults() -> None:
    settings = load()

    assert settings.host == "127.0.0.1"
    assert settings.debug is False
    assert settings.api_key is None
    assert settings.webhook_url is None
    assert settings.workers == 4
    assert settings.retry_delays == (1, 2)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("true", True),
        ("TRUE", True),
        ("1", True),
        ("yes", True),
        ("on", True),
        ("false", False),
        ("0", False),
        ("No", False),
        ("off", False),
    ],
)
def test_booleans_accept_the_usual_spellings(text: str, value: bool) -> None:
    assert load(APP_DEBUG=text).debug is value


def test_an_empty_optional_variable_means_unset() -> None:
    settings = load(APP_API_KEY="", APP_WEBHOOK_URL="  ")

    assert settings.api_key is None
    assert settings.webhook_url is None


def test_a_secret_is_revealed_only_on_request() -> None:
    settings = load(APP_API_KEY="s3cr3t")

    assert settings.api_key is not None
    assert settings.api_key.reveal() == "s3cr3t"
    assert settings.database_url.reveal() == "postgresql://u:hunter2@db/app"


def test_secrets_are_masked_in_str_repr_and_the_settings_repr() -> None:
    settings = load(APP_API_KEY="s3cr3t")

    assert str(Secret("s3cr3t")) == "********"
    assert repr(Secret("s3cr3t")) == "'********'"
    assert f"{Secret('s3cr3t')}" == "********"
    text = repr(settings)
    assert "s3cr3t" not in text
    assert "hunter2" not in text
    assert "api_key='********'" in text
    assert "database_url='********'" in text


def test_a_secret_cannot_be_serialised_by_accident() -> None:
    with pytest.raises(TypeError):
        msgspec.json.encode(load())


def test_secrets_compare_by_value() -> None:
    assert Secret("a") == Secret("a")
    assert Secret("a") != Secret("b")
    assert Secret("a") != "a"
    assert len({Secret("a"), Secret("a")}) == 1


def test_settings_read_os_environ_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "9000")
    monkeypatch.setenv("DATABASE_URL", "sqlite://")

    settings = load_settings(AppSettings)

    assert settings.port == 9000
    assert isinstance(settings, AppSettings)


def test_every_missing_or_invalid_variable_is_reported_at_once() -> None:
    environ = {
        "APP_DEBUG": "maybe",
        "APP_TIMEOUT_SECONDS": "fast",
        "APP_LOG_LEVEL": "TRACE",
        "APP_WORKERS": "0",
        "APP_RETRY_DELAYS": "1,x",
        "APP_API_KEY": "",
    }

    with pytest.raises(SettingsError) as raised:
        load_settings(AppSettings, environ, prefix="APP_")

    problems = raised.value.problems
    assert problems == (
        "APP_PORT is required but not set",
        "APP_DATABASE_URL is required but not set",
        "APP_DEBUG: expected a boolean (true/false, 1/0, yes/no, on/off)",
        "APP_TIMEOUT_SECONDS: expected a number",
        "APP_LOG_LEVEL: expected one of DEBUG, INFO, WARNING",
        "APP_WORKERS: Expected `int` >= 1",
        "APP_RETRY_DELAYS: expected an integer",
    )
    assert all(problem in str(raised.value) for problem in problems)
    assert "7 problems" in str(raised.value)


@pytest.mark.parametrize(
    ("variable", "text", "problem"),
    [
        ("APP_PORT", "80.5", "expected an integer"),
        ("APP_PORT", "", "expected an integer"),
        ("APP_TIMEOUT_SECONDS", "nan", "expected a finite number"),
        ("APP_TIMEOUT_SECONDS", "inf", "expected a finite number"),
        ("APP_DATABASE_URL", "", "a secret must not be empty"),
    ],
)
def test_an_invalid_value_is_named_but_never_echoed(variable: str, text: str, problem: str) -> None:
    with pytest.raises(SettingsError) as raised:
        load(**{variable: text})

    assert raised.value.problems == (f"{variable}: {problem}",)


def test_a_field_type_settings_cannot_read_is_a_programming_error() -> None:
    class Odd(msgspec.Struct, frozen=True):
        when: bytes

    class Ambiguous(msgspec.Struct, frozen=True):
        either: int | str | None = None

    with pytest.raises(TypeError, match="cannot read"):
        load_settings(Odd, {"WHEN": "x"})
    with pytest.raises(TypeError, match="cannot read"):
        load_settings(Ambiguous, {})


def test_an_invalid_secret_error_does_not_leak_the_secret() -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings(AppSettings, {"APP_DATABASE_URL": "postgresql://u:hunter2@db/app"}, "APP_")

    assert "hunter2" not in str(raised.value)

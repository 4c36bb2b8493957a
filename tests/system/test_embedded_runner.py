"""`make run`'s runner brings all three services up healthy and stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.system

SERVICES = ("ACCOUNTS_PAYMENTS", "COMPLIANCE", "CARDS")
REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], dict[str, int]]]:
    ports = {name: free_port() for name in SERVICES}
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "RABBITMQ_URL", "TOQIO_WEBHOOK_BASE_URL", "PORT"}
    }
    env.update({f"{name}_PORT": str(port) for name, port in ports.items()})
    env.update(DATA_DIR=str(tmp_path / "var"), SANDBOX_ENABLED="true", LOG_JSON="true")
    process = subprocess.Popen(
        [sys.executable, "-m", "scripts.run_embedded"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield process, ports
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def wait_ready(url: str, process: subprocess.Popen[str], deadline: float = 60.0) -> httpx.Response:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            raise AssertionError(f"runner exited early with {process.returncode}:\n{output}")
        try:
            response = httpx.get(url, timeout=2)
            if response.status_code == 200:
                return response
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} was not ready within {deadline}s")


def test_all_three_services_come_up_healthy_and_stop_on_sigterm(
    embedded: tuple[subprocess.Popen[str], dict[str, int]], tmp_path: Path
) -> None:
    process, ports = embedded
    for name, port in ports.items():
        base = f"http://127.0.0.1:{port}"
        ready = wait_ready(f"{base}/health/ready", process)
        assert ready.status_code == 200, name
        assert httpx.get(f"{base}/health/live").status_code == 200
        metrics = httpx.get(f"{base}/metrics")
        assert metrics.status_code == 200
        assert "http_requests" in metrics.text
        schema = httpx.get(f"{base}/schema/openapi.json").json()
        assert schema["openapi"].startswith("3.")
        recorder = httpx.get(f"{base}/dev/webhooks")
        assert recorder.status_code == 200, "webhooks go to the local recorder without a base URL"
    assert {path.name for path in (tmp_path / "var").glob("*.db")} == {
        "accounts_payments.db",
        "compliance.db",
        "cards.db",
    }

    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=45)
    assert process.returncode == 0, output
    assert "Traceback" not in output
    assert "service.stopped" in output

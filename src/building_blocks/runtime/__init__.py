"""Running services: their common settings, background workers and a graceful launcher."""

from building_blocks.runtime.launcher import (
    ServiceHost,
    Worker,
    run_hosts,
    run_service,
    serve_hosts,
)
from building_blocks.runtime.periodic import PeriodicWorker

__all__ = ["PeriodicWorker", "ServiceHost", "Worker", "run_hosts", "run_service", "serve_hosts"]

"""Running services: their common settings, background workers and a graceful launcher."""

from building_blocks.runtime.launcher import (
    ServiceHost,
    Worker,
    run_hosts,
    run_service,
    serve_hosts,
)

__all__ = ["ServiceHost", "Worker", "run_hosts", "run_service", "serve_hosts"]

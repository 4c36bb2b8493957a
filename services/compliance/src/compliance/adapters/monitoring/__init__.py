"""Monitoring providers outside the process: an external vendor over HTTP, behind a breaker."""

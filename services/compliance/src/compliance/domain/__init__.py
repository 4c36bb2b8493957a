"""Aggregates, value objects, domain events and policies (stdlib and shared_kernel.domain only)."""

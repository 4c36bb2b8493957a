"""Card Management use cases: issue, read, lifecycle changes, limits, replacement."""

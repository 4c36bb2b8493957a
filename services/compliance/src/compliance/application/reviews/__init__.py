"""The manual-review queue: listing held cases, reading one, and deciding it."""

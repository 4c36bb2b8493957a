"""Compliance: transaction monitoring, sanctions screening and the review queue."""

"""Benchmarks of hot paths, each reported as a ratio to a baseline measured in the same run."""

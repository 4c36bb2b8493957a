"""Developer scripts: the embedded all-in-one runner."""

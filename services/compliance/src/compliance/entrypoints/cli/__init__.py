"""Command-line tools of compliance: loading sanctions lists, managing API keys."""

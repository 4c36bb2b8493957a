"""Exchange rates the monitoring rules convert amounts with."""

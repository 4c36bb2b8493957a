"""Outbound payments: the Payment aggregate, its lifecycle, schemes, reason codes and text rules."""

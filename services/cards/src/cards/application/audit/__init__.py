"""The tamper-evident audit log: appending events to an HMAC chain and verifying it."""

"""Message-bus consumers of accounts_payments: responders and event handlers."""

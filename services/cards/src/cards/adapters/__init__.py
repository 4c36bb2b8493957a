"""Adapters implementing the application ports: persistence, messaging, providers, webhooks."""

"""Messaging adapters of cards: what it asks other services over the message bus."""

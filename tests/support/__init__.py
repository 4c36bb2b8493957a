"""Test helpers: real infrastructure, a Toqio-like JWT issuer, a recording webhook receiver."""

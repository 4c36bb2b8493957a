"""Use cases of customers (Toqio tenants), their capabilities and products."""

"""Authentication building blocks: Toqio's JWT and API keys."""

from building_blocks.auth.api_keys import (
    ApiKeyHasher,
    api_key_guard,
    generate_api_key,
    hash_api_key,
    key_id_of,
    verify_api_key,
)
from building_blocks.auth.errors import AuthenticationFailed, Forbidden
from building_blocks.auth.toqio_jwt import ToqioJwtVerifier, toqio_claims, toqio_jwt_guard

__all__ = [
    "ApiKeyHasher",
    "AuthenticationFailed",
    "Forbidden",
    "ToqioJwtVerifier",
    "api_key_guard",
    "generate_api_key",
    "hash_api_key",
    "key_id_of",
    "toqio_claims",
    "toqio_jwt_guard",
    "verify_api_key",
]

"""RotateKeys: rewrap data keys under the current KEK and reseal secrets under new data keys."""

from __future__ import annotations

from dataclasses import dataclass

from cards.application.vault.ports import (
    DataKeyRepository,
    KeyProvider,
    SealedSecretRepository,
    VaultError,
    WrappedDataKey,
    WrappedKey,
)
from cards.application.vault.vault import CardVault
from cards.domain.secrets import SealedSecret

DEFAULT_BATCH_SIZE = 500


@dataclass(frozen=True, slots=True, kw_only=True)
class RotationReport:
    """What one rotation run did; counts only, never key or card data."""

    kek_version: int
    data_keys_rewrapped: int = 0
    data_keys_created: int = 0
    secrets_resealed: int = 0
    # Written by someone else between our read and our write: their value was kept, and it
    # is under the current data key already, since every seal uses the current version.
    secrets_skipped: int = 0
    # Do not open (tampered, or their key is gone): left as they are, for an operator.
    secrets_unreadable: int = 0
    batches: int = 0


@dataclass(slots=True)
class _Tally:
    rewrapped: int = 0
    created: int = 0
    resealed: int = 0
    skipped: int = 0
    unreadable: int = 0
    batches: int = 0


class RotateKeys:
    """Key rotation, online: the service keeps sealing and opening secrets while it runs.

    1. Every data key wrapped under an older KEK version is rewrapped under the current one
       (the KEK rotation: no secret is touched, the old KEK can be retired afterwards).
    2. With ``new_data_keys``, every tenant gets a new data-key version; new seals use it at
       once, and old versions stay readable, since every ciphertext names its version.
    3. Every secret sealed under an older version than its tenant's current one is resealed.
       Always run, so an interrupted rotation is finished by the next run.

    Work goes in batches of ``batch_size``, each written in its own short transaction and
    only where the row is unchanged (optimistic), so a concurrent write always wins.
    """

    def __init__(
        self,
        keys: KeyProvider,
        data_keys: DataKeyRepository,
        sealed_secrets: SealedSecretRepository,
        vault: CardVault,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> None:
        if batch_size < 1:
            raise ValueError("a rotation batch must hold at least one row")
        self._keys = keys
        self._data_keys = data_keys
        self._sealed_secrets = sealed_secrets
        self._vault = vault
        self._batch_size = batch_size

    async def __call__(self, *, new_data_keys: bool = False) -> RotationReport:
        """Rotate; see the class documentation for the steps.

        Raises:
            KeyUnavailable: A data key is wrapped under a KEK version the provider lacks.
            SecretUnreadable: A stored data key does not unwrap.
        """
        tally = _Tally()
        kek_version = self._keys.current_version
        await self._rewrap_data_keys(kek_version, tally)
        for tenant_id in await self._data_keys.tenants():
            if new_data_keys:
                await self._add_data_key_version(tenant_id, tally)
            await self._reseal(tenant_id, tally)
        return RotationReport(
            kek_version=kek_version,
            data_keys_rewrapped=tally.rewrapped,
            data_keys_created=tally.created,
            secrets_resealed=tally.resealed,
            secrets_skipped=tally.skipped,
            secrets_unreadable=tally.unreadable,
            batches=tally.batches,
        )

    async def _rewrap_data_keys(self, kek_version: int, tally: _Tally) -> None:
        while batch := await self._data_keys.wrapped_before(kek_version, self._batch_size):
            changes: list[tuple[WrappedDataKey, WrappedKey]] = [
                (key, await self._keys.wrap(await self._keys.unwrap(key.wrapped))) for key in batch
            ]
            done = await self._data_keys.rewrap(changes)
            tally.rewrapped += done
            tally.batches += 1
            if done == 0:
                # Every key of the batch changed under us: another rotation is running and
                # will finish them; stop rather than chase it.
                break

    async def _add_data_key_version(self, tenant_id: str, tally: _Tally) -> None:
        current = await self._data_keys.current(tenant_id)
        version = 1 if current is None else current.version + 1
        await self._vault.create_data_key(tenant_id, version)
        tally.created += 1

    async def _reseal(self, tenant_id: str, tally: _Tally) -> None:
        current = await self._data_keys.current(tenant_id)
        if current is None:
            return
        after: SealedSecret | None = None
        while batch := await self._sealed_secrets.older_than(
            tenant_id, current.version, self._batch_size, after=after
        ):
            after = batch[-1]
            changes: list[tuple[SealedSecret, SealedSecret]] = []
            for old in batch:
                try:
                    plaintext = await self._vault.open(old)
                except VaultError:
                    tally.unreadable += 1
                    continue
                new = await self._vault.seal(old.tenant_id, old.card_id, old.field, plaintext)
                changes.append((old, new))
            done = await self._sealed_secrets.replace(changes) if changes else 0
            tally.resealed += done
            tally.skipped += len(changes) - done
            tally.batches += 1

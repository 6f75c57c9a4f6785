"""Occurrence claims: before running a time-based occurrence or delivering a message, a node
asks which of them are its to run, so across the server and every desk each runs once.

The engine only knows this protocol; a signed-in desk passes one that asks the server
(`frontdesk.sync.claims`), anything else runs everything itself (`LOCAL_CLAIMS`). Offline, a
desk runs what is due anyway: the execution key's UNIQUE merge and the message idempotency
key de-duplicate at sync."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class OccurrenceClaims(Protocol):
    def claim(self, keys: Sequence[str]) -> set[str]:
        """The keys of `keys` this node may run; the others run (or ran) elsewhere."""
        ...


class LocalClaims:
    """A node alone (a standalone desk, the server's own bookkeeping): everything is its own."""

    def claim(self, keys: Sequence[str]) -> set[str]:
        return set(keys)


LOCAL_CLAIMS: OccurrenceClaims = LocalClaims()


class SwitchableClaims:
    """Claims that can change while the engine runs: local until a desk's account is known,
    then the server's (`use`), local again after sign-out (`use(None)`)."""

    def __init__(self) -> None:
        self._current: OccurrenceClaims = LOCAL_CLAIMS

    def use(self, claims: OccurrenceClaims | None) -> None:
        self._current = claims or LOCAL_CLAIMS

    def claim(self, keys: Sequence[str]) -> set[str]:
        return self._current.claim(keys)

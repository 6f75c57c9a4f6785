"""Occurrence claims over the network: a signed-in desk asks the server (`POST /v1/claims`)
which due occurrences and messages are its to run, so the server and every desk run each
once. When the server cannot answer, the desk is offline and runs everything itself; the
execution key's UNIQUE merge and the message idempotency key de-duplicate at sync."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import httpx

from frontdesk.i18n.text import T_
from frontdesk.sync.account import Account
from frontdesk.sync.transport import SyncError, raise_for_answer

log = logging.getLogger(__name__)

CLAIMS_PATH = "/v1/claims"
BATCH_SIZE = 500
"""The most keys the server takes in one request."""

TIMEOUT = httpx.Timeout(15.0, connect=5.0)
"""Shorter than a sync round's: the engine waits for the answer before running anything."""


class ServerClaims:
    """`OccurrenceClaims` of a signed-in desk: the server decides, one node per key."""

    def __init__(self, account: Account) -> None:
        self._account = account

    def claim(self, keys: Sequence[str]) -> set[str]:
        wanted = list(dict.fromkeys(keys))  # unique, in order
        if not wanted:
            return set()
        try:
            return self._ask(wanted)
        except SyncError as error:
            log.warning(
                "claims: the server did not answer (%s); running %d occurrence(s) locally, "
                "sync will merge any duplicate",
                error,
                len(wanted),
            )
            return set(wanted)

    def _ask(self, keys: list[str]) -> set[str]:
        granted: set[str] = set()
        for start in range(0, len(keys), BATCH_SIZE):
            response = self._account.request(
                "POST",
                CLAIMS_PATH,
                json={"keys": keys[start : start + BATCH_SIZE]},
                timeout=TIMEOUT,
            )
            raise_for_answer(response, T_("Claiming scheduled runs"))
            granted.update(str(key) for key in response.json()["granted"])
        return granted

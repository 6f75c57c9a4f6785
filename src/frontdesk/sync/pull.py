"""Fetching pages after the stored cursor until the desk has caught up.

The next page is fetched while the current one is applied (a page names the cursor after
it, so it can be asked for at once). Only applied pages move the stored cursor: a page
fetched but not applied when something fails is simply asked for again next time."""

from __future__ import annotations

import json
import queue
import threading
from dataclasses import dataclass

from frontdesk.i18n.text import T_
from frontdesk.store.mirror import Mirror
from frontdesk.sync.account import Account
from frontdesk.sync.apply import (
    PulledPage,
    apply_page,
    drop_secondary_indexes,
    read_cursor,
    restore_indexes,
)
from frontdesk.sync.protocol import CURSOR_HEADER, MORE_HEADER, PULL_PAGE_ROWS, SCOPE_HEADER
from frontdesk.sync.transport import raise_for_answer


@dataclass
class PullSummary:
    pulled: int = 0
    removed: int = 0
    pages: int = 0
    version: int = 0


@dataclass(frozen=True)
class _Fetched:
    body: bytes
    cursor: str
    more: bool
    scope: str


def _fetch(account: Account, cursor: str, scope: str | None, limit: int) -> _Fetched:
    params: dict[str, str | int] = {"cursor": cursor, "limit": limit}
    if scope is not None:
        params["scope"] = scope
    response = account.request("GET", "/v1/sync/pull", params=params)
    raise_for_answer(response, T_("Fetching changes"))
    headers = response.headers
    return _Fetched(
        response.content,
        headers[CURSOR_HEADER],
        headers[MORE_HEADER] == "1",
        headers[SCOPE_HEADER],
    )


class _Prefetcher:
    """Downloads pages one ahead of the applier, on its own thread. It only reads the next
    cursor from the headers: parsing stays on the applier's thread, so the two do not take
    turns holding the interpreter while SQLite writes."""

    def __init__(self, account: Account, cursor: str, scope: str | None, limit: int) -> None:
        self._pages: queue.Queue[_Fetched | BaseException] = queue.Queue(maxsize=1)
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(account, cursor, scope, limit), name="sync-fetch", daemon=True
        )
        self._thread.start()

    def _run(self, account: Account, cursor: str, scope: str | None, limit: int) -> None:
        while not self._stop.is_set():
            try:
                fetched = _fetch(account, cursor, scope, limit)
            except BaseException as error:  # handed to the applier, which raises it
                self._pages.put(error)
                return
            self._pages.put(fetched)
            if not fetched.more:
                return
            cursor, scope = fetched.cursor, fetched.scope

    def next(self) -> PulledPage:
        item = self._pages.get()
        if isinstance(item, BaseException):
            raise item
        return PulledPage.from_json(json.loads(item.body))

    def close(self) -> None:
        self._stop.set()
        while self._thread.is_alive():  # let a fetch under way hand over its page and end
            try:
                self._pages.get(timeout=0.05)
            except queue.Empty:
                continue
        self._thread.join()


def pull_all(mirror: Mirror, account: Account, *, limit: int = PULL_PAGE_ROWS) -> PullSummary:
    """Apply pages until the server has nothing newer. Each page commits with its cursor.
    A desk's first sync writes its rows without the secondary indexes and builds them at the
    end (also on failure; a first sync killed outright gets them back at its next pull)."""
    summary = PullSummary()
    state = read_cursor(mirror.engine)
    first = state.cursor in ("", "0") and state.scope is None
    restore_indexes(mirror.engine)
    if first:
        drop_secondary_indexes(mirror.engine)
    pages = _Prefetcher(account, state.cursor, state.scope, limit)
    try:
        while True:
            page = pages.next()
            apply_page(mirror.engine, page, account.organization_id)
            summary.pages += 1
            summary.pulled += page.row_count
            summary.removed += sum(len(ids) for ids in page.removed.values())
            summary.version = page.version
            if not page.more:
                return summary
    finally:
        pages.close()
        if first:
            restore_indexes(mirror.engine)

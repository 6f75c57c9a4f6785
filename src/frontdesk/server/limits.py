"""Rate limits (moving window, in this process's memory) for sign-in and public booking, and
the back-off that follows failed sign-ins."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta

from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from frontdesk.domain.clock import Clock

TOO_MANY_REQUESTS = "too many requests"


class RateLimited(Exception):
    def __init__(self, retry_after: int, reason: str = TOO_MANY_REQUESTS) -> None:
        super().__init__(f"{reason}; try again in {retry_after} s")
        self.retry_after = retry_after


class RateLimits:
    """One limit (e.g. "10/minute") applied separately to each key it is given: a request
    counts against every key (an address and an account) and is refused if any is spent."""

    def __init__(self, namespace: str, limit: str) -> None:
        self._namespace = namespace
        self._limit = parse(limit)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def hit(self, *keys: tuple[str, str], reason: str = TOO_MANY_REQUESTS) -> None:
        spent = [key for key in keys if not self._limiter.hit(self._limit, self._namespace, *key)]
        if spent:
            raise RateLimited(max(self._retry_after(key) for key in spent), reason)

    def _retry_after(self, key: tuple[str, str]) -> int:
        reset_at, _remaining = self._limiter.get_window_stats(self._limit, self._namespace, *key)
        return max(1, math.ceil(reset_at - time.time()))


# Past this the wait is at its cap anyway; it keeps the power small.
MAX_DOUBLINGS = 30


@dataclass
class _Failures:
    count: int
    last_at: datetime


class Backoff:
    """Failures per key: after `free` of them each new one doubles the wait before the next
    attempt (from `base_seconds` up to `max_seconds`). A key with no failure for
    `forget_after` starts again. Kept in memory, at most `max_keys` keys (the stalest go)."""

    def __init__(
        self,
        clock: Clock,
        *,
        base_seconds: int,
        max_seconds: int,
        forget_after: timedelta,
        max_keys: int = 100_000,
    ) -> None:
        self._clock = clock
        self._base = base_seconds
        self._max = max_seconds
        self._forget_after = forget_after
        self._max_keys = max_keys
        self._failures: dict[Hashable, _Failures] = {}
        # Sign-ins run on the server's worker threads.
        self._lock = threading.Lock()

    def attempt(self, keys: list[tuple[Hashable, int]]) -> int:
        """Seconds to wait when any of `keys` (each with its free failures) is held back, and
        nothing is counted; else 0, and the attempt counts as a failure of every key until
        `clear` (so attempts made in parallel cannot all slip in before the first fails)."""
        with self._lock:
            wait = max(self._wait(key, free) for key, free in keys)
            if wait == 0:
                for key, _free in keys:
                    self._failed(key)
            return wait

    def clear(self, key: Hashable) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def _wait(self, key: Hashable, free: int) -> int:
        failures = self._current(key)
        if failures is None or failures.count <= free:
            return 0
        doublings = min(failures.count - free - 1, MAX_DOUBLINGS)
        delay = min(self._max, self._base * 2**doublings)
        left = (failures.last_at + timedelta(seconds=delay) - self._clock.now()).total_seconds()
        return max(0, math.ceil(left))

    def _failed(self, key: Hashable) -> None:
        failures = self._current(key)
        self._failures.pop(key, None)  # re-inserted last: the dict's order is staleness
        count = (failures.count if failures else 0) + 1
        self._failures[key] = _Failures(count, self._clock.now())
        while len(self._failures) > self._max_keys:
            del self._failures[next(iter(self._failures))]

    def _current(self, key: Hashable) -> _Failures | None:
        failures = self._failures.get(key)
        if failures is not None and self._clock.now() - failures.last_at >= self._forget_after:
            del self._failures[key]
            return None
        return failures

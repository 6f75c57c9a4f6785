"""Rate limits (moving window, in this process's memory) for sign-in and public booking."""

from __future__ import annotations

import math
import time

from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many requests; try again in {retry_after} s")
        self.retry_after = retry_after


class RateLimits:
    """One limit (e.g. "10/minute") applied separately to each key it is given: a request
    counts against every key (an address and an account) and is refused if any is spent."""

    def __init__(self, namespace: str, limit: str) -> None:
        self._namespace = namespace
        self._limit = parse(limit)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def hit(self, *keys: tuple[str, str]) -> None:
        spent = [key for key in keys if not self._limiter.hit(self._limit, self._namespace, *key)]
        if spent:
            raise RateLimited(max(self._retry_after(key) for key in spent))

    def _retry_after(self, key: tuple[str, str]) -> int:
        reset_at, _remaining = self._limiter.get_window_stats(self._limit, self._namespace, *key)
        return max(1, math.ceil(reset_at - time.time()))

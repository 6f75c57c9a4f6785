"""Who may try a password now. Failed sign-ins slow down the address they come from and the
account they aim at (a doubling wait); a place that signed in to the account recently — its
address, or a desk proving its device secret — is judged apart with looser limits, so
failures from elsewhere never lock the real user out. The answer never depends on whether
the account exists: the account is keyed by the address as typed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from frontdesk.domain.clock import Clock
from frontdesk.server.config import ServerConfig
from frontdesk.server.limits import Backoff, RateLimited, RateLimits

REASON = "too many failed sign-ins for this account or from this address"
# A key with no failure for this long starts again (longer than the longest wait).
FORGET_FAILURES_AFTER = timedelta(hours=1)


@dataclass(frozen=True)
class Attempt:
    """One sign-in: the account as typed (lower case), the caller's address, and the source
    the account recognises (`known_sources`), if any."""

    account: str
    address: str
    known_source: str | None = None

    def counters(self) -> list[tuple[str, ...]]:
        if self.known_source is not None:
            return [("known", self.account, self.known_source)]
        return [("address", self.address), ("account", self.account)]


class SignInGuard:
    def __init__(self, config: ServerConfig, clock: Clock) -> None:
        self._config = config
        self._requests = RateLimits("login", config.login_rate_limit)
        self._backoff = Backoff(
            clock,
            base_seconds=config.login_backoff_seconds,
            max_seconds=config.login_backoff_max_seconds,
            forget_after=max(
                FORGET_FAILURES_AFTER, timedelta(seconds=2 * config.login_backoff_max_seconds)
            ),
        )

    def admit(self, attempt: Attempt) -> None:
        """Raise `RateLimited` (with the wait) when this attempt must not check a password;
        otherwise it counts as a failure until `succeeded`."""
        if attempt.known_source is not None:
            self._requests.hit(
                ("known", f"{attempt.account} {attempt.known_source}"), reason=REASON
            )
        else:
            self._requests.hit(("address", attempt.address), reason=REASON)
        wait = self._backoff.attempt([(key, self._free(key)) for key in attempt.counters()])
        if wait:
            raise RateLimited(wait, REASON)

    def succeeded(self, attempt: Attempt) -> None:
        """The password was right: the attempt's failures are forgiven."""
        for key in attempt.counters():
            self._backoff.clear(key)

    def _free(self, key: tuple[str, ...]) -> int:
        """Failures allowed before the wait starts: an address may serve a whole clinic."""
        return {
            "known": self._config.login_free_failures_known,
            "address": self._config.login_free_failures_per_address,
            "account": self._config.login_free_failures,
        }[key[0]]

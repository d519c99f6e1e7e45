"""Password guessing brake for agent logins (gateway console and backend), by account and by IP.

After `failures` wrong passwords within the lockout period for one key (an account or an
address), that key is locked for the whole lockout period from that moment: every login for it
answers 429, even with the right password, so guessing continues neither slowly nor from the
side. A successful login clears the account's count (a colleague's typo streak does not add up
over the day); the address's count is kept, so one address cannot try many accounts.

Counters live in the `limits` library's storage: in memory for one process, in Redis when
`REDIS_URL` is set, so all gateways of a cluster share them. Both stores expire their keys, so
memory stays bounded whatever the number of names or addresses tried.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItemPerSecond
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from citybot.settings import Settings


class LoginThrottle:
    def __init__(self, namespace: str, failures: int, lockout_seconds: int, storage_uri: str = "") -> None:
        self._namespace = namespace
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage_uri or "memory://"))
        self._failures = RateLimitItemPerSecond(failures, lockout_seconds)
        self._lock = RateLimitItemPerSecond(1, lockout_seconds)

    @classmethod
    def from_settings(cls, namespace: str, settings: Settings) -> LoginThrottle:
        return cls(
            namespace,
            settings.agent_login_max_failures,
            int(settings.agent_login_lockout_minutes * 60),
            settings.redis_url,
        )

    @staticmethod
    def keys(username: str, address: str | None) -> tuple[str, str]:
        return f"account:{username.strip().lower()}", f"ip:{address or 'unknown'}"

    def retry_after(self, *keys: str) -> int | None:
        """Seconds until the first of `keys` is unlocked, or None when none is locked."""
        waits = []
        for key in keys:
            if not self._limiter.test(self._lock, self._namespace, key):
                reset = self._limiter.get_window_stats(self._lock, self._namespace, key).reset_time
                waits.append(max(1, math.ceil(reset - time.time())))
        return max(waits) if waits else None

    def failed(self, *keys: str) -> None:
        for key in keys:
            self._limiter.hit(self._failures, self._namespace, key)
            if self._limiter.get_window_stats(self._failures, self._namespace, key).remaining <= 0:
                self._limiter.hit(self._lock, self._namespace, key)

    def succeeded(self, account_key: str) -> None:
        self._limiter.clear(self._failures, self._namespace, account_key)

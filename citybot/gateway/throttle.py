"""Abuse limits for every channel: per sender and, for the web, per client network.

Counters are kept by the `limits` library (sliding-window counters): in Redis when REDIS_URL is
set, so every gateway process of a cluster shares them, otherwise in a bounded in-process store.
Keys are keyed hashes, so neither a raw IP address nor a platform id is kept in the store.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from dataclasses import dataclass

from limits import RateLimitItem, RateLimitItemPerHour, RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.storage import storage_from_string

from citybot.settings import Settings

log = logging.getLogger(__name__)  # masked process-wide (citybot.privacy)


class BoundedMemoryStorage(MemoryStorage):
    """`limits`' memory storage with a ceiling on keys: least recently hit keys go first.

    The stock storage only forgets a key when its window expires, so 100,000 fresh ids in a
    minute would mean 100,000 live counters. Evicting the least recently used keeps a flooding
    network's own counter (it is hit on every request) while fresh one-off keys fall out.
    """

    def __init__(self, max_keys: int) -> None:
        super().__init__()
        self.max_keys = max_keys

    async def get(self, key: str) -> int:
        value = await super().get(key)
        if key in self.storage:
            # Re-insert: a dict keeps insertion order, so the front holds the least recently used.
            # Reads count as use: a network over its limit is only read, never incremented.
            self.storage[key] = self.storage.pop(key)
        return value

    async def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        value = await super().incr(key, expiry, amount)  # reads through `get`, so `key` is last
        if len(self.storage) > self.max_keys:
            self._evict(len(self.storage) - self.max_keys + self.max_keys // 10)
        return value

    def _evict(self, count: int) -> None:
        for key in list(self.storage)[:count]:
            self.storage.pop(key, None)
            self.expirations.pop(key, None)
            self.locks.pop(key, None)
        # Locks of keys read but never incremented (a `get` on an unknown key) are dropped too.
        for key in [k for k in self.locks if k not in self.storage]:
            self.locks.pop(key, None)


def make_storage(settings: Settings) -> Storage:
    if settings.redis_url:
        storage = storage_from_string("async+" + settings.redis_url, implementation="redispy")
        assert isinstance(storage, Storage)  # an "async+" scheme gives the asyncio storage
        return storage
    return BoundedMemoryStorage(settings.gateway_limiter_max_keys)


@dataclass(frozen=True)
class Rules:
    message_sender: RateLimitItem
    message_ip: RateLimitItem
    session_ip: RateLimitItem
    complaint_ip: RateLimitItem
    lookup_ip: RateLimitItem
    lookup_sender: RateLimitItem
    photo_ip: RateLimitItem
    photo_sender: RateLimitItem
    warning: RateLimitItem  # the polite "wait a minute" is said once a minute, then silence

    @classmethod
    def from_settings(cls, s: Settings) -> Rules:
        return cls(
            message_sender=RateLimitItemPerMinute(s.gateway_rate_limit_per_minute),
            message_ip=RateLimitItemPerMinute(s.gateway_ip_messages_per_minute),
            session_ip=RateLimitItemPerHour(s.gateway_ip_sessions_per_hour),
            complaint_ip=RateLimitItemPerHour(s.gateway_ip_complaints_per_hour),
            lookup_ip=RateLimitItemPerHour(s.gateway_ip_lookups_per_hour),
            lookup_sender=RateLimitItemPerHour(s.gateway_sender_lookups_per_hour),
            photo_ip=RateLimitItemPerHour(s.gateway_ip_photos_per_hour),
            photo_sender=RateLimitItemPerHour(s.gateway_sender_photos_per_hour),
            warning=RateLimitItemPerMinute(1),
        )


class Throttle:
    def __init__(self, settings: Settings, storage: Storage | None = None) -> None:
        self._key = hashlib.sha256(("throttle:" + settings.sender_id_key).encode()).digest()
        self.storage = storage or make_storage(settings)
        self.limiter = SlidingWindowCounterRateLimiter(self.storage)
        self.rules = Rules.from_settings(settings)
        self._failing_since = 0.0

    def _opaque(self, key: str) -> str:
        return hmac.new(self._key, key.encode(), hashlib.sha256).hexdigest()[:24]

    async def hit(self, rule: str, key: str) -> bool:
        """Count one use of `rule` for `key`; False when the limit is reached (nothing counted)."""
        item: RateLimitItem = getattr(self.rules, rule)
        try:
            return await self.limiter.hit(item, rule, self._opaque(key))
        except Exception as exc:  # a storage outage must not stop the chat
            # Fail open: Redis down means no limits for a while, never no service. Logged at most
            # once a minute so an outage does not flood the log either.
            now = time.monotonic()
            if now - self._failing_since > 60:
                self._failing_since = now
                log.warning("rate-limit storage unavailable, limits not applied: %s", type(exc).__name__)
            return True

    async def verdict(self, rule: str, key: str) -> str:
        """ "ok", "warn" (first refusal this minute: answer politely) or "drop"."""
        if await self.hit(rule, key):
            return "ok"
        return "warn" if await self.hit("warning", f"{rule}:{key}") else "drop"

    async def mark(self, name: str, key: str, seconds: int = 3600) -> None:
        """Remember a fact about `key` for a while (shared by every gateway process with Redis)."""
        try:
            await self.storage.clear(f"mark:{name}:{self._opaque(key)}")
            await self.storage.incr(f"mark:{name}:{self._opaque(key)}", seconds)
        except Exception as exc:  # as in `hit`: fail open
            log.warning("rate-limit storage unavailable for a mark: %s", type(exc).__name__)

    async def take_mark(self, name: str, key: str) -> bool:
        """Whether `key` was marked; the mark is used up."""
        stored = f"mark:{name}:{self._opaque(key)}"
        try:
            marked = await self.storage.get(stored) > 0
            if marked:
                await self.storage.clear(stored)
            return marked
        except Exception as exc:
            log.warning("rate-limit storage unavailable for a mark: %s", type(exc).__name__)
            return False

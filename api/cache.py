"""A small per-process TTL cache for lookups that rarely change (technicians, groups)."""

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class AsyncTTLCache:
    """Remembers each key's value for `ttl` seconds; concurrent misses share one load."""

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl
        self._clock = clock
        self._entries: dict[Hashable, tuple[float, Any]] = {}
        self._locks: dict[Hashable, asyncio.Lock] = {}

    async def get_or_load(
        self,
        key: Hashable,
        load: Callable[[], Awaitable[T]],
        keep: Callable[[T], bool] | None = None,
    ) -> T:
        """The cached value for `key`, loading it (once, even under concurrency) when stale;
        a value loaded is kept only where `keep` (when given) says so."""
        hit = self._fresh(key)
        if hit is not None:
            return hit[0]
        async with self._locks.setdefault(key, asyncio.Lock()):
            hit = self._fresh(key)
            if hit is not None:
                return hit[0]
            value = await load()
            if keep is None or keep(value):
                self._entries[key] = (self._clock() + self._ttl, value)
            return value

    def _fresh(self, key: Hashable) -> tuple[Any] | None:
        entry = self._entries.get(key)
        if entry and entry[0] > self._clock():
            return (entry[1],)
        return None

    def clear(self) -> None:
        """Forget everything (after a write that changes what is cached)."""
        self._entries.clear()

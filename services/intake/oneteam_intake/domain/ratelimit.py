"""A token bucket per client, for public report submission.

In-process on purpose: each replica limits on its own, so N replicas allow N times the rate.
That is enough to stop one misbehaving phone or script; a shared limit belongs in the gateway.
"""

from __future__ import annotations

from dataclasses import dataclass

from oneteam_servicekit.errors import DomainError


@dataclass
class _Bucket:
    tokens: float
    at: float


class TokenBuckets:
    """`capacity` requests at once, refilled at `per_second`; time is passed in (seconds)."""

    def __init__(self, capacity: int, per_second: float, max_clients: int = 100_000) -> None:
        self.capacity = capacity
        self.per_second = per_second
        self._max_clients = max_clients
        self._buckets: dict[str, _Bucket] = {}

    def take(self, client: str, now: float) -> float | None:
        """Spend one token for `client`; None if allowed, else seconds until one is available."""
        bucket = self._buckets.get(client)
        if bucket is None:
            if len(self._buckets) >= self._max_clients:
                self._forget_full(now)
            bucket = self._buckets[client] = _Bucket(float(self.capacity), now)
        bucket.tokens = min(float(self.capacity), bucket.tokens + (now - bucket.at) * self.per_second)
        bucket.at = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return None
        return (1 - bucket.tokens) / self.per_second if self.per_second > 0 else float("inf")

    def _forget_full(self, now: float) -> None:
        # A bucket that has refilled completely holds no information; dropping it is free.
        refill = self.capacity / self.per_second if self.per_second > 0 else float("inf")
        for client in [c for c, b in self._buckets.items() if now - b.at >= refill]:
            del self._buckets[client]
        if len(self._buckets) >= self._max_clients:
            self._buckets.clear()


class RateLimited(DomainError):
    """The client sent more public submissions than its bucket allows."""

    type = "rate-limited"
    title = "Too many requests"
    status = 429

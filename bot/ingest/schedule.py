"""When to fetch a source next. Pure: `now` and the random source are parameters.

- After a success the wait is the longest of the configured interval, the feed's `<ttl>` and the
  response's `Cache-Control: max-age` (a publisher asking to be polled less often is obeyed),
  kept within [min_interval, max_interval], then spread by +/- `JITTER` so that sources added
  together do not stay in lock-step.
- After a failure the wait doubles with each consecutive error (interval * 2**(errors-1)), up to
  max_interval, with the same jitter.
- A `Retry-After` from the server is a floor on the wait, also capped by max_interval.
- `should_disable` says when a run of failures is long enough to stop polling the source.
"""

from __future__ import annotations

import random

JITTER = 0.1
MAX_BACKOFF_DOUBLINGS = 20


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def next_fetch_at(
    *,
    now: float,
    interval: float,
    ok: bool,
    error_count: int,
    ttl: float | None,
    max_age: float | None,
    retry_after: float | None,
    rng: random.Random,
    min_interval: float = 10,
    max_interval: float = 86400,
) -> float:
    """The time (same clock as `now`) at which the source is next due."""
    if ok:
        wait = max(interval, ttl or 0.0, max_age or 0.0)
    else:
        doublings = min(max(error_count, 1) - 1, MAX_BACKOFF_DOUBLINGS)
        wait = interval * (2**doublings)
    wait = _clamp(wait, min_interval, max_interval)
    wait *= 1 + rng.uniform(-JITTER, JITTER)
    if retry_after is not None and retry_after > 0:
        wait = max(wait, min(retry_after, max_interval))
    return now + _clamp(wait, min_interval, max_interval * (1 + JITTER))


def should_disable(error_count: int, *, threshold: int) -> bool:
    """True once `error_count` consecutive failures reach `threshold` (0 or less: never)."""
    return threshold > 0 and error_count >= threshold

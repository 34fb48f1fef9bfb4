"""When a source is fetched next: polite to publishers, patient with failing ones."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from bot.ingest.schedule import next_fetch_at, should_disable

BASE = {"now": 1000.0, "error_count": 0, "ttl": None, "max_age": None, "retry_after": None}


def _wait(**kw: object) -> float:
    args = {**BASE, "interval": 300.0, "ok": True, "rng": random.Random(1), **kw}
    return next_fetch_at(**args) - 1000.0  # type: ignore[arg-type]


def test_interval_with_jitter() -> None:
    """After a success the next fetch is one interval away, give or take 10%."""
    waits = {_wait(rng=random.Random(seed)) for seed in range(20)}
    assert all(270 <= w <= 330 for w in waits)
    assert len(waits) > 1


def test_ttl_and_max_age_slow_polling_down() -> None:
    """A feed's <ttl> or Cache-Control max-age longer than the interval is respected."""
    assert 3240 <= _wait(ttl=3600) <= 3960
    assert 1620 <= _wait(max_age=1800) <= 1980
    assert 270 <= _wait(max_age=60) <= 330  # shorter than the interval: the interval stands


def test_bounds_apply() -> None:
    """Hints never push past max_interval, and nothing goes below min_interval."""
    assert _wait(ttl=10 * 86400, max_interval=7200) <= 7200 * 1.1
    assert _wait(interval=1, min_interval=10) >= 10


def test_retry_after_is_a_floor() -> None:
    """A Retry-After longer than the planned wait is obeyed, within max_interval."""
    assert _wait(retry_after=5000) >= 5000
    assert _wait(ok=False, error_count=1, retry_after=10**9, max_interval=3600) <= 3600 * 1.1


def test_backoff_doubles_per_error() -> None:
    """Each consecutive failure doubles the wait, up to max_interval."""
    waits = [_wait(ok=False, error_count=n, rng=random.Random(0)) for n in (1, 2, 3, 4)]
    assert [round(w / waits[0]) for w in waits] == [1, 2, 4, 8]
    assert _wait(ok=False, error_count=60, max_interval=86400) <= 86400 * 1.1


@given(
    st.floats(1, 10**6), st.booleans(), st.integers(0, 100),
    st.one_of(st.none(), st.floats(0, 10**7)), st.integers(0, 2**32),
)  # fmt: skip
def test_always_in_bounds(
    interval: float, ok: bool, errors: int, hint: float | None, seed: int
) -> None:
    """Whatever the inputs, the next fetch is between min_interval and max_interval (+jitter)."""
    w = _wait(interval=interval, ok=ok, error_count=errors, ttl=hint, retry_after=hint,
              rng=random.Random(seed))  # fmt: skip
    assert 10 <= w <= 86400 * 1.1


def test_disable_after_threshold() -> None:
    """A source is disabled once its failures reach the threshold; 0 means never."""
    assert not should_disable(4, threshold=5)
    assert should_disable(5, threshold=5)
    assert not should_disable(1000, threshold=0)

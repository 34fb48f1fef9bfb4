"""Pacing keeps every window of Telegram's limits under its count, and honours 429 blocks."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.deliver.pacing import Limits, Pacer, Window


def _send(pacer: Pacer, chat: int, now: float) -> float:
    at = pacer.earliest(chat, now)
    pacer.record(chat, at)
    return at


def test_thirty_per_second_overall() -> None:
    """30 messages to 30 chats go at once; the 31st waits until the 1 s window (+margin) frees."""
    pacer = Pacer()
    times = [_send(pacer, c, 100.0) for c in range(1, 32)]
    assert times[:30] == [100.0] * 30
    assert times[30] == 100.0 + 1.0 + pacer.limits.margin


def test_chat_burst_then_one_per_second() -> None:
    """A private chat gets a burst of 3, then one message per second on average."""
    pacer = Pacer(Limits(margin=0.0))
    times = [_send(pacer, 5, 0.0) for _ in range(7)]
    assert times == [0.0, 0.0, 0.0, 3.0, 3.0, 3.0, 6.0]


def test_group_twenty_per_minute_does_not_hold_up_others() -> None:
    """A group at its 20/min limit waits; a private chat is free meanwhile."""
    pacer = Pacer(Limits(margin=0.0))
    now = 0.0
    for _ in range(20):
        now = _send(pacer, -42, now)
    assert now == 18.0  # 3 per 3 s
    assert pacer.earliest(-42, 20.0) == 60.0
    assert pacer.earliest(7, 20.0) == 20.0


def test_retry_after_blocks_chat_or_everyone() -> None:
    """A 429 for one chat blocks that chat until its end; a bot-wide one blocks all chats."""
    pacer = Pacer()
    pacer.block_chat(9, 50.0)
    assert pacer.earliest(9, 10.0) == 50.0
    assert pacer.earliest(10, 10.0) == 10.0
    pacer.block_all(60.0)
    assert pacer.earliest(10, 10.0) == 60.0
    assert pacer.overall_earliest(61.0) == 61.0


def test_forgets_idle_chats_but_keeps_their_limits_correct() -> None:
    """Old state is dropped after a while without loosening any live window."""
    pacer = Pacer(Limits(margin=0.0))
    for i in range(3000):
        pacer.record(i + 1, i / 30)
    assert pacer.tracked < 3000
    assert pacer.earliest(3000, 100.0) == 100.0
    for _ in range(2):
        pacer.record(3000, 100.0)
    assert pacer.earliest(3000, 100.0) == 2999 / 30 + 3.0


@settings(max_examples=60, deadline=None)
@given(
    chats=st.lists(st.sampled_from([1, 2, 3, -10, -11, -1001]), min_size=1, max_size=150),
    gaps=st.lists(st.floats(0, 0.5), min_size=150, max_size=150),
)
def test_any_schedule_respects_every_window(chats: list[int], gaps: list[float]) -> None:
    """Whatever the order of requests, no window of any limit ever holds more than allowed."""
    limits = Limits(margin=0.0)
    pacer = Pacer(limits)
    now = 0.0
    sent: list[tuple[int, float]] = []
    for chat, gap in zip(chats, gaps, strict=False):
        now += gap
        at = _send(pacer, chat, now)
        assert at >= now
        sent.append((chat, at))
        now = at  # the sender waits for its slot

    def check(times: list[float], window: Window) -> None:
        times.sort()
        for i in range(window.count, len(times)):
            assert times[i] - times[i - window.count] >= window.seconds - 1e-9

    check([t for _, t in sent], limits.overall)
    for chat in set(chats):
        mine = [t for c, t in sent if c == chat]
        check(mine, limits.chat)
        if chat < 0:
            check(list(mine), limits.group)


def test_a_send_to_an_unknown_chat_fills_only_the_overall_window() -> None:
    """A send whose chat is not known (in flight when a process died) counts against the 30/s
    window and no chat's own."""
    pacer = Pacer()
    for _ in range(30):
        pacer.record(None, 100.0)
    assert pacer.overall_earliest(100.0) > 100.9
    pacer.record(7, 101.5)
    assert pacer.earliest(7, 101.5) == 101.5
    assert pacer.tracked == 1

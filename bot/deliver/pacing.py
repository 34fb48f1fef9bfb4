"""When the next message to a chat may go: under Telegram's limits by construction.

Telegram's limits, as sliding windows over the times messages were sent:
  * overall:   30 messages in any 1 s;
  * per chat:  1 message per second, with a burst of 3 (3 in any 3 s);
  * per group or channel (chat id < 0): also 20 messages in any 60 s.
Each window is lengthened by `margin` seconds: requests sent back to back may reach Telegram a few
milliseconds apart from how they left, and a window that is exactly full would then overflow.
A 429's retry_after blocks one chat (`block_chat`) or everyone (`block_all`) until its end.

Pure: no clock reads, `now` is always a parameter (seconds, any monotonic-enough origin).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Window:
    """At most `count` messages in any `seconds` long window."""

    count: int
    seconds: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    overall: Window = Window(30, 1.0)
    chat: Window = Window(3, 3.0)
    group: Window = Window(20, 60.0)
    margin: float = 0.05


def _free_at(times: deque[float] | None, window: Window, margin: float) -> float:
    """When a window whose last sends are `times` next has room (0.0: it has room now)."""
    if times is None or len(times) < window.count:
        return 0.0
    return times[-window.count] + window.seconds + margin


class Pacer:
    """Sliding-window pacing for the overall, per-chat and per-group limits, plus 429 blocks."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self._overall: deque[float] = deque(maxlen=self.limits.overall.count)
        self._chats: dict[int, deque[float]] = {}
        self._groups: dict[int, deque[float]] = {}
        self._chat_blocks: dict[int, float] = {}
        self._all_blocked_until = 0.0
        self._records = 0

    def overall_earliest(self, now: float) -> float:
        """The earliest time any message may go (overall window and a global block)."""
        free = _free_at(self._overall, self.limits.overall, self.limits.margin)
        return max(now, free, self._all_blocked_until)

    def earliest(self, chat_id: int, now: float) -> float:
        """The earliest time (>= now) a message to `chat_id` may go."""
        lim = self.limits
        times = [
            self.overall_earliest(now),
            self._chat_blocks.get(chat_id, 0.0),
            _free_at(self._chats.get(chat_id), lim.chat, lim.margin),
        ]
        if chat_id < 0:
            times.append(_free_at(self._groups.get(chat_id), lim.group, lim.margin))
        return max(times)

    def record(self, chat_id: int | None, now: float) -> None:
        """A message to `chat_id` left at `now` (None: to a chat not known, which fills only the
        overall window)."""
        self._overall.append(now)
        if chat_id is None:
            return
        self._chats.setdefault(chat_id, deque(maxlen=self.limits.chat.count)).append(now)
        if chat_id < 0:
            group = self._groups.setdefault(chat_id, deque(maxlen=self.limits.group.count))
            group.append(now)
        self._records += 1
        if self._records % 1000 == 0:
            self._forget(now)

    def block_chat(self, chat_id: int, until: float) -> None:
        """Nothing to `chat_id` before `until` (a 429 for that chat)."""
        self._chat_blocks[chat_id] = max(until, self._chat_blocks.get(chat_id, 0.0))

    def block_all(self, until: float) -> None:
        """Nothing to anyone before `until` (a 429 for the whole bot)."""
        self._all_blocked_until = max(until, self._all_blocked_until)

    @property
    def tracked(self) -> int:
        """How many chats the pacer holds state for."""
        return len(self._chats)

    def _forget(self, now: float) -> None:
        """Drop the state of chats whose windows and blocks are all in the past."""
        horizon = now - max(self.limits.chat.seconds, self.limits.group.seconds) - 1.0
        for table in (self._chats, self._groups):
            for chat_id in [c for c, q in table.items() if q[-1] < horizon]:
                del table[chat_id]
        for chat_id in [c for c, t in self._chat_blocks.items() if t < now]:
            del self._chat_blocks[chat_id]

"""The outbox relay: queued messages go to Telegram as fast as its limits allow, and no faster.

    loop: heads = the next due row of each chat (replies first, then oldest due; while paused,
          replies only), skipping chats with a send in flight
          -> for each head the Pacer allows now: record, send (at most `max_in_flight` at once)
          -> outcome -> ONE committed transaction on that row (or chat) -> wake the loop
          sleep until the Pacer's next slot, the next due row, or wake()

Outcomes: sent -> ack; retry_after -> the chat's rows wait exactly that long, durably (and every
chat does when two chats are told to wait at once: the bot as a whole is limited); transient ->
exponential backoff with jitter, durably, dead after `max_attempts`; forbidden / chat not found ->
the chat is marked blocked, its subscriptions and queue end; migrated -> the chat, its
subscriptions and its queue move to the new id and the message goes again; bad HTML -> the row
becomes plain text and goes again; rejected -> dead, with Telegram's words as the error.

By default one message is in flight at a time, which is what bounds a SIGKILL to resending at most
one message (CONTRACT "Delivery guarantees"); on a link with high latency `max_in_flight` can be
raised, trading that bound for throughput. The connection is used from the event loop only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable
from typing import Protocol

from bot.deliver.format import to_plain
from bot.deliver.pacing import Pacer
from bot.model import RenderedMessage, SendOutcome
from bot.store import chats as chat_store
from bot.store import outbox
from bot.store.db import Store, transaction
from bot.store.outbox import OutboxRow

log = logging.getLogger(__name__)

BACKOFF_BASE = 1.0  # seconds before the first retry of a transient failure
BACKOFF_CAP = 600.0
IDLE_POLL = 5.0  # look at the queue at least this often, even without wake()


class Sender(Protocol):
    """What the relay sends with (TelegramSender, or a test double)."""

    async def send(
        self, chat_id: int, message: RenderedMessage, *, thread_id: int | None = None
    ) -> SendOutcome: ...

    async def edit(
        self, chat_id: int, message_id: int, message: RenderedMessage
    ) -> SendOutcome: ...


class Relay:
    """Delivers the outbox; see the module docstring."""

    def __init__(
        self,
        conn: Store,
        sender: Sender,
        *,
        clock: Callable[[], float] = time.time,
        pacer: Pacer | None = None,
        on_forbidden: Callable[[int], None] | None = None,
        on_migrated: Callable[[int, int], None] | None = None,
        max_attempts: int = 50,
        max_in_flight: int = 1,
        rng: random.Random | None = None,
    ) -> None:
        self.conn = conn
        self.sender = sender
        self.clock = clock
        self.pacer = pacer or Pacer()
        self.on_forbidden = on_forbidden
        self.on_migrated = on_migrated
        self.max_attempts = max_attempts
        self.max_in_flight = max(1, max_in_flight)
        self.rng = rng or random.Random()
        self.paused = False
        self.sent = 0
        self.failed = 0
        self.retry_afters = 0
        self._wake = asyncio.Event()
        self._stopping = False
        self._stopped = asyncio.Event()
        self._running = False
        self._in_flight: dict[int, asyncio.Task[None]] = {}  # chat id -> its send
        self._told_to_wait: dict[int, float] = {}  # chat id -> end of its last 429

    # --- control -----------------------------------------------------------------------------

    def wake(self) -> None:
        """Something was queued or changed: look at the queue now."""
        self._wake.set()

    def pause(self) -> None:
        """Hold alerts (they stay queued); command replies still go out."""
        self.paused = True

    def resume(self) -> None:
        self.paused = False
        self.wake()

    async def stop(self) -> None:
        """End run() after the sends in flight have finished and been recorded."""
        self._stopping = True
        self.wake()
        if self._running:
            await self._stopped.wait()

    # --- the loop ----------------------------------------------------------------------------

    async def run(self) -> None:
        """Deliver until stop(). Sends of the last minute (a previous run's, before a restart or
        a crash) count against the limits first, as they do at Telegram."""
        self._running = True
        self._stopped.clear()
        self._count_earlier_sends(self.clock())
        try:
            while not self._stopping:
                self._wake.clear()
                wake_at = self._dispatch(self.clock())
                await self._sleep(wake_at)
            if self._in_flight:
                await asyncio.wait(list(self._in_flight.values()))
        except asyncio.CancelledError:
            for task in self._in_flight.values():
                task.cancel()
            raise
        finally:
            self._running = False
            self._stopped.set()

    def _count_earlier_sends(self, now: float) -> None:
        """Record the sends Telegram still counts: the acknowledged ones from the outbox, plus
        those a killed process may have had in flight (sent, never acknowledged) at the time of
        its last acknowledged send; they fill only the overall window, their chat unknown."""
        horizon = max(self.pacer.limits.group.seconds, self.pacer.limits.chat.seconds)
        earlier = outbox.recent_sends(self.conn, since=now - horizon)
        for chat_id, sent_at in earlier:
            self.pacer.record(chat_id, sent_at)
        if earlier:
            for _ in range(self.max_in_flight):
                self.pacer.record(None, earlier[-1][1])

    def _dispatch(self, now: float) -> float | None:
        """Start every send the limits allow now; return when to look again (None: on wake)."""
        wake_at: float | None = None
        capacity = self.max_in_flight - len(self._in_flight)
        if capacity > 0:
            chats = outbox.due_chats(
                self.conn, now=now, exclude_chats=list(self._in_flight), replies_only=self.paused
            )
            for chat_id in chats:
                if capacity == 0:
                    break
                if (t := self.pacer.overall_earliest(now)) > now:
                    wake_at = t
                    break
                if (t := self.pacer.earliest(chat_id, now)) > now:
                    wake_at = t if wake_at is None else min(wake_at, t)
                    continue
                row = outbox.head(self.conn, chat_id, now=now, replies_only=self.paused)
                if row is None:
                    continue
                self.pacer.record(row.chat_id, now)
                self._start(row)
                capacity -= 1
        later = outbox.next_due_after(self.conn, now, replies_only=self.paused)
        if later is not None:
            wake_at = later if wake_at is None else min(wake_at, later)
        return wake_at

    async def _sleep(self, wake_at: float | None) -> None:
        timeout = IDLE_POLL if wake_at is None else min(IDLE_POLL, wake_at - self.clock())
        if timeout <= 0:
            await asyncio.sleep(0)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)

    def _start(self, row: OutboxRow) -> None:
        task = asyncio.create_task(self._deliver(row), name=f"send-{row.id}")
        self._in_flight[row.chat_id] = task

        def done(_: asyncio.Task[None]) -> None:
            if self._in_flight.get(row.chat_id) is task:
                del self._in_flight[row.chat_id]
            self.wake()

        task.add_done_callback(done)

    async def _deliver(self, row: OutboxRow) -> None:
        message = row.message
        try:
            if row.edit_of is not None:  # the alert's latest text, as edits may go out of order
                shown = outbox.shown_row(self.conn, row.chat_id, row.edit_of)
                message = shown.message if shown is not None else row.message
                outcome = await self.sender.edit(row.chat_id, row.edit_of, message)
            else:
                outcome = await self.sender.send(row.chat_id, message, thread_id=row.thread_id)
        except asyncio.CancelledError:
            raise
        except Exception as e:  # the loop boundary: a bug must not stop delivery
            log.exception("send failed unexpectedly", extra={"chat_id": row.chat_id})
            outcome = SendOutcome(kind="transient", description=f"{type(e).__name__}: {e}")
        try:
            self._apply(row, outcome, self.clock(), sent=message)
        except Exception:  # the loop boundary: storage trouble is logged, the row stays queued
            log.exception("recording a send outcome failed", extra={"chat_id": row.chat_id})

    # --- outcomes ----------------------------------------------------------------------------

    def _apply(
        self, row: OutboxRow, outcome: SendOutcome, now: float, *, sent: RenderedMessage
    ) -> None:
        """Record a send's outcome; `sent` is the message that went out (for an edit, the
        alert's latest text, not the edit row's)."""
        kind = outcome.kind
        if kind != "sent":
            log.info(
                "send not accepted",
                extra={
                    "chat_id": row.chat_id,
                    "attempt": row.attempts + 1,
                    "outcome": kind,
                    "error": outcome.description,
                },
            )
        with transaction(self.conn):
            if kind == "sent":
                outbox.ack(
                    self.conn, row.id, message_id=outcome.message_id, now=now, sent=sent,
                    chat_id=row.chat_id,
                )  # fmt: skip
                self.sent += 1
            elif kind == "retry_after":
                self._retry_after(row, outcome, now)
            elif kind in ("forbidden", "chat_not_found"):
                chat_store.set_blocked(self.conn, row.chat_id, True, now)
                outbox.kill_chat(self.conn, row.chat_id, error=f"{kind}: {outcome.description}")
                self.failed += 1
            elif kind == "migrated" and outcome.new_chat_id is not None:
                chat_store.migrate_chat(self.conn, row.chat_id, outcome.new_chat_id, now)
                outbox.move_chat(self.conn, row.chat_id, outcome.new_chat_id)
            elif kind == "bad_html" and row.edit_of is not None:
                self._edit_as_plain(row, outcome)
            elif kind == "bad_html" and row.message.parse_mode is not None:
                found = outbox.get_row(self.conn, row.id)  # rewritten while in flight?
                now_text = found[0].message if found else row.message
                outbox.replace_message(self.conn, row.id, _as_plain(now_text))
            elif kind == "transient":
                self._transient(row, outcome, now)
            else:
                outbox.kill(self.conn, row.id, error=f"{kind}: {outcome.description}")
                self.failed += 1
        self._notify(row, outcome)

    def _edit_as_plain(self, row: OutboxRow, outcome: SendOutcome) -> None:
        """Telegram refused an edit's HTML: the alert it edits (whose latest text every edit
        sends) becomes plain text and the edit is tried again; refused as plain, it is dropped."""
        assert row.edit_of is not None
        shown = outbox.shown_row(self.conn, row.chat_id, row.edit_of)
        if shown is not None and shown.message.parse_mode is not None:
            outbox.replace_message(self.conn, shown.id, _as_plain(shown.message))
        elif row.message.parse_mode is not None and shown is None:
            outbox.replace_message(self.conn, row.id, _as_plain(row.message))
        else:
            outbox.kill(self.conn, row.id, error=f"bad_html: {outcome.description}")
            self.failed += 1

    def _retry_after(self, row: OutboxRow, outcome: SendOutcome, now: float) -> None:
        self.retry_afters += 1
        until = now + (outcome.retry_after or 1.0)
        self.pacer.block_chat(row.chat_id, until)
        outbox.defer_chat(self.conn, row.chat_id, until=until)
        others = [c for c, end in self._told_to_wait.items() if c != row.chat_id and end > now]
        self._told_to_wait = {c: end for c, end in self._told_to_wait.items() if end > now}
        self._told_to_wait[row.chat_id] = until
        if others or outcome.extra.get("scope") == "global":
            self.pacer.block_all(until)
            outbox.defer_all(self.conn, until=until)

    def _transient(self, row: OutboxRow, outcome: SendOutcome, now: float) -> None:
        self.failed += 1
        attempts = row.attempts + 1
        if attempts >= self.max_attempts:
            outbox.kill(self.conn, row.id, error=f"gave up after {attempts}: {outcome.description}")
            return
        delay = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (attempts - 1))
        at = now + delay * self.rng.uniform(0.5, 1.0)
        outbox.reschedule(self.conn, row.id, at=at, error=outcome.description or "transient")

    def _notify(self, row: OutboxRow, outcome: SendOutcome) -> None:
        try:
            if outcome.kind in ("forbidden", "chat_not_found") and self.on_forbidden:
                self.on_forbidden(row.chat_id)
            if outcome.kind == "migrated" and outcome.new_chat_id and self.on_migrated:
                self.on_migrated(row.chat_id, outcome.new_chat_id)
        except Exception:  # a listener's bug must not stop delivery
            log.exception("delivery listener failed", extra={"chat_id": row.chat_id})


def _as_plain(message: RenderedMessage) -> RenderedMessage:
    """The same message without HTML: its fallback text, or its text with the tags removed."""
    return message.as_plain(message.plain_text or to_plain(message.text))

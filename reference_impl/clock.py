"""Time for the worker and the local supervisor, injectable so their timing rules (backoffs,
heartbeats, stop deadlines, poll periods) are tested without sleeping.

``SYSTEM`` is real time. ``ManualClock`` is virtual time for tests: it moves only when the code
under test sleeps or waits (which then returns at once, time advanced) or the test advances it,
and it runs periodic and one-shot callbacks at their virtual times, in the thread that moves
time, so a test of a loop is one thread and gives the same answer on any machine.
"""
import heapq
import itertools
import threading
import time
from typing import Callable, Protocol


class Ticker(Protocol):
    def cancel(self) -> None:
        """Stop calling; when this returns, no call is running or will start."""


class Clock(Protocol):
    def now(self) -> float:
        """Monotonic seconds, for intervals and deadlines."""

    def time(self) -> float:
        """Epoch seconds, for timestamps written in records."""

    def sleep(self, seconds: float) -> None: ...

    def wait(self, event: threading.Event, timeout_s: float) -> bool:
        """Block until ``event`` is set or ``timeout_s`` passes; True if it was set."""

    def every(self, interval_s: float, call: Callable[[], None], name: str) -> Ticker:
        """Call ``call`` every ``interval_s`` until the returned ticker is cancelled."""


class _ThreadTicker:
    def __init__(self, interval_s, call, name):
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(interval_s, call), daemon=True, name=name)
        self._thread.start()

    def _run(self, interval_s, call):
        while not self._done.wait(interval_s):
            call()

    def cancel(self):
        self._done.set()
        self._thread.join()


class SystemClock:
    def now(self):
        return time.monotonic()

    def time(self):
        return time.time()

    def sleep(self, seconds):
        time.sleep(seconds)

    def wait(self, event, timeout_s):
        return event.wait(timeout_s)

    def every(self, interval_s, call, name="ticker"):
        return _ThreadTicker(interval_s, call, name)


SYSTEM = SystemClock()


class ManualClock:
    """Virtual time. ``sleep`` and ``wait`` advance it instead of blocking; ``at`` and ``every``
    schedule callbacks that run when time passes their moment; ``waits`` records every sleep and
    wait asked for, in order (what a test of a backoff reads)."""

    EPOCH = 1_750_000_000.0  # what ``time()`` reads at virtual 0

    def __init__(self, start: float = 0.0):
        self._now = float(start)
        self._timers: list = []  # heap of (due, seq, interval or None, call, ticker)
        self._seq = itertools.count()
        self.waits: list[float] = []

    def now(self):
        return self._now

    def time(self):
        return self.EPOCH + self._now

    def at(self, when_s: float, call: Callable[[], None]) -> None:
        """Run ``call`` once when virtual time reaches ``when_s`` (a test's "meanwhile")."""
        heapq.heappush(self._timers, (when_s, next(self._seq), None, call, None))

    def every(self, interval_s, call, name="ticker"):
        ticker = _ManualTicker()
        heapq.heappush(self._timers, (self._now + interval_s, next(self._seq), interval_s, call, ticker))
        return ticker

    def advance(self, seconds: float, until: threading.Event | None = None) -> bool:
        """Move time forward, running due callbacks in order; stop early once ``until`` is set."""
        target = self._now + max(0.0, seconds)
        while self._timers and self._timers[0][0] <= target:
            due, _, interval, call, ticker = heapq.heappop(self._timers)
            if ticker is not None and ticker.cancelled:
                continue
            self._now = max(self._now, due)
            call()
            if interval is not None and not ticker.cancelled:
                heapq.heappush(self._timers, (due + interval, next(self._seq), interval, call, ticker))
            if until is not None and until.is_set():
                return True
        self._now = target
        return until is not None and until.is_set()

    def advance_to(self, when_s: float) -> None:
        self.advance(when_s - self._now)

    def sleep(self, seconds):
        self.waits.append(seconds)
        self.advance(seconds)

    def wait(self, event, timeout_s):
        self.waits.append(timeout_s)
        if event.is_set():
            return True
        return self.advance(timeout_s, until=event)


class _ManualTicker:
    cancelled = False

    def cancel(self):
        self.cancelled = True

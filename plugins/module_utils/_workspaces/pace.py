# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# This module_utils is PRIVATE: it is for the use of the euc.workspaces collection only
# and may change at any time without notice.

"""One send rate per API operation, shared by every thread of a run, learnt from throttled answers.

Until AWS throttles an operation its calls go out as fast as the threads make them. From
the first throttled answer on, every call of that operation waits for its slot, and the
rate follows the answers with botocore's own CUBIC calculation (``CubicCalculator``, the
one its adaptive retry mode uses): cut on a throttled answer, grown back towards and then
past the rate that was throttled.

Why not botocore's adaptive retry mode as it is (its ``ClientRateLimiter``): measured on a
throttled RebuildWorkspaces (``tests/benchmarks/fleet_throughput.py``) it kept a task at
about 1.25 times the time the account's rate allows. It falls short in three ways this
module does not:

- one limiter per client: a throttled RebuildWorkspaces slows the DescribeWorkspaces reads
  made right before each request too, though AWS throttles each operation on its own;
- every throttled answer cuts the rate again, so the answers to the calls already in
  flight when the first one was throttled (one per thread) cut it many times over; here
  only an answer to a call sent at the current rate cuts it, once per round trip;
- it cuts from the rate of calls sent, throttled ones included; here from the rate of
  calls AWS accepted in the last second, which is what the account allows.
"""

from __future__ import annotations

import collections
import threading
import typing as t

try:
    from botocore.retries.throttling import CubicCalculator
except ImportError:  # The modules report a missing botocore through AnsibleAWSModule.
    pass

if t.TYPE_CHECKING:
    from .retry import Clock

# A cut takes the rate to this share of what AWS accepted in the last second (botocore's
# adaptive mode takes 0.7 of what was sent): AWS just said the rate is about there.
CUT_TO = 0.9
# The accepted answers the rate is measured over, in seconds.
MEASURE_WINDOW = 1.0
# botocore's adaptive mode never goes below half a call a second either.
MIN_RATE = 0.5
# Growth never goes past twice the rate AWS accepted in the last second (as in botocore's
# adaptive mode): threads that are not sending do not earn the run a burst.
MAX_GROWTH = 2.0


class OperationPace:
    """The send slots of one operation."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._rate: float | None = None  # calls a second; None until the first throttled answer
        self._next_slot = 0.0
        self._cubic = CubicCalculator(starting_max_rate=0, start_time=clock.monotonic(), beta=CUT_TO)
        # A throttled answer cuts the rate only if its call was sent at the current rate:
        # the calls in flight when it was cut were sent at the old one.
        self._generation = 0
        self._accepted: collections.deque[float] = collections.deque()

    @property
    def rate(self) -> float | None:
        with self._lock:
            return self._rate

    def take_slot(self) -> int:
        """Wait for the next slot of the operation; the ticket to give answered()."""
        with self._lock:
            now = self._clock.monotonic()
            generation = self._generation
            if self._rate is None:
                return generation
            slot = max(now, self._next_slot)
            self._next_slot = slot + 1.0 / self._rate
        if slot > now:
            self._clock.sleep(slot - now)
        return generation

    def answered(self, ticket: int, throttled: bool) -> None:
        """What AWS answered to the call sent with that ticket."""
        with self._lock:
            now = self._clock.monotonic()
            if not throttled:
                self._accepted.append(now)
                if self._rate is not None:
                    self._rate = self._bounded(self._cubic.success_received(now), now)
                return
            if ticket != self._generation:
                return
            accepted_rate = self._accepted_rate(now)
            current = accepted_rate if self._rate is None else min(accepted_rate, self._rate)
            self._rate = max(MIN_RATE, self._cubic.error_received(current, now))
            self._generation += 1
            # The next call, the throttled one's retry as likely as not, waits a whole slot.
            self._next_slot = max(self._next_slot, now + 1.0 / self._rate)

    def _bounded(self, rate: float, now: float) -> float:
        return max(MIN_RATE, min(rate, MAX_GROWTH * self._accepted_rate(now)))

    def _accepted_rate(self, now: float) -> float:
        while self._accepted and self._accepted[0] < now - MEASURE_WINDOW:
            self._accepted.popleft()
        return len(self._accepted) / MEASURE_WINDOW


class Pace:
    """The paces of one run, one per operation."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._paces: dict[str, OperationPace] = {}

    def of(self, operation: str) -> OperationPace:
        with self._lock:
            if operation not in self._paces:
                self._paces[operation] = OperationPace(self._clock)
            return self._paces[operation]

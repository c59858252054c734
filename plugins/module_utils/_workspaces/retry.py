# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# This module_utils is PRIVATE: it is for the use of the euc.workspaces collection only
# and may change at any time without notice.

"""How the collection retries, and when it stops: one retry layer, one outage bound per run.

Why not only amazon.aws's ``AWSRetry`` decorator: a WorkSpaces action needs three things it
does not offer. It must see every attempt of a mutating call (a 5xx or a dropped connection
may come after AWS accepted the request, so the next attempt must first read the WorkSpace
again instead of being sent blindly); it must stop a whole run, across threads, once the API
has been failing for a while (an outage) instead of letting every WorkSpace exhaust its own
retries; and it must say how many attempts were made. So botocore makes one attempt per call
(see ``module_runner.workspaces_client``) and this module retries, with amazon.aws's own
jittered backoff (``BackoffIterator``). Its error codes are sorted in two kinds that
``AWSRetry`` keeps in one list: throttling (refused before processing: safe to send again)
and server errors (may come after the work was done).
"""

from __future__ import annotations

import dataclasses
import threading
import time
import typing as t

try:
    from botocore.exceptions import ConnectionClosedError
    from botocore.exceptions import ConnectTimeoutError
    from botocore.exceptions import EndpointConnectionError
    from botocore.exceptions import HTTPClientError
    from botocore.exceptions import ReadTimeoutError

    # The connection was never made: the request did not leave.
    _NOT_SENT_ERRORS: tuple[type[BaseException], ...] = (EndpointConnectionError, ConnectTimeoutError)
    # The request was sent and no answer came: it may have been carried out.
    _AFTER_SENDING_ERRORS: tuple[type[BaseException], ...] = (ConnectionClosedError, ReadTimeoutError, HTTPClientError)
except ImportError:  # The modules report a missing botocore through AnsibleAWSModule.
    _NOT_SENT_ERRORS = ()
    _AFTER_SENDING_ERRORS = ()

from ansible_collections.amazon.aws.plugins.module_utils.cloud import BackoffIterator

from .common import WorkspacesError
from .common import error_code
from .common import error_name

if t.TYPE_CHECKING:
    from .pace import OperationPace

# AWSRetry's throttling codes, plus ThrottlingException, which the WorkSpaces API answers.
THROTTLING_CODES = frozenset(
    ("Throttling", "ThrottlingException", "ThrottledException", "RequestLimitExceeded", "TooManyRequestsException",
     "RequestThrottled", "SlowDown")
)
# Server errors that come with a 4xx status or none (a 5xx status is one in any case).
SERVER_ERROR_CODES = frozenset(("InternalError", "InternalFailure", "InternalServerError", "ServiceUnavailable", "Unavailable"))

# Attempts of one call before it gives up: after server or connection errors, 7 (about 20 s
# of backoff at most: 1, 2, 4, 8, 8, 8 s before jitter), so that one call never holds a run
# for minutes; throttled attempts were not processed and a storm passes, so they go on
# until the outage bound: spaced by the operation's pace (pace.py), at its slowest half a
# call a second, 32 attempts take longer than OUTAGE_MAX_SECONDS.
MAX_ATTEMPTS = 7
MAX_THROTTLED_ATTEMPTS = 32
BACKOFF_DELAY = 1.0
BACKOFF_MAX_DELAY = 8.0

# The outage bound: the run stops sending new requests once this many attempts in a row
# failed with a server error or a connection error, or once calls have kept failing (with
# any retryable error, throttling included) for this many seconds without one success.
OUTAGE_MAX_CONSECUTIVE_FAILURES = 6
OUTAGE_MAX_SECONDS = 60.0

# Kinds of failed attempt.
THROTTLED = "throttled"  # refused before it was processed: safe to send again
NOT_SENT = "not_sent"  # the connection could not be made: the request never left
AMBIGUOUS = "ambiguous"  # a server error or a connection lost after sending: may have been accepted
FINAL = "final"  # any other error: retrying would get the same answer


@dataclasses.dataclass
class Clock:
    """Where the engine sleeps and reads the time; unit tests replace it."""

    sleep: t.Callable[[float], None] = time.sleep
    monotonic: t.Callable[[], float] = time.monotonic


def failure_kind(exception: BaseException) -> str:
    """What a failed attempt says about the request: see the kinds above."""
    code = error_code(exception)
    if code is not None:
        if code in THROTTLING_CODES:
            return THROTTLED
        status = getattr(exception, "response", {}).get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        if status >= 500 or code in SERVER_ERROR_CODES:
            return AMBIGUOUS
        return FINAL
    if isinstance(exception, _NOT_SENT_ERRORS):
        return NOT_SENT
    if isinstance(exception, _AFTER_SENDING_ERRORS):
        return AMBIGUOUS
    return FINAL


def is_retryable(kind: str) -> bool:
    return kind in (THROTTLED, NOT_SENT, AMBIGUOUS)


@dataclasses.dataclass
class _Streak:
    """The failed attempts in a row of one operation."""

    since: float
    attempts: int = 0
    server_errors: int = 0


class Outage:
    """The run-wide outage bound, shared by every thread of one run.

    Streaks are kept per operation: RebuildWorkspaces failing on every attempt is an outage
    even while the DescribeWorkspaces reads between its attempts succeed.
    """

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._streaks: dict[str, _Streak] = {}
        self._reason: str | None = None

    def record_success(self, operation: str) -> None:
        with self._lock:
            self._streaks.pop(operation, None)

    def record_failure(self, operation: str, kind: str, exception: BaseException) -> None:
        with self._lock:
            now = self._clock.monotonic()
            streak = self._streaks.setdefault(operation, _Streak(since=now))
            streak.attempts += 1
            if kind != THROTTLED:
                streak.server_errors += 1
            elapsed = now - streak.since
            if self._reason is None and (streak.server_errors >= OUTAGE_MAX_CONSECUTIVE_FAILURES or elapsed >= OUTAGE_MAX_SECONDS):
                self._reason = (
                    f"{operation} kept failing: {streak.attempts} failed attempts in a row over {elapsed:.0f} s "
                    f"({streak.server_errors} of them server or connection errors; the last one "
                    f"{error_name(exception)}), so no new request was sent"
                )

    @property
    def reason(self) -> str | None:
        """Why the run stops sending requests, once the bound is reached."""
        with self._lock:
            return self._reason


@dataclasses.dataclass
class Attempts:
    """The attempts of one call: how many, how long, and whether one may have been accepted."""

    operation: str
    clock: Clock
    count: int = 0
    server_errors: int = 0
    started: float = 0.0
    ambiguous: bool = False
    last_error: BaseException | None = None
    _backoff: t.Iterator[float] = dataclasses.field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.started = self.clock.monotonic()
        self._backoff = iter(BackoffIterator(delay=BACKOFF_DELAY, backoff=2.0, max_delay=BACKOFF_MAX_DELAY, jitter=True))

    @property
    def error(self) -> BaseException:
        """The last error; only asked for once an attempt has failed."""
        if self.last_error is None:
            raise AssertionError("no attempt has failed yet")
        return self.last_error

    def failed(self, exception: BaseException, kind: str) -> None:
        self.count += 1
        if kind != THROTTLED:
            self.server_errors += 1
        self.last_error = exception
        self.ambiguous = self.ambiguous or kind == AMBIGUOUS

    @property
    def exhausted(self) -> bool:
        return self.server_errors >= MAX_ATTEMPTS or self.count >= MAX_THROTTLED_ATTEMPTS

    def back_off(self, kind: str, paced: bool) -> None:
        """Sleep before the next attempt, unless it was throttled and the operation's pace,
        which that answer slowed, already spaces the next attempt: a thread that also backed
        off on its own would leave the task slower than the account allows."""
        if kind == THROTTLED and paced:
            return
        self.clock.sleep(next(self._backoff))

    def describe(self) -> str:
        """'after 7 attempts over 21 s', for messages."""
        elapsed = self.clock.monotonic() - self.started
        noun = "attempt" if self.count == 1 else "attempts"
        return f"after {self.count} {noun} over {elapsed:.0f} s"


Result = t.TypeVar("Result")


def call_read(description: str, func: t.Callable[[], Result], outage: Outage, clock: Clock, pace: OperationPace | None = None) -> Result:
    """Call a read-only func until it succeeds, its error is final, or retries run out.

    A read is safe to repeat, so every retryable kind (server errors included) is retried.
    Each attempt waits for its slot of the operation's pace; a throttled one waits for
    nothing else (the pace it just slowed spaces the next attempt), the others back off.
    Raises WorkspacesError("Failed to <description> after N attempts over S s", the last
    error) when it gives up; a final error leaves as it came, for the error handler.
    """
    attempts = Attempts(description, clock)
    while True:
        ticket = pace.take_slot() if pace is not None else 0
        try:
            result = func()
        except Exception as error:  # pylint: disable=broad-except
            kind = failure_kind(error)
            if pace is not None and kind in (THROTTLED, FINAL):
                pace.answered(ticket, throttled=kind == THROTTLED)
            if not is_retryable(kind):
                raise
            attempts.failed(error, kind)
            outage.record_failure(description, kind, error)
            if attempts.exhausted or outage.reason is not None:
                detail = f" ({outage.reason})" if outage.reason else ""
                raise WorkspacesError(message=f"Failed to {description} {attempts.describe()}{detail}", exception=error) from error
            attempts.back_off(kind, paced=pace is not None)
            continue
        if pace is not None:
            pace.answered(ticket, throttled=False)
        outage.record_success(description)
        return result

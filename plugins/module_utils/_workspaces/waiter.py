# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# This module_utils is PRIVATE: it is for the use of the euc.workspaces collection only
# and may change at any time without notice.

"""Batched polling until WorkSpaces reach the end of an action, aware of stale reads.

botocore ships no WorkSpaces waiters, and a botocore waiter watches one resource at a
time. This one polls every watched WorkSpace with one DescribeWorkspaces call per 25 ids.

Right after an action is accepted, DescribeWorkspaces may still report the state the
WorkSpace had before it, and a fast action may be over between two polls. The one rule
(documented in the ``wait`` doc fragment): a read counts only once the WorkSpace has
*moved* since the request, that is once a read showed the transitional state or a state
other than the one it was in when the request was sent. A read of that starting state
before the WorkSpace moved may be stale, so it proves nothing either way. Polls come
after 1, 2, 4 and 8 seconds, then every ``wait_delay``, so that an action of a few
seconds is seen in its transitional state.
"""

from __future__ import annotations

import dataclasses
import typing as t

from .retry import Clock

PENDING = "pending"
SUCCEEDED = "succeeded"
FAILED = "failed"
DEAD_END = "dead_end"
GONE = "gone"
TIMED_OUT = "timed_out"
UNCONFIRMED = "unconfirmed"
CONFIRMED = "confirmed"  # with until_confirmed: it moved, so AWS took the request

# The first delays between polls; then wait_delay. Never more than wait_delay.
FIRST_POLL_DELAYS = (1.0, 2.0, 4.0, 8.0)


@dataclasses.dataclass(frozen=True)
class Transition:
    """The states an action moves a WorkSpace through."""

    transitional_state: str
    target_state: str
    # States it may end in when the action failed (AWS gives ErrorCode and ErrorMessage).
    failure_states: frozenset[str]
    # States from which the action can no longer end in target_state.
    dead_end_states: frozenset[str]


@dataclasses.dataclass
class Watch:
    """One WorkSpace being waited on.

    start_state: its state when the request was sent (for a WorkSpace found in the
    transitional state, that state). confirmed: False while it is not known whether AWS
    accepted the request at all (an answer lost after sending): such a watch ends as
    UNCONFIRMED when its confirm_by deadline passes before the WorkSpace moved.
    """

    workspace_id: str
    start_state: str | None
    confirmed: bool = True
    confirm_by: float | None = None
    moved: bool = False
    last_state: str | None = None
    last_entry: t.Mapping[str, t.Any] | None = None
    # The state read when an unconfirmed watch was confirmed: the proof AWS took the request.
    confirming_state: str | None = None
    status: str = PENDING


def observe(watch: Watch, entry: t.Mapping[str, t.Any] | None, transition: Transition) -> None:
    """Update one watch with one DescribeWorkspaces read (None: the WorkSpace is gone)."""
    state = None if entry is None else entry.get("State")
    watch.last_state = state
    watch.last_entry = entry
    if state is None:
        watch.status = GONE
        return
    if state == transition.transitional_state or state != watch.start_state:
        if not watch.confirmed:
            watch.confirming_state = state
        watch.moved = True
        watch.confirmed = True
    if not watch.moved:
        return  # still the starting state: possibly a stale read
    if state == transition.target_state:
        watch.status = SUCCEEDED
    elif state in transition.failure_states:
        watch.status = FAILED
    elif state in transition.dead_end_states:
        watch.status = DEAD_END


def poll_delays(wait_delay: float) -> t.Iterator[float]:
    """1, 2, 4, 8 s, then wait_delay; each capped at wait_delay."""
    for delay in FIRST_POLL_DELAYS:
        yield min(delay, wait_delay)
    while True:
        yield wait_delay


def wait_for(
    watches: t.Sequence[Watch],
    transition: Transition,
    read: t.Callable[[t.Sequence[str]], t.Mapping[str, t.Mapping[str, t.Any]]],
    timeout: float,
    wait_delay: float,
    clock: Clock,
    until_confirmed: bool = False,
) -> None:
    """Poll until every watch has ended or timeout seconds have passed.

    read takes ids and returns {id: DescribeWorkspaces entry} for those that still exist.
    Watches still pending at the deadline end as TIMED_OUT; an unconfirmed one ends as
    UNCONFIRMED at its own confirm_by deadline. With until_confirmed, a watch that was not
    confirmed ends as CONFIRMED as soon as a read shows the WorkSpace moved (or ended).
    """
    deadline = clock.monotonic() + timeout
    delays = poll_delays(wait_delay)
    while True:
        pending = [watch for watch in watches if watch.status == PENDING]
        if not pending:
            return
        now = clock.monotonic()
        if now >= deadline:
            break
        clock.sleep(min(next(delays), deadline - now, _next_confirm_deadline(pending, now)))
        entries = read([watch.workspace_id for watch in pending])
        now = clock.monotonic()
        for watch in pending:
            observe(watch, entries.get(watch.workspace_id), transition)
            if until_confirmed and watch.status == PENDING and watch.confirmed:
                watch.status = CONFIRMED
            elif watch.status == PENDING and not watch.confirmed and watch.confirm_by is not None and now >= watch.confirm_by:
                watch.status = UNCONFIRMED
    for watch in watches:
        if watch.status == PENDING:
            watch.status = UNCONFIRMED if not watch.confirmed else TIMED_OUT


def _next_confirm_deadline(pending: t.Sequence[Watch], now: float) -> float:
    """Seconds until the nearest confirm_by deadline (infinite when none)."""
    deadlines = [watch.confirm_by - now for watch in pending if not watch.confirmed and watch.confirm_by is not None]
    return max(0.0, min(deadlines)) if deadlines else float("inf")

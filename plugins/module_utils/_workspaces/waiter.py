# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# This module_utils is PRIVATE: it is for the use of the euc.workspaces collection only
# and may change at any time without notice.

"""Batched polling until WorkSpaces reach the end of an action, aware of stale reads.

botocore ships no WorkSpaces waiters, and a botocore waiter watches one resource at a
time. This one polls every watched WorkSpace with one DescribeWorkspaces call per 25 ids.

Right after an action is accepted, DescribeWorkspaces may still report the state the
WorkSpace had before it. A waiter that believed such a read would report a rebuild of
an AVAILABLE WorkSpace as done before it started. So neither the target state nor a
failure state counts until the transitional state has been seen: a WorkSpace rebuilt
from ERROR reads ERROR until the service catches up, and one that was REBOOTING or
UNHEALTHY may turn AVAILABLE on its own before the rebuild begins. An action lasts
minutes (a rebuild, tens of minutes), far longer than the delay between two polls, so
the transitional state is not missed.
"""

from __future__ import annotations

import dataclasses
import time
import typing as t

PENDING = "pending"
SUCCEEDED = "succeeded"
FAILED = "failed"
GONE = "gone"
TIMED_OUT = "timed_out"


@dataclasses.dataclass
class Watch:
    """One WorkSpace being waited on."""

    workspace_id: str
    seen_transitional: bool = False
    last_state: str | None = None
    status: str = PENDING


@dataclasses.dataclass(frozen=True)
class Transition:
    """The states an action moves a WorkSpace through."""

    transitional_state: str
    target_state: str
    failure_states: frozenset[str]


def observe(watch: Watch, state: str | None, transition: Transition) -> None:
    """Update one watch with one DescribeWorkspaces read (None: the WorkSpace is gone)."""
    watch.last_state = state
    if state is None:
        watch.status = GONE
    elif state == transition.transitional_state:
        watch.seen_transitional = True
    elif watch.seen_transitional and state == transition.target_state:
        watch.status = SUCCEEDED
    elif watch.seen_transitional and state in transition.failure_states:
        watch.status = FAILED


def wait_for(
    watches: t.Sequence[Watch],
    transition: Transition,
    read_states: t.Callable[[t.Sequence[str]], t.Mapping[str, str]],
    timeout: float,
    delay: float,
    sleep: t.Callable[[float], None] = time.sleep,
    clock: t.Callable[[], float] = time.monotonic,
) -> None:
    """Poll until every watch has ended or timeout seconds have passed.

    read_states takes ids and returns {id: state} for those that still exist (it batches
    by 25). Watches still pending at the deadline end as TIMED_OUT.
    """
    deadline = clock() + timeout
    while True:
        pending = [watch for watch in watches if watch.status == PENDING]
        if not pending:
            return
        states = read_states([watch.workspace_id for watch in pending])
        for watch in pending:
            observe(watch, states.get(watch.workspace_id), transition)
        remaining = deadline - clock()
        if remaining <= 0:
            break
        if any(watch.status == PENDING for watch in pending):
            sleep(min(delay, remaining))
    for watch in watches:
        if watch.status == PENDING:
            watch.status = TIMED_OUT

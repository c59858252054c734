# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The stale-read-aware waiter: which sequences of reads end a wait, and how.

The one rule (the ``wait`` doc fragment): a read counts once the WorkSpace has moved since
the request, that is once a read showed the transitional state or a state other than the
one it was in when the request was sent. Before that, a read of the starting state may be
stale and proves nothing.
"""

from __future__ import annotations

import itertools
import typing as t

import pytest

from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.actions import REBUILD
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.retry import Clock
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.waiter import CONFIRMED
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.waiter import DEAD_END
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.waiter import FAILED
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.waiter import GONE
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.waiter import PENDING
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.waiter import SUCCEEDED
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.waiter import TIMED_OUT
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.waiter import UNCONFIRMED
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.waiter import Watch
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.waiter import observe
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.waiter import poll_delays
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.waiter import wait_for

from ....helpers.fake_workspaces import FakeClock

TRANSITION = REBUILD.transition
Reads = t.Sequence[str | None]
WID = "ws-abc12345"


def entry(workspace_id: str, state: str | None, **fields: t.Any) -> dict[str, t.Any] | None:
    """A DescribeWorkspaces entry as the waiter reads it; None: the WorkSpace is gone."""
    return None if state is None else {"WorkspaceId": workspace_id, "State": state, **fields}


def observe_until_verdict(watch: Watch, reads: Reads) -> int:
    """Observe reads one by one until the watch ends, as wait_for does; the reads used."""
    for used, state in enumerate(reads, start=1):
        observe(watch, entry(watch.workspace_id, state), TRANSITION)
        if watch.status != PENDING:
            return used
    return len(reads)


OBSERVE_TABLE = [
    # (start state, reads, verdict, reads used, moved)
    pytest.param("AVAILABLE", ["AVAILABLE"], PENDING, 1, False, id="stale-available-is-not-trusted"),
    pytest.param("AVAILABLE", ["AVAILABLE", "AVAILABLE", "AVAILABLE"], PENDING, 3, False, id="stale-available-repeated"),
    pytest.param("AVAILABLE", ["AVAILABLE", "REBUILDING", "AVAILABLE"], SUCCEEDED, 3, True, id="available-after-rebuilding"),
    pytest.param("AVAILABLE", ["REBUILDING"], PENDING, 1, True, id="still-rebuilding"),
    # Rewritten: before 1.0.0 only REBUILDING counted; now any state other than the one at
    # request shows the WorkSpace moved, so a fast rebuild between two polls is seen.
    pytest.param("ERROR", ["ERROR", "AVAILABLE"], SUCCEEDED, 2, True, id="error-to-available-counts-as-moved"),
    pytest.param("REBOOTING", ["REBOOTING", "AVAILABLE"], SUCCEEDED, 2, True, id="rebooting-to-available-counts-as-moved"),
    pytest.param("UNHEALTHY", ["AVAILABLE"], SUCCEEDED, 1, True, id="unhealthy-to-available-counts-as-moved"),
    pytest.param("ERROR", ["ERROR"], PENDING, 1, False, id="error-read-before-moving-is-stale"),
    pytest.param("ERROR", ["ERROR", "ERROR", "REBUILDING", "AVAILABLE"], SUCCEEDED, 4, True, id="error-stale-then-rebuilt"),
    pytest.param("AVAILABLE", ["REBUILDING", "ERROR"], FAILED, 2, True, id="error-after-rebuilding"),
    pytest.param("ERROR", ["REBUILDING", "UNHEALTHY"], FAILED, 2, True, id="unhealthy-after-rebuilding"),
    pytest.param("ERROR", ["REBUILDING", "ERROR"], FAILED, 2, True, id="error-again-after-rebuilding"),
    pytest.param("UNHEALTHY", ["ERROR"], FAILED, 1, True, id="another-failure-state-is-a-move-to-failure"),
    pytest.param("UNHEALTHY", ["UNHEALTHY"], PENDING, 1, False, id="unhealthy-read-before-moving-is-stale"),
    pytest.param("STOPPED", ["STOPPED", "REBUILDING", "AVAILABLE"], SUCCEEDED, 3, True, id="from-stopped"),
    pytest.param("STOPPED", ["STOPPED", "STOPPED"], PENDING, 2, False, id="a-stale-stopped-start-is-not-a-dead-end"),
    pytest.param("AVAILABLE", ["REBUILDING", None], GONE, 2, True, id="gone"),
    pytest.param("AVAILABLE", [None], GONE, 1, False, id="gone-at-once"),
    # Dead ends end the watch at once, whether REBUILDING was seen or not.
    pytest.param("AVAILABLE", ["REBUILDING", "TERMINATED"], DEAD_END, 2, True, id="terminated-mid-wait"),
    pytest.param("ERROR", ["TERMINATING"], DEAD_END, 1, True, id="terminating"),
    pytest.param("AVAILABLE", ["REBUILDING", "STOPPED"], DEAD_END, 2, True, id="stopped-mid-wait"),
    pytest.param("ERROR", ["STOPPING"], DEAD_END, 1, True, id="stopping"),
    pytest.param("AVAILABLE", ["AVAILABLE", "SUSPENDED"], DEAD_END, 2, True, id="suspended"),
    # Found REBUILDING (in_progress): its start state is the transitional one.
    pytest.param("REBUILDING", ["AVAILABLE"], SUCCEEDED, 1, True, id="found-rebuilding-then-available"),
    pytest.param("REBUILDING", ["REBUILDING", "ERROR"], FAILED, 2, True, id="found-rebuilding-then-error"),
]


@pytest.mark.parametrize(("start", "reads", "status", "used", "moved"), OBSERVE_TABLE)
def test_observe(start: str, reads: Reads, status: str, used: int, moved: bool) -> None:
    """Each row: the state at request, the states read one after the other, the verdict and
    how many reads it took; neither the target nor a failure state counts before the
    WorkSpace moved."""
    watch = Watch(workspace_id=WID, start_state=start)
    assert observe_until_verdict(watch, reads) == used
    assert watch.status == status
    assert watch.last_state == reads[used - 1]
    assert watch.moved is moved


def test_a_workspace_found_rebuilding_succeeds_on_available() -> None:
    """Already REBUILDING when the task began: AVAILABLE cannot be a stale read."""
    watch = Watch(workspace_id=WID, start_state="REBUILDING")
    observe(watch, entry(WID, "AVAILABLE"), TRANSITION)
    assert (watch.status, watch.moved) == (SUCCEEDED, True)


def test_the_last_entry_keeps_aws_error_details() -> None:
    """A failure state's read keeps the whole entry, so AWS's ErrorCode and ErrorMessage can be reported."""
    watch = Watch(workspace_id=WID, start_state="AVAILABLE")
    observe(watch, entry(WID, "REBUILDING"), TRANSITION)
    observe(watch, entry(WID, "ERROR", ErrorCode="ResourceLimitExceeded", ErrorMessage="No capacity."), TRANSITION)
    assert watch.status == FAILED
    assert watch.last_entry is not None
    assert (watch.last_entry["ErrorCode"], watch.last_entry["ErrorMessage"]) == ("ResourceLimitExceeded", "No capacity.")


@pytest.mark.parametrize(
    ("reads", "confirmed", "confirming_state"),
    [
        pytest.param(["AVAILABLE"], False, None, id="start-state-proves-nothing"),
        pytest.param(["AVAILABLE", "REBUILDING"], True, "REBUILDING", id="transitional-state-confirms"),
        pytest.param(["ERROR"], True, "ERROR", id="another-state-confirms"),
        pytest.param([None], False, None, id="gone-confirms-nothing"),
    ],
)
def test_an_unconfirmed_watch_is_confirmed_by_the_first_move(reads: Reads, confirmed: bool, confirming_state: str | None) -> None:
    """A request whose answer was lost: the first read showing a move is the proof AWS took it."""
    watch = Watch(workspace_id=WID, start_state="AVAILABLE", confirmed=False, confirm_by=20.0)
    observe_until_verdict(watch, reads)
    assert (watch.confirmed, watch.confirming_state) == (confirmed, confirming_state)


@pytest.mark.parametrize(
    ("wait_delay", "first_delays"),
    [
        pytest.param(15, [1, 2, 4, 8, 15, 15, 15], id="default"),
        pytest.param(3, [1, 2, 3, 3, 3, 3, 3], id="capped-at-wait-delay"),
        pytest.param(1, [1, 1, 1, 1, 1, 1, 1], id="every-second"),
        pytest.param(60, [1, 2, 4, 8, 60, 60, 60], id="long-wait-delay"),
    ],
)
def test_polls_come_after_1_2_4_8_seconds_then_every_wait_delay(wait_delay: int, first_delays: list[float]) -> None:
    """1, 2, 4, 8 s, then wait_delay; never more than wait_delay."""
    assert list(itertools.islice(poll_delays(wait_delay), len(first_delays))) == first_delays


class ScriptedStates:
    """read_states for wait_for: each id's reads in turn (the last repeats), every call recorded."""

    def __init__(self, reads: t.Mapping[str, Reads]) -> None:
        self.reads = {wid: list(states) for wid, states in reads.items()}
        self.calls: list[list[str]] = []

    def __call__(self, workspace_ids: t.Sequence[str]) -> dict[str, t.Mapping[str, t.Any]]:
        self.calls.append(list(workspace_ids))
        found = {}
        for wid in workspace_ids:
            script = self.reads[wid]
            state = script.pop(0) if len(script) > 1 else script[0]
            read = entry(wid, state)
            if read is not None:
                found[wid] = read
        return found


def fake_clock() -> tuple[FakeClock, Clock]:
    clock = FakeClock()
    return clock, Clock(sleep=clock.sleep, monotonic=clock.monotonic)


A1 = "ws-a0000001"
A2 = "ws-a0000002"


@pytest.mark.parametrize(
    ("start", "reads", "timeout", "delay", "statuses", "polls", "sleeps"),
    [
        pytest.param("AVAILABLE", {A1: ["REBUILDING", "AVAILABLE"]}, 600, 15, {A1: SUCCEEDED}, 2, [1, 2], id="rebuilt-on-second-poll"),
        pytest.param("AVAILABLE", {A1: ["AVAILABLE", "REBUILDING", "AVAILABLE"]}, 600, 15, {A1: SUCCEEDED}, 3, [1, 2, 4], id="stale-first-read"),
        pytest.param("AVAILABLE", {A1: ["REBUILDING"]}, 30, 15, {A1: TIMED_OUT}, 5, [1, 2, 4, 8, 15], id="timeout"),
        pytest.param("AVAILABLE", {A1: ["REBUILDING"]}, 20, 15, {A1: TIMED_OUT}, 5, [1, 2, 4, 8, 5], id="last-sleep-shortened-to-the-deadline"),
        pytest.param("AVAILABLE", {A1: ["AVAILABLE"]}, 45, 15, {A1: TIMED_OUT}, 6, [1, 2, 4, 8, 15, 15], id="stale-reads-until-timeout"),
        # Rewritten: ERROR then AVAILABLE used to time out (REBUILDING unseen); a move now counts.
        pytest.param("ERROR", {A1: ["ERROR", "AVAILABLE"]}, 45, 15, {A1: SUCCEEDED}, 2, [1, 2], id="error-then-available-counts-as-moved"),
        pytest.param(
            "AVAILABLE",
            {A1: ["REBUILDING", "ERROR"], A2: ["REBUILDING", "REBUILDING", "AVAILABLE"]},
            600,
            10,
            {A1: FAILED, A2: SUCCEEDED},
            3,
            [1, 2, 4],
            id="two-outcomes",
        ),
        # Rewritten: the first poll now comes only after the first delay (it used to come at once).
        pytest.param("AVAILABLE", {A1: [None]}, 600, 10, {A1: GONE}, 1, [1], id="gone-ends-at-the-first-poll"),
        pytest.param("AVAILABLE", {A1: ["REBUILDING", "TERMINATED"]}, 3600, 15, {A1: DEAD_END}, 2, [1, 2], id="terminated-ends-at-the-next-poll"),
        pytest.param("ERROR", {A1: ["REBUILDING", "REBUILDING", "STOPPED"]}, 3600, 15, {A1: DEAD_END}, 3, [1, 2, 4], id="stopped-ends-at-the-next-poll"),
        pytest.param("AVAILABLE", {A1: ["REBUILDING"]}, 10, 3, {A1: TIMED_OUT}, 5, [1, 2, 3, 3, 1], id="short-wait-delay"),
    ],
)
def test_wait_for(start: str, reads: t.Mapping[str, Reads], timeout: int, delay: int, statuses: dict[str, str], polls: int, sleeps: list[float]) -> None:
    """Polls after each delay until every watch ends or the deadline passes; never sleeps once all have ended."""
    clock, engine_clock = fake_clock()
    read_states = ScriptedStates(reads)
    watches = [Watch(workspace_id=wid, start_state=start) for wid in reads]
    wait_for(watches, TRANSITION, read_states, timeout, delay, engine_clock)
    assert {watch.workspace_id: watch.status for watch in watches} == statuses
    assert len(read_states.calls) == polls
    assert clock.sleeps == sleeps


def test_only_pending_workspaces_are_polled() -> None:
    """A WorkSpace that has ended is no longer polled (its verdict is final); the others are until the deadline."""
    clock, engine_clock = fake_clock()
    read_states = ScriptedStates({A1: ["REBUILDING", "AVAILABLE", "ERROR"], A2: ["REBUILDING"]})
    watches = [Watch(A1, "AVAILABLE"), Watch(A2, "AVAILABLE")]
    wait_for(watches, TRANSITION, read_states, 40, 10, engine_clock)
    assert read_states.calls == [[A1, A2], [A1, A2]] + [[A2]] * 5
    assert clock.sleeps == [1, 2, 4, 8, 10, 10, 5]
    assert [watch.status for watch in watches] == [SUCCEEDED, TIMED_OUT]
    assert (watches[0].last_state, watches[1].last_state) == ("AVAILABLE", "REBUILDING")


def test_nothing_to_wait_for_reads_nothing() -> None:
    """Waiting on nothing costs no call and no sleep."""
    clock, engine_clock = fake_clock()
    read_states = ScriptedStates({})
    wait_for([], TRANSITION, read_states, 60, 10, engine_clock)
    assert read_states.calls == []
    assert clock.sleeps == []


@pytest.mark.parametrize(
    ("reads", "until_confirmed", "status", "polls", "sleeps"),
    [
        pytest.param(["AVAILABLE"], False, UNCONFIRMED, 5, [1, 2, 4, 8, 5], id="never-moved-ends-at-its-confirm-deadline"),
        pytest.param(["AVAILABLE"], True, UNCONFIRMED, 5, [1, 2, 4, 8, 5], id="never-moved-until-confirmed"),
        pytest.param(["AVAILABLE", "REBUILDING"], True, CONFIRMED, 2, [1, 2], id="until-confirmed-ends-when-it-moves"),
        pytest.param(["AVAILABLE", "REBUILDING", "REBUILDING", "AVAILABLE"], False, SUCCEEDED, 4, [1, 2, 4, 8], id="confirmed-then-waited-to-the-end"),
        pytest.param(["REBUILDING", "AVAILABLE"], True, CONFIRMED, 1, [1], id="until-confirmed-does-not-wait-for-the-end"),
    ],
)
def test_an_unconfirmed_watch_ends_at_its_confirm_deadline(reads: Reads, until_confirmed: bool, status: str, polls: int, sleeps: list[float]) -> None:
    """A request whose answer was lost is watched until it moves; never moved by confirm_by
    (20 s here): UNCONFIRMED, the last sleep shortened to that deadline, long before the timeout."""
    clock, engine_clock = fake_clock()
    read_states = ScriptedStates({A1: reads})
    watch = Watch(A1, "AVAILABLE", confirmed=False, confirm_by=20.0)
    wait_for([watch], TRANSITION, read_states, 3600, 15, engine_clock, until_confirmed=until_confirmed)
    assert watch.status == status
    assert len(read_states.calls) == polls
    assert clock.sleeps == sleeps


def test_confirmed_and_unconfirmed_watches_end_on_their_own_deadlines() -> None:
    """An unconfirmed watch ending at its confirm_by does not end the others, which go on to their end."""
    clock, engine_clock = fake_clock()
    read_states = ScriptedStates({A1: ["AVAILABLE"], A2: ["REBUILDING"] * 6 + ["AVAILABLE"]})
    lost = Watch(A1, "AVAILABLE", confirmed=False, confirm_by=10.0)
    accepted = Watch(A2, "AVAILABLE")
    wait_for([lost, accepted], TRANSITION, read_states, 3600, 15, engine_clock)
    assert (lost.status, accepted.status) == (UNCONFIRMED, SUCCEEDED)
    assert read_states.calls == [[A1, A2]] * 4 + [[A2]] * 3
    # the confirm deadline shortens the fourth sleep to 3 s; the schedule then goes on
    assert clock.sleeps == [1, 2, 4, 3, 15, 15, 15]

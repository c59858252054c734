# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The stale-read-aware waiter: which sequences of reads end a wait, and how."""

from __future__ import annotations

import typing as t

import pytest

from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.actions import REBUILD
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.waiter import FAILED
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.waiter import GONE
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.waiter import PENDING
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.waiter import SUCCEEDED
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.waiter import TIMED_OUT
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.waiter import Watch
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.waiter import observe
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.waiter import wait_for

from ....helpers.fake_workspaces import FakeClock

TRANSITION = REBUILD.transition
Reads = t.Sequence[str | None]


@pytest.mark.parametrize(
    ("reads", "status"),
    [
        pytest.param(["AVAILABLE"], PENDING, id="stale-available-is-not-trusted"),
        pytest.param(["AVAILABLE", "AVAILABLE", "AVAILABLE"], PENDING, id="stale-available-repeated"),
        pytest.param(["AVAILABLE", "REBUILDING", "AVAILABLE"], SUCCEEDED, id="available-after-rebuilding"),
        pytest.param(["REBUILDING"], PENDING, id="still-rebuilding"),
        pytest.param(["ERROR", "AVAILABLE"], PENDING, id="error-to-available-without-transitional-is-not-trusted"),
        pytest.param(["REBOOTING", "AVAILABLE"], PENDING, id="rebooting-to-available-without-transitional-is-not-trusted"),
        pytest.param(["UNHEALTHY", "AVAILABLE"], PENDING, id="unhealthy-to-available-without-transitional-is-not-trusted"),
        pytest.param(["ERROR"], PENDING, id="error-read-before-rebuilding-is-stale"),
        pytest.param(["ERROR", "ERROR", "REBUILDING", "AVAILABLE"], SUCCEEDED, id="error-stale-then-rebuilt"),
        pytest.param(["ERROR", "AVAILABLE", "REBUILDING", "AVAILABLE"], SUCCEEDED, id="error-to-available-then-rebuilt"),
        pytest.param(["REBUILDING", "ERROR"], FAILED, id="error-after-rebuilding"),
        pytest.param(["REBUILDING", "UNHEALTHY"], FAILED, id="unhealthy-after-rebuilding"),
        pytest.param(["UNHEALTHY"], PENDING, id="unhealthy-read-before-rebuilding-is-stale"),
        pytest.param(["STOPPED", "REBUILDING", "AVAILABLE"], SUCCEEDED, id="from-stopped"),
        pytest.param(["REBUILDING", None], GONE, id="gone"),
        pytest.param([None], GONE, id="gone-at-once"),
    ],
)
def test_observe(reads: Reads, status: str) -> None:
    """Each row: the states read one after the other, the verdict.

    Neither the target state nor a failure state counts before the transitional state has
    been read, whatever state the WorkSpace was in before the request.
    """
    watch = Watch(workspace_id="ws-abc12345")
    for state in reads:
        observe(watch, state, TRANSITION)
    assert watch.status == status
    assert watch.last_state == reads[-1]
    assert watch.seen_transitional is ("REBUILDING" in reads)


def test_a_workspace_found_rebuilding_succeeds_on_available() -> None:
    """Already REBUILDING when the task began: AVAILABLE cannot be a stale read."""
    watch = Watch(workspace_id="ws-abc12345", seen_transitional=True)
    observe(watch, "AVAILABLE", TRANSITION)
    assert watch.status == SUCCEEDED


def test_a_verdict_is_final() -> None:
    """Once a watch has ended, later reads do not change its status."""
    watch = Watch(workspace_id="ws-abc12345")
    for state in ("REBUILDING", "ERROR"):
        observe(watch, state, TRANSITION)
    assert watch.status == FAILED


class ScriptedStates:
    """read_states for wait_for: each id's reads in turn (the last repeats), every call recorded."""

    def __init__(self, reads: t.Mapping[str, Reads]) -> None:
        self.reads = {wid: list(states) for wid, states in reads.items()}
        self.calls: list[list[str]] = []

    def __call__(self, workspace_ids: t.Sequence[str]) -> dict[str, str]:
        self.calls.append(list(workspace_ids))
        found = {}
        for wid in workspace_ids:
            script = self.reads[wid]
            state = script.pop(0) if len(script) > 1 else script[0]
            if state is not None:
                found[wid] = state
        return found


@pytest.mark.parametrize(
    ("reads", "timeout", "delay", "statuses", "polls", "sleeps"),
    [
        pytest.param({"ws-a0000001": ["REBUILDING", "AVAILABLE"]}, 600, 15, {"ws-a0000001": SUCCEEDED}, 2, [15], id="rebuilt-on-second-poll"),
        pytest.param({"ws-a0000001": ["AVAILABLE", "REBUILDING", "AVAILABLE"]}, 600, 15, {"ws-a0000001": SUCCEEDED}, 3, [15, 15], id="stale-first-read"),
        pytest.param({"ws-a0000001": ["REBUILDING"]}, 30, 15, {"ws-a0000001": TIMED_OUT}, 3, [15, 15], id="timeout"),
        pytest.param({"ws-a0000001": ["REBUILDING"]}, 20, 15, {"ws-a0000001": TIMED_OUT}, 3, [15, 5], id="last-sleep-shortened-to-the-deadline"),
        pytest.param({"ws-a0000001": ["AVAILABLE"]}, 45, 15, {"ws-a0000001": TIMED_OUT}, 4, [15, 15, 15], id="stale-reads-until-timeout"),
        pytest.param(
            {"ws-a0000001": ["ERROR", "AVAILABLE"]}, 45, 15, {"ws-a0000001": TIMED_OUT}, 4, [15, 15, 15], id="error-then-available-without-rebuilding-times-out"
        ),
        pytest.param(
            {"ws-a0000001": ["REBUILDING", "ERROR"], "ws-a0000002": ["REBUILDING", "REBUILDING", "AVAILABLE"]},
            600,
            10,
            {"ws-a0000001": FAILED, "ws-a0000002": SUCCEEDED},
            3,
            [10, 10],
            id="two-outcomes",
        ),
        pytest.param({"ws-a0000001": [None]}, 600, 10, {"ws-a0000001": GONE}, 1, [], id="gone-ends-without-sleeping"),
    ],
)
def test_wait_for(reads: t.Mapping[str, Reads], timeout: int, delay: int, statuses: dict[str, str], polls: int, sleeps: list[float]) -> None:
    """Polls until every watch ends or the deadline passes; never sleeps once all have ended."""
    clock = FakeClock()
    read_states = ScriptedStates(reads)
    watches = [Watch(workspace_id=wid) for wid in reads]
    wait_for(watches, TRANSITION, read_states, timeout, delay, sleep=clock.sleep, clock=clock.monotonic)
    assert {watch.workspace_id: watch.status for watch in watches} == statuses
    assert len(read_states.calls) == polls
    assert clock.sleeps == sleeps


def test_only_pending_workspaces_are_polled() -> None:
    """A WorkSpace that has ended is no longer polled; the others are until the deadline."""
    clock = FakeClock()
    read_states = ScriptedStates({"ws-a0000001": ["REBUILDING", "AVAILABLE"], "ws-a0000002": ["REBUILDING"]})
    watches = [Watch("ws-a0000001"), Watch("ws-a0000002")]
    wait_for(watches, TRANSITION, read_states, 40, 10, sleep=clock.sleep, clock=clock.monotonic)
    assert read_states.calls == [
        ["ws-a0000001", "ws-a0000002"],
        ["ws-a0000001", "ws-a0000002"],
        ["ws-a0000002"],
        ["ws-a0000002"],
        ["ws-a0000002"],
    ]
    assert [watch.status for watch in watches] == [SUCCEEDED, TIMED_OUT]
    assert watches[1].last_state == "REBUILDING"


def test_nothing_to_wait_for_reads_nothing() -> None:
    """Waiting on nothing costs no call and no sleep."""
    clock = FakeClock()
    read_states = ScriptedStates({})
    wait_for([], TRANSITION, read_states, 60, 10, sleep=clock.sleep, clock=clock.monotonic)
    assert read_states.calls == []
    assert clock.sleeps == []

"""workspace_rebuild with wait: rebuilt, RebuildFailed, WaitTimeout, in_progress, and stale reads."""

from __future__ import annotations

import pytest

from .helpers import HAS_SNAPSHOT
from .helpers import true_states

pytestmark = pytest.mark.integration

# A rebuild takes 2400 simulated seconds; at this speed, REBUILD_SECONDS real ones.
REBUILD_SECONDS = 4
SPEED = 2400 / REBUILD_SECONDS
# The rebuild a one-second wait gives up on, then waited for by the next task.
SLOW_REBUILD_SECONDS = 8

WAIT_DIRECTORY = "d-0a0b0c0d02"
OTHER_DIRECTORY = "d-0a0b0c0d03"
HEALTHY = "ws-waithlth01"
DOOMED = "ws-waitdoom01"
SLOW = "ws-waitslow01"


def test_wait_outcomes_and_idempotent_rerun(ansible, control):
    loaded = control.load_scenario(
        {
            "timing": {"speed": SPEED},
            "directories": [
                {
                    "id": WAIT_DIRECTORY,
                    "name": "wait.example.com",
                    "fleets": [{"name": "broken", "states": {"ERROR": 2, "UNHEALTHY": 1}, "snapshots": HAS_SNAPSHOT}],
                    "workspaces": [{"id": HEALTHY, "user": "healthy.user", "state": "AVAILABLE", "snapshots": HAS_SNAPSHOT}],
                },
                {
                    "id": OTHER_DIRECTORY,
                    "name": "other.example.com",
                    "workspaces": [
                        {"id": DOOMED, "user": "doomed.user", "state": "ERROR", "fails": ["rebuild"], "snapshots": HAS_SNAPSHOT},
                        {"id": SLOW, "user": "slow.user", "state": "AVAILABLE", "snapshots": HAS_SNAPSHOT},
                    ],
                },
            ],
        }
    )
    broken = loaded["workspace_ids"][:3]

    run = ansible.run(
        "rebuild_wait.yml",
        {
            "directory_id": WAIT_DIRECTORY,
            "broken": broken,
            "healthy": HEALTHY,
            "doomed": DOOMED,
            "slow": SLOW,
            "slow_speed": 2400 / SLOW_REBUILD_SECONDS,
        },
    )

    before = run.calls("calls_before")
    check = run.calls("calls_after_check") - before
    real = run.calls("calls_after_real") - run.calls("calls_after_check")
    again = run.calls("calls_after_again") - run.calls("calls_after_real")
    doomed = run.calls("calls_after_doomed") - run.calls("calls_after_again")
    timeout = run.calls("calls_after_timeout") - run.calls("calls_after_doomed")
    in_progress = run.calls("calls_after_in_progress") - run.calls("calls_after_timeout")

    # Check mode with wait: one DescribeWorkspaces, no rebuild, no polling.
    assert check.mutating() == {}
    # Check mode reads what a real run reads first: the WorkSpaces, the snapshots of those
    # to rebuild and their users' connection state (one call for up to 25), and nothing more.
    assert check.by_operation == {"DescribeWorkspaces": 1, "DescribeWorkspaceSnapshots": len(broken), "DescribeWorkspacesConnectionStatus": 1}

    # Each broken WorkSpace rebuilt exactly once, then polled until the rebuild was over:
    # one poll sees REBUILDING right after the request, later ones AVAILABLE.
    assert real.accepted_for("RebuildWorkspaces") == {ws: 1 for ws in broken}
    assert real.count("RebuildWorkspaces") == 3
    polls = real.received_for("DescribeWorkspaces")
    assert set(polls) == set(broken)
    assert all(count >= 2 for count in polls.values()), polls
    # The waiter polls every pending WorkSpace in one call, not one call each.
    assert real.count("DescribeWorkspaces") == 1 + max(polls.values())
    assert run.task("Rebuild the broken WorkSpaces and wait").seconds >= REBUILD_SECONDS - 0.5

    # The re-run with the same states: nothing left to rebuild, no RebuildWorkspaces call.
    assert again.mutating() == {}
    assert again.by_operation == {"DescribeWorkspaces": 1}

    # The doomed WorkSpace was asked once (check mode asked nothing) and ended in ERROR.
    assert doomed.received_for("RebuildWorkspaces") == {DOOMED: 1}
    assert doomed.accepted_for("RebuildWorkspaces") == {DOOMED: 1}

    # The timed-out wait requested one rebuild and gave up while it was still running.
    assert timeout.received_for("RebuildWorkspaces") == {SLOW: 1}

    # Waiting on the running rebuild asked for nothing, and lasted until it was over.
    assert in_progress.mutating() == {}
    timed_out = run.task("Rebuild and wait for less time than a rebuild takes")
    waited = run.task("Wait for the rebuild that is still running")
    assert (waited.end - timed_out.start).total_seconds() >= SLOW_REBUILD_SECONDS
    assert in_progress.received_for("DescribeWorkspaces")[SLOW] >= 2

    states = true_states(control)
    assert states[DOOMED] == "ERROR"
    assert states[SLOW] == "AVAILABLE"
    assert states[HEALTHY] == "AVAILABLE"
    assert all(states[ws] == "AVAILABLE" for ws in broken)


def test_wait_is_not_fooled_by_stale_reads(ansible, control):
    rebuild_seconds = 5
    stale_seconds = 2
    speed = 2400 / rebuild_seconds
    available_id, error_id = "ws-staleavl01", "ws-staleerr01"
    control.load_scenario(
        {
            # For stale_seconds after a rebuild is accepted, DescribeWorkspaces still
            # reports AVAILABLE (or ERROR): a wait that believed it would return at once.
            "timing": {"speed": speed, "stale_seconds": stale_seconds * speed},
            "directories": [
                {
                    "name": "stale.example.com",
                    "workspaces": [
                        {"id": available_id, "user": "stale.available", "state": "AVAILABLE", "snapshots": HAS_SNAPSHOT},
                        {"id": error_id, "user": "stale.error", "state": "ERROR", "snapshots": HAS_SNAPSHOT},
                    ],
                }
            ],
        }
    )

    run = ansible.run("rebuild_stale_wait.yml", {"available_id": available_id, "error_id": error_id})

    assert run.calls("calls_after_check").mutating() == {}
    phases = {
        available_id: (run.calls("calls_after_check"), run.calls("calls_after_available"), "AVAILABLE"),
        error_id: (run.calls("calls_after_available"), run.calls("calls_after_error"), "ERROR"),
    }
    for workspace_id, (before, after, state) in phases.items():
        calls = after - before
        assert calls.accepted_for("RebuildWorkspaces") == {workspace_id: 1}
        # Polled through the stale reads and the REBUILDING ones to the final AVAILABLE
        # one, for as long as the rebuild took.
        assert calls.received_for("DescribeWorkspaces")[workspace_id] >= 2, workspace_id
        task = run.task(f"Rebuild an {state} WorkSpace and wait across stale reads")
        assert task.seconds >= rebuild_seconds - 0.5, workspace_id

    again = run.calls("calls_after_again") - run.calls("calls_after_error")
    assert again.mutating() == {}
    states = true_states(control)
    assert (states[available_id], states[error_id]) == ("AVAILABLE", "AVAILABLE")

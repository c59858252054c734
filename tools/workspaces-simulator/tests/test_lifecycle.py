"""Lifecycle operations: allowed and refused starting states, transitions, failures, stale reads."""

from __future__ import annotations

import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from workspaces_simulator.lifecycle import DEFAULT_DURATIONS, WORKSPACE_STATES, action_named
from workspaces_simulator.server import SimulatorServer

from .conftest import Seeder
from .helpers import described_state, error_code, http_status, true_state, wait_for

# Starting states each operation accepts, as documented in the botocore model.
ALLOWED = {
    "rebuild": {"AVAILABLE", "ERROR", "UNHEALTHY", "STOPPED", "REBOOTING"},
    "reboot": {"AVAILABLE", "UNHEALTHY", "REBOOTING"},
    "restore": {"AVAILABLE", "ERROR", "UNHEALTHY", "STOPPED"},
    "start": {"STOPPED"},
    "stop": {"AVAILABLE", "IMPAIRED", "UNHEALTHY", "ERROR"},
}
TRANSITIONAL = {
    "rebuild": "REBUILDING",
    "reboot": "REBOOTING",
    "restore": "RESTORING",
    "start": "STARTING",
    "stop": "STOPPING",
}
TARGET = {
    "rebuild": "AVAILABLE",
    "reboot": "AVAILABLE",
    "restore": "AVAILABLE",
    "start": "AVAILABLE",
    "stop": "STOPPED",
}
BATCH_CALLS = {
    "rebuild": ("rebuild_workspaces", "RebuildWorkspaceRequests"),
    "reboot": ("reboot_workspaces", "RebootWorkspaceRequests"),
    "start": ("start_workspaces", "StartWorkspaceRequests"),
    "stop": ("stop_workspaces", "StopWorkspaceRequests"),
}
CASES = [
    (action, state, state in ALLOWED[action])
    for action in sorted(ALLOWED)
    for state in sorted(WORKSPACE_STATES)
]


def run_action(client: Any, action: str, workspace_ids: list[str]) -> list[dict[str, str]]:
    """Call the action's operation; returns FailedRequests (RestoreWorkspace: [] or raises)."""
    if action == "restore":
        client.restore_workspace(WorkspaceId=workspace_ids[0])
        return []
    method, key = BATCH_CALLS[action]
    response = getattr(client, method)(**{key: [{"WorkspaceId": ws} for ws in workspace_ids]})
    return list(response["FailedRequests"])


@pytest.mark.parametrize(("action", "state", "allowed"), CASES)
def test_starting_states(
    simulator: SimulatorServer, client: Any, seed: Seeder, action: str, state: str, allowed: bool
) -> None:
    """Every action accepts exactly the documented starting states and refuses the rest."""
    (workspace_id,) = seed(state)
    if allowed:
        assert run_action(client, action, [workspace_id]) == []
        assert true_state(simulator.control, workspace_id) == TRANSITIONAL[action]
        return
    if action == "restore":
        with pytest.raises(ClientError) as caught:
            run_action(client, action, [workspace_id])
        assert error_code(caught.value) == "InvalidResourceStateException"
        assert http_status(caught.value) == 400
    else:
        (failure,) = run_action(client, action, [workspace_id])
        assert failure["WorkspaceId"] == workspace_id
        assert failure["ErrorCode"] == "InvalidResourceState.Workspace"
        assert state in failure["ErrorMessage"]
    assert true_state(simulator.control, workspace_id) == state


@pytest.mark.parametrize("action", sorted(BATCH_CALLS))
def test_unknown_workspace_is_a_failed_request(client: Any, seed: Seeder, action: str) -> None:
    """An unknown WorkSpace is reported in FailedRequests, never silently accepted."""
    start_state = "STOPPED" if action == "start" else "AVAILABLE"
    ids = seed(start_state)
    # RebuildWorkspaces takes exactly one request; the others get a known one as well.
    requested = ["ws-doesnotexist"] if action == "rebuild" else [*ids, "ws-doesnotexist"]
    failures = run_action(client, action, requested)
    assert failures == [
        {
            "WorkspaceId": "ws-doesnotexist",
            "ErrorCode": "ResourceNotFound.Workspace",
            "ErrorMessage": "The WorkSpace ws-doesnotexist could not be found.",
        }
    ]


def test_restore_unknown_workspace_raises(client: Any) -> None:
    """RestoreWorkspace has no FailedRequests: an unknown id is a ResourceNotFoundException."""
    with pytest.raises(ClientError) as caught:
        client.restore_workspace(WorkspaceId="ws-doesnotexist")
    assert error_code(caught.value) == "ResourceNotFoundException"
    assert http_status(caught.value) == 400


def test_batch_mixes_accepted_and_refused(
    simulator: SimulatorServer, client: Any, seed: Seeder
) -> None:
    """In one batch, allowed WorkSpaces start their action and refused ones are listed."""
    available, stopped, error = seed("AVAILABLE", "STOPPED", "ERROR")
    failures = run_action(client, "reboot", [available, stopped, error])
    assert [f["WorkspaceId"] for f in failures] == [stopped, error]
    assert true_state(simulator.control, available) == "REBOOTING"


@pytest.mark.parametrize("action", sorted(ALLOWED))
def test_transition_then_target(
    simulator: SimulatorServer, client: Any, seed: Seeder, action: str
) -> None:
    """With the default durations and a speed factor, each action passes through its
    transitional state and lands in its target state after duration/speed real seconds."""
    real_seconds = 0.5
    simulator.control.set_timing(speed=DEFAULT_DURATIONS[action] / real_seconds)
    (workspace_id,) = seed(sorted(ALLOWED[action])[0] if action != "start" else "STOPPED")
    started = time.monotonic()
    run_action(client, action, [workspace_id])
    assert described_state(client, workspace_id) == TRANSITIONAL[action]
    assert true_state(simulator.control, workspace_id) == TRANSITIONAL[action]
    wait_for(lambda: described_state(client, workspace_id), lambda s: s == TARGET[action])
    elapsed = time.monotonic() - started
    assert real_seconds * 0.9 <= elapsed < real_seconds + 2.0
    assert true_state(simulator.control, workspace_id) == TARGET[action]


@pytest.mark.parametrize("action", sorted(ALLOWED))
def test_configured_failure_ends_in_error(
    simulator: SimulatorServer, client: Any, seed: Seeder, action: str
) -> None:
    """A WorkSpace configured to fail an action goes through the transition into ERROR."""
    simulator.control.set_timing(speed=1000, durations={action: 500})
    start_state = "STOPPED" if action == "start" else "AVAILABLE"
    (workspace_id,) = seed(start_state, fails=[action])
    assert run_action(client, action, [workspace_id]) == []
    assert true_state(simulator.control, workspace_id) == TRANSITIONAL[action]
    wait_for(lambda: described_state(client, workspace_id), lambda s: s == "ERROR")
    described = client.describe_workspaces(WorkspaceIds=[workspace_id])["Workspaces"][0]
    assert described["ErrorCode"] == "InternalError"


def test_failure_is_per_action(simulator: SimulatorServer, client: Any, seed: Seeder) -> None:
    """Failing one action does not make the others fail."""
    simulator.control.set_timing(speed=1000, durations={"reboot": 100})
    (workspace_id,) = seed("AVAILABLE", fails=["rebuild"])
    run_action(client, "reboot", [workspace_id])
    wait_for(lambda: true_state(simulator.control, workspace_id), lambda s: s == "AVAILABLE")


def test_recovery_from_error_clears_error_code(
    simulator: SimulatorServer, client: Any, seed: Seeder
) -> None:
    """A successful rebuild of an ERROR WorkSpace clears its error code."""
    simulator.control.set_timing(speed=1000, durations={"rebuild": 100})
    (workspace_id,) = seed("ERROR", error_code="InternalError", error_message="broken")
    run_action(client, "rebuild", [workspace_id])
    wait_for(lambda: described_state(client, workspace_id), lambda s: s == "AVAILABLE")
    described = client.describe_workspaces(WorkspaceIds=[workspace_id])["Workspaces"][0]
    assert "ErrorCode" not in described


def test_stale_reads(simulator: SimulatorServer, client: Any, seed: Seeder) -> None:
    """During the lag DescribeWorkspaces still shows the old state; control shows the truth."""
    simulator.control.set_timing(speed=1000, durations={"stop": 1500}, stale_seconds=500)
    (workspace_id,) = seed("AVAILABLE")
    started = time.monotonic()
    run_action(client, "stop", [workspace_id])
    assert described_state(client, workspace_id) == "AVAILABLE"
    assert true_state(simulator.control, workspace_id) == "STOPPING"
    wait_for(lambda: described_state(client, workspace_id), lambda s: s != "AVAILABLE")
    assert time.monotonic() - started >= 0.45
    assert described_state(client, workspace_id) == "STOPPING"
    wait_for(lambda: described_state(client, workspace_id), lambda s: s == "STOPPED")


def test_stale_lag_longer_than_the_action(
    simulator: SimulatorServer, client: Any, seed: Seeder
) -> None:
    """If the lag outlasts the action, DescribeWorkspaces jumps straight from old to final state."""
    simulator.control.set_timing(speed=1000, durations={"reboot": 50}, stale_seconds=1000)
    (workspace_id,) = seed("AVAILABLE", fails=["reboot"])
    run_action(client, "reboot", [workspace_id])
    wait_for(lambda: true_state(simulator.control, workspace_id), lambda s: s == "ERROR")
    assert described_state(client, workspace_id) == "AVAILABLE"
    wait_for(lambda: described_state(client, workspace_id), lambda s: s == "ERROR")


def test_zero_stale_lag_is_default(simulator: SimulatorServer, client: Any, seed: Seeder) -> None:
    """By default reads are never stale."""
    assert simulator.control.timing()["stale_seconds"] == 0
    (workspace_id,) = seed("AVAILABLE")
    run_action(client, "rebuild", [workspace_id])
    assert described_state(client, workspace_id) == "REBUILDING"


def test_set_state_cancels_transition(
    simulator: SimulatorServer, client: Any, seed: Seeder
) -> None:
    """Forcing a state through the control API replaces a running action."""
    (workspace_id,) = seed("AVAILABLE")
    run_action(client, "rebuild", [workspace_id])
    simulator.control.set_state(workspace_id, "UNHEALTHY")
    assert described_state(client, workspace_id) == "UNHEALTHY"
    assert "Transition" not in simulator.control.workspace(workspace_id)


def test_running_transition_keeps_its_end_time(
    simulator: SimulatorServer, client: Any, seed: Seeder
) -> None:
    """Changing the speed later does not stretch an action that already started."""
    simulator.control.set_timing(speed=1000, durations={"reboot": 200})
    (workspace_id,) = seed("AVAILABLE")
    run_action(client, "reboot", [workspace_id])
    simulator.control.set_timing(speed=0.001)
    wait_for(lambda: true_state(simulator.control, workspace_id), lambda s: s == "AVAILABLE")


# ------------------------------------------------------------------ running mode


@pytest.mark.parametrize(("action", "state"), [("start", "STOPPED"), ("stop", "AVAILABLE")])
def test_always_on_workspaces_cannot_be_started_or_stopped(
    simulator: SimulatorServer, client: Any, seed: Seeder, action: str, state: str
) -> None:
    """Only AUTO_STOP and MANUAL WorkSpaces start and stop; ALWAYS_ON is a FailedRequests entry."""
    (always_on,) = seed(state, running_mode="ALWAYS_ON")
    (auto_stop,) = seed(state, running_mode="AUTO_STOP")
    (manual,) = seed(state, running_mode="MANUAL")
    failures = run_action(client, action, [always_on, auto_stop, manual])
    assert failures == [
        {
            "WorkspaceId": always_on,
            "ErrorCode": "UnsupportedOperation",
            "ErrorMessage": f"The WorkSpace {always_on} cannot be {action_named(action).participle}: "
            "its running mode is ALWAYS_ON.",
        }
    ]
    assert true_state(simulator.control, always_on) == state
    assert true_state(simulator.control, auto_stop) == TRANSITIONAL[action]
    assert true_state(simulator.control, manual) == TRANSITIONAL[action]


def test_the_running_mode_is_checked_before_the_state(client: Any, seed: Seeder) -> None:
    """An ALWAYS_ON WorkSpace in a refused state still gets UnsupportedOperation."""
    (workspace_id,) = seed("REBOOTING", running_mode="ALWAYS_ON")
    (failure,) = run_action(client, "stop", [workspace_id])
    assert failure["ErrorCode"] == "UnsupportedOperation"


@pytest.mark.parametrize("action", ["rebuild", "reboot", "restore"])
def test_always_on_workspaces_take_the_other_actions(
    simulator: SimulatorServer, client: Any, seed: Seeder, action: str
) -> None:
    """The running mode restricts start and stop only."""
    (workspace_id,) = seed("AVAILABLE", running_mode="ALWAYS_ON")
    assert run_action(client, action, [workspace_id]) == []
    assert true_state(simulator.control, workspace_id) == TRANSITIONAL[action]


def test_created_workspaces_keep_their_running_mode(
    simulator: SimulatorServer, client: Any
) -> None:
    """moto's CreateWorkspaces defaults to ALWAYS_ON; an AUTO_STOP one can be stopped."""
    loaded = simulator.control.load_scenario({"directories": [{"name": "modes.example.com"}]})
    (directory_id,) = loaded["directory_ids"]
    created = client.create_workspaces(
        Workspaces=[
            {"DirectoryId": directory_id, "UserName": user, "BundleId": "wsb-bh8rsxt14", **extra}
            for user, extra in (
                ("always.on", {}),
                ("auto.stop", {"WorkspaceProperties": {"RunningMode": "AUTO_STOP"}}),
            )
        ]
    )
    always_on, auto_stop = (item["WorkspaceId"] for item in created["PendingRequests"])
    failures = run_action(client, "stop", [always_on, auto_stop])
    assert [(f["WorkspaceId"], f["ErrorCode"]) for f in failures] == [
        (always_on, "UnsupportedOperation")
    ]
    assert true_state(simulator.control, auto_stop) == "STOPPING"

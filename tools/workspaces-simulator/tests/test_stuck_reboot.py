"""RebootWorkspaces accepts a REBOOTING WorkSpace only once it has been stuck over 20 minutes."""

from __future__ import annotations

import time
from typing import Any

import pytest

from workspaces_simulator.control import SimulatorControlError
from workspaces_simulator.lifecycle import REBOOT_STUCK_SECONDS
from workspaces_simulator.server import SimulatorServer

from .conftest import Seeder
from .helpers import true_state


def reboot(client: Any, *workspace_ids: str) -> list[dict[str, str]]:
    """RebootWorkspaces for the ids; returns FailedRequests."""
    requests = [{"WorkspaceId": ws} for ws in workspace_ids]
    return list(client.reboot_workspaces(RebootWorkspaceRequests=requests)["FailedRequests"])


def refusal(workspace_id: str) -> dict[str, str]:
    """The FailedRequests entry of a REBOOTING WorkSpace not stuck long enough."""
    return {
        "WorkspaceId": workspace_id,
        "ErrorCode": "InvalidResourceState.Workspace",
        "ErrorMessage": f"The WorkSpace {workspace_id} cannot be rebooted while it is REBOOTING: "
        "a REBOOTING WorkSpace can be rebooted only after it has been stuck for over 20 minutes.",
    }


def test_the_threshold_is_twenty_minutes() -> None:
    """The botocore model's documentation: stuck in REBOOTING for over 20 minutes."""
    assert REBOOT_STUCK_SECONDS == 20 * 60


def test_seeded_rebooting_since_long_ago_is_rebooted(
    simulator: SimulatorServer, client: Any, seed: Seeder
) -> None:
    """Seeded REBOOTING without state_since, or since more than 20 minutes, is accepted."""
    unknown, stuck = seed("REBOOTING"), seed("REBOOTING", state_since="-21m")
    assert reboot(client, *unknown, *stuck) == []
    calls = simulator.control.calls()
    assert calls["started_by_workspace"]["RebootWorkspaces"] == {unknown[0]: 1, stuck[0]: 1}


def test_seeded_rebooting_recently_is_refused_until_stuck(
    simulator: SimulatorServer, client: Any, seed: Seeder
) -> None:
    """REBOOTING for 19 simulated minutes: refused, then accepted one simulated minute later."""
    simulator.control.set_timing(speed=60)  # a simulated minute is a real second
    (workspace_id,) = seed("REBOOTING", state_since="-19m")
    assert reboot(client, workspace_id) == [refusal(workspace_id)]
    assert true_state(simulator.control, workspace_id) == "REBOOTING"
    assert simulator.control.calls()["started"]["RebootWorkspaces"] == 0
    time.sleep(1.1)
    assert reboot(client, workspace_id) == []
    assert simulator.control.calls()["started_by_workspace"]["RebootWorkspaces"] == {
        workspace_id: 1
    }


def test_a_running_reboot_is_not_rebooted_again(
    simulator: SimulatorServer, client: Any, seed: Seeder
) -> None:
    """A reboot the simulator began refuses another for 20 minutes, in the same call too."""
    simulator.control.set_timing(speed=1000, durations={"reboot": 3000})
    (workspace_id,) = seed("AVAILABLE")
    assert reboot(client, workspace_id, workspace_id) == [refusal(workspace_id)]
    assert reboot(client, workspace_id) == [refusal(workspace_id)]
    time.sleep(REBOOT_STUCK_SECONDS / 1000 + 0.1)
    assert true_state(simulator.control, workspace_id) == "REBOOTING"
    assert reboot(client, workspace_id) == []
    assert simulator.control.calls()["started_by_workspace"]["RebootWorkspaces"] == {
        workspace_id: 2
    }


def test_forced_rebooting_is_stuck(simulator: SimulatorServer, client: Any, seed: Seeder) -> None:
    """A state forced through the control API (or a schedule) is taken as stuck since long ago."""
    simulator.control.set_timing(speed=1000, durations={"reboot": 3000})
    (workspace_id,) = seed("AVAILABLE")
    assert reboot(client, workspace_id) == []
    simulator.control.set_state(workspace_id, "REBOOTING")
    assert reboot(client, workspace_id) == []


@pytest.mark.parametrize("action", ["rebuild", "stop"])
def test_other_actions_ignore_how_long_it_rebooted(
    simulator: SimulatorServer, client: Any, seed: Seeder, action: str
) -> None:
    """The 20-minute rule is the reboot's only: a rebuild of a fresh REBOOTING one is accepted."""
    (workspace_id,) = seed("REBOOTING", state_since="now")
    if action == "rebuild":
        answer = client.rebuild_workspaces(RebuildWorkspaceRequests=[{"WorkspaceId": workspace_id}])
        assert answer["FailedRequests"] == []
        assert true_state(simulator.control, workspace_id) == "REBUILDING"
    else:
        # StopWorkspaces never takes REBOOTING: the usual refusal, naming the state.
        answer = client.stop_workspaces(StopWorkspaceRequests=[{"WorkspaceId": workspace_id}])
        (failure,) = answer["FailedRequests"]
        assert (
            failure["ErrorMessage"]
            == f"The WorkSpace {workspace_id} cannot be stopped while it is REBOOTING."
        )


@pytest.mark.parametrize("since", ["+5m", "yesterday", "2999-01-01T00:00:00Z"])
def test_a_bad_state_since_is_refused(simulator: SimulatorServer, since: str) -> None:
    """state_since is a time, not in the future; a bad one loads nothing."""
    scenario = {
        "directories": [
            {
                "name": "x.example.com",
                "workspaces": [{"user": "a", "state": "REBOOTING", "state_since": since}],
            }
        ]
    }
    with pytest.raises(SimulatorControlError) as caught:
        simulator.control.load_scenario(scenario)
    assert caught.value.status == 400
    assert simulator.control.workspaces() == []

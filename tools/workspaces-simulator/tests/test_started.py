"""``started`` counts: transitions actually begun, apart from requests that reached the backend."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError, ConnectionClosedError

from workspaces_simulator.server import SimulatorServer

from .conftest import ClientFactory, Seeder
from .helpers import error_code, true_state

#: The faults of one operation, given the WorkSpace id the test seeded.
FaultsFor = Callable[[str], dict[str, Any]]


def no_faults(_workspace_id: str) -> dict[str, Any]:
    """No faults at all."""
    return {}


def rebuild(client: Any, workspace_id: str) -> list[dict[str, str]]:
    """Rebuild one WorkSpace; its FailedRequests."""
    response = client.rebuild_workspaces(RebuildWorkspaceRequests=[{"WorkspaceId": workspace_id}])
    return list(response["FailedRequests"])


def started(simulator: SimulatorServer, operation: str) -> tuple[int, dict[str, int]]:
    """(started, started_by_workspace) of one operation."""
    calls = simulator.control.calls()
    return calls["started"].get(operation, 0), calls["started_by_workspace"].get(operation, {})


def test_a_rebuild_carried_out_is_started(
    simulator: SimulatorServer, client: Any, seed: Seeder
) -> None:
    """An accepted rebuild counts once as accepted and once as started."""
    (workspace_id,) = seed("ERROR")
    assert rebuild(client, workspace_id) == []
    calls = simulator.control.calls()
    assert calls["accepted"]["RebuildWorkspaces"] == 1
    assert calls["started"] == {"RebuildWorkspaces": 1}
    assert calls["started_by_workspace"] == {"RebuildWorkspaces": {workspace_id: 1}}


@pytest.mark.parametrize(
    ("faults", "state", "target"),
    [
        (no_faults, "SUSPENDED", None),
        (no_faults, "REBUILDING", None),
        (no_faults, "AVAILABLE", "ws-doesnotexist"),
        (lambda ws: {"failed_requests": [ws]}, "AVAILABLE", None),
        (
            lambda ws: {"failed_requests": {ws: {"code": "ResourceLimitExceeded.Workspace"}}},
            "ERROR",
            None,
        ),
    ],
    ids=["wrong-state", "already-rebuilding", "unknown-id", "forced-failure", "forced-code"],
)
def test_rebuilds_refused_in_failed_requests_are_accepted_but_not_started(
    simulator: SimulatorServer,
    client: Any,
    seed: Seeder,
    faults: FaultsFor,
    state: str,
    target: str | None,
) -> None:
    """The backend answered, with a FailedRequests entry: nothing was rebuilt."""
    (workspace_id,) = seed(state)
    simulator.control.set_faults({"RebuildWorkspaces": faults(workspace_id)})
    (failure,) = rebuild(client, target or workspace_id)
    assert failure["WorkspaceId"] == (target or workspace_id)
    assert true_state(simulator.control, workspace_id) == state
    calls = simulator.control.calls()
    assert calls["by_operation"]["RebuildWorkspaces"] == 1
    assert calls["accepted"]["RebuildWorkspaces"] == 1
    assert calls["started"] == {"RebuildWorkspaces": 0}
    assert calls["started_by_workspace"] == {}


@pytest.mark.parametrize(
    ("faults", "code"),
    [
        (lambda _ws: {"access_denied": True}, "AccessDeniedException"),
        (lambda _ws: {"throttle": {"rate": 0, "burst": 0}}, "ThrottlingException"),
        (lambda _ws: {"server_errors": 1.0}, "ServiceUnavailable"),
        (lambda ws: {"unsupported": [ws]}, "OperationNotSupportedException"),
    ],
)
def test_rebuilds_rejected_by_a_fault_are_not_started(
    simulator: SimulatorServer, client: Any, seed: Seeder, faults: FaultsFor, code: str
) -> None:
    """A call a fault rejects never reaches the backend, so it starts nothing."""
    (workspace_id,) = seed("ERROR")
    simulator.control.set_faults({"RebuildWorkspaces": faults(workspace_id)})
    with pytest.raises(ClientError) as caught:
        rebuild(client, workspace_id)
    assert error_code(caught.value) == code
    assert started(simulator, "RebuildWorkspaces") == (0, {})
    assert true_state(simulator.control, workspace_id) == "ERROR"


def test_a_dropped_rebuild_is_not_started(
    simulator: SimulatorServer, client: Any, seed: Seeder
) -> None:
    """A connection dropped before the call was carried out started nothing."""
    (workspace_id,) = seed("ERROR")
    simulator.control.set_faults({"RebuildWorkspaces": {"drop_connections": {"after": 0}}})
    with pytest.raises(ConnectionClosedError):
        rebuild(client, workspace_id)
    assert started(simulator, "RebuildWorkspaces") == (0, {})


def test_a_rebuild_whose_answer_was_lost_is_started(
    simulator: SimulatorServer, client: Any, seed: Seeder
) -> None:
    """The caller got an error, yet the WorkSpace is rebuilding: that counts."""
    (workspace_id,) = seed("ERROR")
    simulator.control.set_faults({"RebuildWorkspaces": {"lose_answers": {"count": 1}}})
    with pytest.raises(ClientError):
        rebuild(client, workspace_id)
    assert started(simulator, "RebuildWorkspaces") == (1, {workspace_id: 1})


def test_a_request_the_model_refuses_starts_nothing(
    simulator: SimulatorServer, make_client: ClientFactory, seed: Seeder
) -> None:
    """A ValidationException reached the backend (accepted) but began no transition."""
    first, second = seed("ERROR", "ERROR")
    with pytest.raises(ClientError) as caught:
        make_client(validate=False).rebuild_workspaces(
            RebuildWorkspaceRequests=[{"WorkspaceId": first}, {"WorkspaceId": second}]
        )
    assert error_code(caught.value) == "ValidationException"
    calls = simulator.control.calls()
    assert calls["accepted"]["RebuildWorkspaces"] == 1
    assert calls["started"]["RebuildWorkspaces"] == 0


def test_restore_counts_the_same_way(simulator: SimulatorServer, client: Any, seed: Seeder) -> None:
    """RestoreWorkspace: carried out or answer lost counts; refused or forced does not."""
    carried, lost, refused, forced = seed("ERROR", "AVAILABLE", "SUSPENDED", "STOPPED")
    simulator.control.set_faults(
        {"RestoreWorkspace": {"lose_answers": {"workspaces": [lost]}, "failed_requests": [forced]}}
    )
    client.restore_workspace(WorkspaceId=carried)
    for workspace_id, code in (
        (lost, "InternalServerError"),
        (refused, "InvalidResourceStateException"),
        (forced, "InternalError"),
        ("ws-doesnotexist", "ResourceNotFoundException"),
    ):
        with pytest.raises(ClientError) as caught:
            client.restore_workspace(WorkspaceId=workspace_id)
        assert error_code(caught.value) == code
    calls = simulator.control.calls()
    assert calls["accepted"]["RestoreWorkspace"] == 5
    assert calls["started"]["RestoreWorkspace"] == 2
    assert calls["started_by_workspace"]["RestoreWorkspace"] == {carried: 1, lost: 1}


def test_a_batch_counts_one_per_transition(
    simulator: SimulatorServer, client: Any, seed: Seeder
) -> None:
    """One RebootWorkspaces call moving two of four WorkSpaces adds two; a repeat id adds again
    only for a WorkSpace stuck REBOOTING long enough to be rebooted once more."""
    available, unhealthy, stopped = seed("AVAILABLE", "UNHEALTHY", "STOPPED")
    (stuck,) = seed("REBOOTING")
    requests = [{"WorkspaceId": ws} for ws in (available, unhealthy, stopped, available, stuck)]
    failures = client.reboot_workspaces(RebootWorkspaceRequests=requests)["FailedRequests"]
    # The repeated id finds the reboot its first entry began: not stuck for 20 minutes.
    assert [f["WorkspaceId"] for f in failures] == [stopped, available]
    calls = simulator.control.calls()
    assert calls["accepted"]["RebootWorkspaces"] == 1
    assert calls["started"]["RebootWorkspaces"] == 3
    assert calls["started_by_workspace"]["RebootWorkspaces"] == {
        available: 1,
        unhealthy: 1,
        stuck: 1,
    }


def test_start_and_stop_refused_for_the_running_mode_are_not_started(
    simulator: SimulatorServer, client: Any, seed: Seeder
) -> None:
    """An ALWAYS_ON WorkSpace's UnsupportedOperation entry starts nothing."""
    (workspace_id,) = seed("AVAILABLE", running_mode="ALWAYS_ON")
    client.stop_workspaces(StopWorkspaceRequests=[{"WorkspaceId": workspace_id}])
    assert started(simulator, "StopWorkspaces") == (0, {})


def test_an_instant_transition_still_counts(
    simulator: SimulatorServer, client: Any, seed: Seeder
) -> None:
    """With a zero duration the WorkSpace is AVAILABLE again at once, but it was rebuilt."""
    simulator.control.set_timing(durations={"rebuild": 0})
    (workspace_id,) = seed("ERROR")
    assert rebuild(client, workspace_id) == []
    assert true_state(simulator.control, workspace_id) == "AVAILABLE"
    assert started(simulator, "RebuildWorkspaces") == (1, {workspace_id: 1})


def test_only_lifecycle_operations_are_listed_and_reset_clears_them(
    simulator: SimulatorServer, client: Any, seed: Seeder
) -> None:
    """Lifecycle operations received show with zeros; others never; DELETE /_sim/calls zeroes."""
    (workspace_id,) = seed("STOPPED")
    client.describe_workspaces()
    client.terminate_workspaces(TerminateWorkspaceRequests=[{"WorkspaceId": "ws-doesnotexist"}])
    client.reboot_workspaces(RebootWorkspaceRequests=[{"WorkspaceId": workspace_id}])
    client.start_workspaces(StartWorkspaceRequests=[{"WorkspaceId": workspace_id}])
    calls = simulator.control.calls()
    assert calls["started"] == {"RebootWorkspaces": 0, "StartWorkspaces": 1}
    assert calls["started_by_workspace"] == {"StartWorkspaces": {workspace_id: 1}}
    simulator.control.reset_calls()
    calls = simulator.control.calls()
    assert (calls["started"], calls["started_by_workspace"]) == ({}, {})

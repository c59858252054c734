"""Call counting through the control API."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from botocore.exceptions import ClientError

from workspaces_simulator.server import SimulatorServer

from .conftest import ClientFactory, Seeder


def test_counts_have_the_documented_shape(
    simulator: SimulatorServer, client: Any, seed: Seeder
) -> None:
    """Every section counts what it promises, with ids taken from the request."""
    first, second = seed("AVAILABLE", "STOPPED")
    client.describe_workspaces(WorkspaceIds=[first, second])
    client.reboot_workspaces(RebootWorkspaceRequests=[{"WorkspaceId": first}])
    client.start_workspaces(StartWorkspaceRequests=[{"WorkspaceId": second}])
    client.describe_tags(ResourceId=first)
    client.describe_workspace_snapshots(WorkspaceId=second)
    each_once = {
        "DescribeWorkspaces": 1,
        "RebootWorkspaces": 1,
        "StartWorkspaces": 1,
        "DescribeTags": 1,
        "DescribeWorkspaceSnapshots": 1,
    }
    assert simulator.control.calls() == {
        "by_operation": each_once,
        "accepted": each_once,
        "by_workspace": {
            "DescribeWorkspaces": {first: 1, second: 1},
            "RebootWorkspaces": {first: 1},
            "StartWorkspaces": {second: 1},
            "DescribeTags": {first: 1},
            "DescribeWorkspaceSnapshots": {second: 1},
        },
        "accepted_by_workspace": {
            "DescribeWorkspaces": {first: 1, second: 1},
            "RebootWorkspaces": {first: 1},
            "StartWorkspaces": {second: 1},
            "DescribeTags": {first: 1},
            "DescribeWorkspaceSnapshots": {second: 1},
        },
        "faults": {
            op: dict.fromkeys(
                ("dropped", "access_denied", "throttled", "server_error", "answer_lost"), 0
            )
            for op in (
                "DescribeWorkspaces",
                "RebootWorkspaces",
                "StartWorkspaces",
                "DescribeTags",
                "DescribeWorkspaceSnapshots",
            )
        },
        "started": {"RebootWorkspaces": 1, "StartWorkspaces": 1},
        "started_by_workspace": {
            "RebootWorkspaces": {first: 1},
            "StartWorkspaces": {second: 1},
        },
        "by_region": {"us-east-1": {"by_operation": each_once, "accepted": each_once}},
    }


def test_fault_rejected_calls_are_received_but_not_accepted(
    simulator: SimulatorServer, client: Any, seed: Seeder
) -> None:
    """Throttled calls count as received, as faults, and not as accepted."""
    (workspace_id,) = seed("AVAILABLE")
    simulator.control.set_faults({"RebootWorkspaces": {"throttle": {"rate": 0, "burst": 1}}})
    request = [{"WorkspaceId": workspace_id}]
    client.reboot_workspaces(RebootWorkspaceRequests=request)
    for _attempt in range(2):
        with pytest.raises(ClientError):
            client.reboot_workspaces(RebootWorkspaceRequests=request)
    calls = simulator.control.calls()
    assert calls["by_operation"]["RebootWorkspaces"] == 3
    assert calls["accepted"]["RebootWorkspaces"] == 1
    assert calls["by_workspace"]["RebootWorkspaces"] == {workspace_id: 3}
    assert calls["accepted_by_workspace"]["RebootWorkspaces"] == {workspace_id: 1}
    assert calls["faults"]["RebootWorkspaces"]["throttled"] == 2


def test_control_calls_are_not_counted(simulator: SimulatorServer) -> None:
    """The control API itself never shows up in the counts."""
    simulator.control.workspaces()
    simulator.control.timing()
    assert simulator.control.calls()["by_operation"] == {}


def test_reset_calls_and_reset(simulator: SimulatorServer, client: Any, seed: Seeder) -> None:
    """reset_calls() zeroes the counts only; reset() forgets everything."""
    seed("AVAILABLE")
    simulator.control.set_faults({"DescribeWorkspaces": {"latency": 0.01}})
    client.describe_workspaces()
    simulator.control.reset_calls()
    empty: dict[str, Any] = {
        "by_operation": {},
        "accepted": {},
        "by_workspace": {},
        "accepted_by_workspace": {},
        "faults": {},
        "started": {},
        "started_by_workspace": {},
        "by_region": {},
    }
    assert simulator.control.calls() == empty
    assert len(simulator.control.workspaces()) == 1
    client.describe_workspaces()
    simulator.control.set_timing(speed=5)
    simulator.control.reset()
    assert simulator.control.calls() == empty
    assert simulator.control.workspaces() == []
    assert simulator.control.faults() == {}
    assert simulator.control.timing()["speed"] == 1


def test_counts_are_thread_safe(simulator: SimulatorServer, make_client: ClientFactory) -> None:
    """Concurrent calls are all counted."""
    client = make_client()
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda _index: client.describe_workspaces(), range(64)))
    calls = simulator.control.calls()
    assert calls["by_operation"]["DescribeWorkspaces"] == 64
    assert calls["accepted"]["DescribeWorkspaces"] == 64

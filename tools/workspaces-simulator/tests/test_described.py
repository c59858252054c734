"""What DescribeWorkspaces reports of a WorkSpace besides its state: addresses and properties."""

from __future__ import annotations

from typing import Any

from workspaces_simulator.server import SimulatorServer

SCENARIO = {
    "directories": [
        {
            "name": "corp.example.com",
            "workspaces": [
                {"id": "ws-described1", "user": "ready", "state": "AVAILABLE"},
                {"id": "ws-described2", "user": "other", "state": "STOPPED"},
                {"id": "ws-described3", "user": "newbie", "state": "PENDING"},
            ],
        }
    ]
}


def test_a_provisioned_workspace_has_an_address_and_full_properties(simulator: SimulatorServer, client: Any) -> None:
    simulator.control.load_scenario(SCENARIO)
    found = {ws["WorkspaceId"]: ws for ws in client.describe_workspaces()["Workspaces"]}
    ready, other, pending = found["ws-described1"], found["ws-described2"], found["ws-described3"]
    assert ready["IpAddress"].startswith("10.") and ready["IpAddress"] != other["IpAddress"]
    assert ready["SubnetId"].startswith("subnet-") and ready["SubnetId"] == other["SubnetId"]
    assert ready["ComputerName"]
    properties = ready["WorkspaceProperties"]
    assert properties["RunningMode"] == "AUTO_STOP"
    assert properties["ComputeTypeName"] == "STANDARD"
    assert properties["OperatingSystemName"] == "WINDOWS_SERVER_2022"
    # A PENDING WorkSpace is not provisioned yet: no computer name, no address.
    assert "ComputerName" not in pending and "IpAddress" not in pending
    # The control API's true view says the same.
    view = {ws["WorkspaceId"]: ws for ws in simulator.control.workspaces()}
    assert view["ws-described1"]["IpAddress"] == ready["IpAddress"]

"""Scenario loading (file and control API), the control API, and moto's own operations."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import boto3
import pytest

from workspaces_simulator.control import SimulatorControlError
from workspaces_simulator.scenario import (
    ScenarioError,
    builtin_scenarios,
    load_builtin_scenario,
    load_scenario_source,
)
from workspaces_simulator.server import SimulatorServer

from .conftest import Seeder
from .helpers import described_state

WORKSPACE_ID = re.compile(r"^ws-[0-9a-z]{8,63}$")


def load_demo(simulator: SimulatorServer) -> dict[str, Any]:
    """Load scenarios/demo.yml through the control API."""
    return simulator.control.load_scenario(load_builtin_scenario("demo"))


def test_demo_scenario(simulator: SimulatorServer, client: Any) -> None:
    """demo.yml seeds twelve WorkSpaces in mixed states, with timing for a ~3 s rebuild."""
    loaded = load_demo(simulator)
    ids = loaded["workspace_ids"]
    assert len(ids) == 12
    assert all(WORKSPACE_ID.match(ws) for ws in ids)
    states = Counter(w["State"] for w in simulator.control.workspaces())
    assert states == {
        "AVAILABLE": 5,
        "ERROR": 2,
        "UNHEALTHY": 2,
        "STOPPED": 1,
        "SUSPENDED": 1,
        "PENDING": 1,
    }
    timing = simulator.control.timing()
    assert timing["durations"]["rebuild"] / timing["speed"] == pytest.approx(3.0)
    assert 0 < timing["stale_seconds"] / timing["speed"] <= 1
    described = client.describe_workspaces(WorkspaceIds=ids[:1])["Workspaces"][0]
    assert described["UserName"] == "staff001"
    assert described["ComputerName"] == "WSAMZN-STF001"
    assert described["BundleId"] == "wsb-bh8rsxt14"
    assert described["WorkspaceProperties"]["RunningMode"] == "AUTO_STOP"
    assert client.describe_tags(ResourceId=ids[0])["TagList"] == [
        {"Key": "Project", "Value": "euc-demo"},
        {"Key": "CostCenter", "Value": "4711"},
    ]
    snapshots = client.describe_workspace_snapshots(WorkspaceId=ids[0])
    assert len(snapshots["RebuildSnapshots"]) == 2
    assert len(snapshots["RestoreSnapshots"]) == 1


def test_recovery_scenario(simulator: SimulatorServer, client: Any) -> None:
    """recovery.yml seeds the fleet its header lists, by fixed id, with fast timing."""
    loaded = simulator.control.load_scenario(load_builtin_scenario("recovery"))
    assert loaded["directory_ids"] == ["d-0a0b0c0d20"]
    seeded = {w["WorkspaceId"]: w for w in simulator.control.workspaces()}
    assert list(seeded) == loaded["workspace_ids"]
    every_action = ["start", "reboot", "restore", "rebuild"]
    expected = {
        # id: (state, running mode, the actions that end in ERROR)
        "ws-rcvstop0001": ("STOPPED", "AUTO_STOP", []),
        "ws-rcvstop0002": ("STOPPED", "MANUAL", []),
        "ws-rcvstopfl01": ("STOPPED", "AUTO_STOP", ["start"]),
        "ws-rcvboot0001": ("UNHEALTHY", "AUTO_STOP", []),
        "ws-rcvboot0002": ("UNHEALTHY", "AUTO_STOP", []),
        "ws-rcvbootfl01": ("UNHEALTHY", "AUTO_STOP", ["reboot"]),
        "ws-rcverror001": ("ERROR", "AUTO_STOP", []),
        "ws-rcvrestfl01": ("ERROR", "AUTO_STOP", ["restore"]),
        "ws-rcvbtrsfl01": ("UNHEALTHY", "AUTO_STOP", ["reboot", "restore"]),
        "ws-rcvdoomed01": ("UNHEALTHY", "AUTO_STOP", every_action),
        "ws-rcvdoomed02": ("ERROR", "AUTO_STOP", every_action),
        "ws-rcvconnct01": ("UNHEALTHY", "AUTO_STOP", []),
        "ws-rcvnosnap01": ("ERROR", "AUTO_STOP", []),
        "ws-rcvalways01": ("STOPPED", "ALWAYS_ON", []),
        "ws-rcvadmin001": ("ADMIN_MAINTENANCE", "AUTO_STOP", []),
        "ws-rcvhealth01": ("AVAILABLE", "AUTO_STOP", []),
        "ws-rcvhealth02": ("AVAILABLE", "ALWAYS_ON", []),
    }
    described = {
        ws: (w["State"], w["WorkspaceProperties"]["RunningMode"], sorted(w["Fails"]))
        for ws, w in seeded.items()
    }
    assert described == {ws: (state, mode, sorted(fails)) for ws, (state, mode, fails) in expected.items()}
    assert seeded["ws-rcvconnct01"]["Connection"]["ConnectionState"] == "CONNECTED"
    assert client.describe_workspace_snapshots(WorkspaceId="ws-rcvnosnap01")["RestoreSnapshots"] == []
    assert client.describe_workspace_snapshots(WorkspaceId="ws-rcvnosnap01")["RebuildSnapshots"] == []
    snapshots = client.describe_workspace_snapshots(WorkspaceId="ws-rcverror001")
    assert len(snapshots["RestoreSnapshots"]) == 1
    assert len(snapshots["RebuildSnapshots"]) == 2
    timing = simulator.control.timing()
    assert timing["durations"]["restore"] / timing["speed"] == pytest.approx(3.0)
    assert timing["durations"]["rebuild"] / timing["speed"] == pytest.approx(3.0)


def test_scenario_ids_are_deterministic(simulator: SimulatorServer) -> None:
    """The same scenario yields the same ids after a reset; loading it twice never collides."""
    first = load_demo(simulator)["workspace_ids"]
    simulator.control.reset()
    assert load_demo(simulator)["workspace_ids"] == first
    simulator.control.set_state("ws-demofail01", "AVAILABLE")
    with pytest.raises(SimulatorControlError) as caught:
        load_demo(simulator)
    assert caught.value.status == 400
    assert "ws-demofail01" in caught.value.message
    assert len(simulator.control.workspaces()) == 12


def test_generated_fleets_can_be_loaded_twice(simulator: SimulatorServer) -> None:
    """Fleets without explicit ids get fresh ids on a second load."""
    scenario = {
        "directories": [{"name": "twice.example.com", "fleets": [{"name": "a", "count": 3}]}]
    }
    first = simulator.control.load_scenario(scenario)["workspace_ids"]
    second = simulator.control.load_scenario(scenario)["workspace_ids"]
    assert not set(first) & set(second)
    assert len(simulator.control.workspaces()) == 6


def test_fleet_attributes(simulator: SimulatorServer, client: Any) -> None:
    """Fleets generate users, computer names, tags, snapshots and connection status."""
    loaded = simulator.control.load_scenario(
        {
            "directories": [
                {
                    "id": "d-0123456789",
                    "name": "fleet.example.com",
                    "bundle": "wsb-abcdefgh1",
                    "fleets": [
                        {
                            "name": "ops",
                            "states": {"AVAILABLE": 2, "STOPPED": 1},
                            "user_prefix": "op",
                            "computer_prefix": "OPS-",
                            "running_mode": "ALWAYS_ON",
                            "tags": [{"Key": "Team", "Value": "ops"}],
                            "snapshots": {"rebuild": ["2024-01-02T03:04:05Z"]},
                            "connection": {
                                "state": "CONNECTED",
                                "checked_at": 1700000000,
                                "last_connected_at": "2024-01-01T00:00:00+00:00",
                            },
                        }
                    ],
                }
            ]
        }
    )
    assert loaded["directory_ids"] == ["d-0123456789"]
    view = simulator.control.workspaces()
    assert [(w["UserName"], w["ComputerName"], w["State"]) for w in view] == [
        ("op001", "OPS-001", "AVAILABLE"),
        ("op002", "OPS-002", "AVAILABLE"),
        ("op003", "OPS-003", "STOPPED"),
    ]
    assert {w["DirectoryId"] for w in view} == {"d-0123456789"}
    assert {w["BundleId"] for w in view} == {"wsb-abcdefgh1"}
    assert view[0]["Tags"] == [{"Key": "Team", "Value": "ops"}]
    workspace_id = loaded["workspace_ids"][0]
    snapshot = client.describe_workspace_snapshots(WorkspaceId=workspace_id)["RebuildSnapshots"][0]
    assert snapshot["SnapshotTime"].timestamp() == 1704164645
    (status,) = client.describe_workspaces_connection_status(WorkspaceIds=[workspace_id])[
        "WorkspacesConnectionStatus"
    ]
    assert status["ConnectionState"] == "CONNECTED"
    assert status["ConnectionStateCheckTimestamp"].timestamp() == 1700000000
    assert status["LastKnownUserConnectionTimestamp"].timestamp() == 1704067200


def test_scenario_sections_replace_timing_and_faults(simulator: SimulatorServer) -> None:
    """timing and faults sections replace the current settings; absent sections keep them."""
    simulator.control.set_timing(speed=50, stale_seconds=10)
    simulator.control.load_scenario({"timing": {"durations": {"reboot": 60}}})
    timing = simulator.control.timing()
    assert timing["speed"] == 1
    assert timing["stale_seconds"] == 0
    assert timing["durations"]["reboot"] == 60
    assert timing["durations"]["rebuild"] == 2400
    simulator.control.load_scenario({"faults": {"DescribeWorkspaces": {"latency": 0.01}}})
    simulator.control.load_scenario({"directories": []})
    assert simulator.control.faults() == {"DescribeWorkspaces": {"latency": 0.01}}
    assert simulator.control.timing()["durations"]["reboot"] == 60


@pytest.mark.parametrize(
    "scenario",
    [
        {"directoriez": []},
        {"directories": [{"name": "x.example.com", "fleets": [{"name": "f"}]}]},
        {
            "directories": [
                {"name": "x.example.com", "fleets": [{"name": "f", "count": 2, "state": "ASLEEP"}]}
            ]
        },
        {
            "directories": [
                {
                    "name": "x.example.com",
                    "fleets": [{"name": "f", "count": 3, "states": {"AVAILABLE": 2}}],
                }
            ]
        },
        {"directories": [{"name": "x.example.com", "workspaces": [{"user": "a", "id": "ws-BAD"}]}]},
        {
            "directories": [
                {"name": "x.example.com", "workspaces": [{"user": "a", "fails": ["explode"]}]}
            ]
        },
        {
            "directories": [
                {"name": "x.example.com", "workspaces": [{"user": "a", "bundle": "b-1"}]}
            ]
        },
        {"directories": [{"id": "d-nothex!", "name": "x.example.com"}]},
        {
            "directories": [
                {
                    "name": "x.example.com",
                    "workspaces": [{"user": "a", "snapshots": {"rebuild": ["yesterday"]}}],
                }
            ]
        },
        {"timing": {"speed": 0}},
        {"faults": {"NoSuchOperation": {}}},
        {
            "directories": [
                {
                    "name": "x.example.com",
                    "workspaces": [
                        {"user": "a", "id": "ws-same0001"},
                        {"user": "b", "id": "ws-same0001"},
                    ],
                }
            ]
        },
    ],
)
def test_invalid_scenarios_are_refused(
    simulator: SimulatorServer, scenario: dict[str, Any]
) -> None:
    """Malformed scenarios get HTTP 400 and seed nothing."""
    with pytest.raises(SimulatorControlError) as caught:
        simulator.control.load_scenario(scenario)
    assert caught.value.status == 400
    assert simulator.control.workspaces() == []


def test_control_set_state_and_errors(
    simulator: SimulatorServer, client: Any, seed: Seeder
) -> None:
    """set_state changes the state at once; bad ids and states are refused."""
    (workspace_id,) = seed("AVAILABLE")
    simulator.control.set_state(workspace_id, "IMPAIRED")
    assert described_state(client, workspace_id) == "IMPAIRED"
    with pytest.raises(SimulatorControlError) as missing:
        simulator.control.set_state("ws-doesnotexist", "AVAILABLE")
    assert missing.value.status == 404
    with pytest.raises(SimulatorControlError) as invalid:
        simulator.control.set_state(workspace_id, "ASLEEP")
    assert invalid.value.status == 400


def test_control_set_timing_is_partial(simulator: SimulatorServer) -> None:
    """set_timing changes only what it is given."""
    simulator.control.set_timing(speed=10)
    timing = simulator.control.set_timing(durations={"stop": 30})
    assert timing == {
        "speed": 10,
        "durations": {"rebuild": 2400, "restore": 2400, "reboot": 180, "start": 120, "stop": 30},
        "stale_seconds": 0,
    }
    with pytest.raises(SimulatorControlError):
        simulator.control.set_timing(durations={"explode": 1})
    with pytest.raises(SimulatorControlError) as caught:
        simulator.control._call("PUT", "timing", {"durations": [1]})  # pylint: disable=protected-access
    assert caught.value.status == 400
    assert simulator.control.timing() == timing


def test_unknown_control_endpoint(simulator: SimulatorServer) -> None:
    """Unknown control paths answer 404, wrong methods 405."""
    # pylint: disable=protected-access
    with pytest.raises(SimulatorControlError) as missing:
        simulator.control._call("GET", "nothing-here")
    assert missing.value.status == 404
    with pytest.raises(SimulatorControlError) as wrong_method:
        simulator.control._call("DELETE", "workspaces")
    assert wrong_method.value.status == 405


def test_moto_operations_work_on_seeded_data(simulator: SimulatorServer, client: Any) -> None:
    """CreateWorkspaces, tags, directories and termination keep working on seeded WorkSpaces."""
    loaded = load_demo(simulator)
    directory_id = loaded["directory_ids"][0]
    directories = client.describe_workspace_directories()["Directories"]
    assert [d["DirectoryId"] for d in directories] == [directory_id]
    created = client.create_workspaces(
        Workspaces=[
            {"DirectoryId": directory_id, "UserName": "late.joiner", "BundleId": "wsb-bh8rsxt14"}
        ]
    )
    assert created["FailedRequests"] == []
    new_id = created["PendingRequests"][0]["WorkspaceId"]
    found = client.describe_workspaces(DirectoryId=directory_id, UserName="late.joiner")
    assert [w["WorkspaceId"] for w in found["Workspaces"]] == [new_id]
    client.create_tags(ResourceId=new_id, Tags=[{"Key": "Owner", "Value": "it"}])
    assert client.describe_tags(ResourceId=new_id)["TagList"] == [{"Key": "Owner", "Value": "it"}]
    client.reboot_workspaces(RebootWorkspaceRequests=[{"WorkspaceId": new_id}])
    assert simulator.control.workspace(new_id)["State"] == "REBOOTING"
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.describe_tags(ResourceId="ws-doesnotexist")
    suspended = next(w for w in simulator.control.workspaces() if w["State"] == "SUSPENDED")
    response = client.terminate_workspaces(
        TerminateWorkspaceRequests=[
            {"WorkspaceId": new_id},
            {"WorkspaceId": suspended["WorkspaceId"]},
            {"WorkspaceId": "ws-doesnotexist"},
        ]
    )
    assert [(f["WorkspaceId"], f["ErrorCode"]) for f in response["FailedRequests"]] == [
        (suspended["WorkspaceId"], "InvalidResourceState.Workspace"),
        ("ws-doesnotexist", "ResourceNotFound.Workspace"),
    ]
    assert new_id not in {w["WorkspaceId"] for w in simulator.control.workspaces()}


def test_any_credentials_see_the_same_account(simulator: SimulatorServer, seed: Seeder) -> None:
    """The simulated account is shared by every credential; its fleet is the region's."""
    (workspace_id,) = seed("AVAILABLE")
    for region, expected in (("us-east-1", [workspace_id]), ("us-west-2", [])):
        other = boto3.session.Session().client(
            "workspaces",
            region_name=region,
            endpoint_url=simulator.endpoint_url,
            aws_access_key_id="testing2",
            aws_secret_access_key="testing2",
        )
        found = other.describe_workspaces()["Workspaces"]
        assert [w["WorkspaceId"] for w in found] == expected


def test_built_in_scenarios_ship_with_the_package() -> None:
    """demo, fleet-500 and recovery are package data, read by name."""
    assert builtin_scenarios() == ["demo", "fleet-500", "recovery"]
    assert load_builtin_scenario("fleet-500")["name"] == "fleet-500"
    with pytest.raises(
        ScenarioError, match=r"no built-in scenario 'nope' \(built-in: demo, fleet-500, recovery\)"
    ):
        load_builtin_scenario("nope")


def test_a_scenario_source_is_a_file_first_then_a_built_in_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An existing file wins over the built-in scenario of the same name."""
    assert load_scenario_source("demo") == (load_builtin_scenario("demo"), "built-in scenario demo")
    mine = tmp_path / "mine.yml"
    mine.write_text("name: mine\n")
    assert load_scenario_source(str(mine)) == ({"name": "mine"}, str(mine))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "demo").write_text("")
    assert load_scenario_source("demo") == ({}, "demo")
    with pytest.raises(ScenarioError, match="missing.yml: no such file, nor a built-in scenario"):
        load_scenario_source("missing.yml")

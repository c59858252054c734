"""Several regions through one endpoint: each request is served by its region's fleet."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from workspaces_simulator.control import SimulatorControl, SimulatorControlError
from workspaces_simulator.core import Simulator
from workspaces_simulator.scenario import ScenarioError, parse_scenario
from workspaces_simulator.server import SimulatorServer

from .conftest import ClientFactory
from .helpers import error_code
from .test_cli import LISTENING, start_cli

#: One scenario, two regions: the top-level region, and a directory entry's own.
TWO_REGIONS: dict[str, Any] = {
    "region": "eu-west-1",
    "directories": [
        {
            "name": "paris.example.com",
            "workspaces": [
                {
                    "user": "amelie",
                    "tags": {"Team": "paris"},
                    "connection": {"state": "CONNECTED"},
                    "snapshots": {"restore": ["-1h"]},
                },
                {"user": "bruno", "state": "STOPPED"},
            ],
        },
        {
            "name": "boston.example.com",
            "region": "us-east-1",
            "fleets": [{"name": "staff", "count": 3, "tags": {"Team": "boston"}}],
        },
    ],
}
UNKNOWN_ID = "ws-doesnotexist"


def load_two_regions(control: SimulatorControl) -> tuple[list[str], list[str]]:
    """Seed TWO_REGIONS; returns the ids of eu-west-1's WorkSpaces and of us-east-1's."""
    loaded = control.load_scenario(TWO_REGIONS)
    regions = loaded["regions"]
    assert list(regions) == loaded["workspace_ids"]
    paris = [ws for ws in loaded["workspace_ids"] if regions[ws] == "eu-west-1"]
    boston = [ws for ws in loaded["workspace_ids"] if regions[ws] == "us-east-1"]
    assert (len(paris), len(boston)) == (2, 3)
    return paris, boston


def listed(client: Any) -> list[str]:
    """Every WorkSpace id DescribeWorkspaces pages through, in order."""
    pages = client.get_paginator("describe_workspaces").paginate(PaginationConfig={"PageSize": 2})
    return [ws["WorkspaceId"] for page in pages for ws in page["Workspaces"]]


def true_states(control: SimulatorControl) -> dict[str, str]:
    """Each WorkSpace's true state, by id."""
    return {ws["WorkspaceId"]: ws["State"] for ws in control.workspaces()}


def test_each_region_sees_only_its_own_fleet(
    simulator: SimulatorServer, make_client: ClientFactory
) -> None:
    """Descriptions, tags, connection status and actions are the region's own."""
    paris, boston = load_two_regions(simulator.control)
    europe, america = make_client(region="eu-west-1"), make_client(region="us-east-1")
    assert listed(europe) == paris
    assert listed(america) == boston
    assert europe.describe_tags(ResourceId=paris[0])["TagList"] == [
        {"Key": "Team", "Value": "paris"}
    ]
    assert america.describe_tags(ResourceId=boston[0])["TagList"] == [
        {"Key": "Team", "Value": "boston"}
    ]
    statuses = europe.describe_workspaces_connection_status()["WorkspacesConnectionStatus"]
    assert [(s["WorkspaceId"], s["ConnectionState"]) for s in statuses] == [
        (paris[0], "CONNECTED"),
        (paris[1], "DISCONNECTED"),
    ]
    statuses = america.describe_workspaces_connection_status()["WorkspacesConnectionStatus"]
    assert [s["WorkspaceId"] for s in statuses] == boston
    started = europe.start_workspaces(StartWorkspaceRequests=[{"WorkspaceId": paris[1]}])
    assert started["FailedRequests"] == []
    rebooted = america.reboot_workspaces(RebootWorkspaceRequests=[{"WorkspaceId": boston[0]}])
    assert rebooted["FailedRequests"] == []
    states = true_states(simulator.control)
    assert (states[paris[1]], states[boston[0]]) == ("STARTING", "REBOOTING")
    assert {states[ws] for ws in (paris[0], *boston[1:])} == {"AVAILABLE"}


def _answer(call: Callable[[], Any]) -> Any:
    """What a call answers: its result without metadata, or its error code and message."""
    try:
        result = call()
    except ClientError as exc:
        return ("error", error_code(exc), exc.response["Error"]["Message"])
    result.pop("ResponseMetadata", None)
    return result


#: Calls naming one WorkSpace id, each answering its own way for an id the region lacks.
CALLS_NAMING: dict[str, Callable[[Any, str], Any]] = {
    "DescribeWorkspaces": lambda c, ws: c.describe_workspaces(WorkspaceIds=[ws]),
    "DescribeTags": lambda c, ws: c.describe_tags(ResourceId=ws),
    "CreateTags": lambda c, ws: c.create_tags(ResourceId=ws, Tags=[{"Key": "k", "Value": "v"}]),
    "DescribeWorkspaceSnapshots": lambda c, ws: c.describe_workspace_snapshots(WorkspaceId=ws),
    "DescribeWorkspacesConnectionStatus": lambda c, ws: c.describe_workspaces_connection_status(
        WorkspaceIds=[ws]
    ),
    "RebootWorkspaces": lambda c, ws: c.reboot_workspaces(
        RebootWorkspaceRequests=[{"WorkspaceId": ws}]
    ),
    "RebuildWorkspaces": lambda c, ws: c.rebuild_workspaces(
        RebuildWorkspaceRequests=[{"WorkspaceId": ws}]
    ),
    "StopWorkspaces": lambda c, ws: c.stop_workspaces(StopWorkspaceRequests=[{"WorkspaceId": ws}]),
    "RestoreWorkspace": lambda c, ws: c.restore_workspace(WorkspaceId=ws),
    "TerminateWorkspaces": lambda c, ws: c.terminate_workspaces(
        TerminateWorkspaceRequests=[{"WorkspaceId": ws}]
    ),
}


@pytest.mark.parametrize("operation", sorted(CALLS_NAMING))
def test_another_regions_workspace_is_an_unknown_id(
    simulator: SimulatorServer, make_client: ClientFactory, operation: str
) -> None:
    """Named in a region that does not hold it, a WorkSpace id gets the answer of an id
    that exists nowhere, and the WorkSpace is left as it was."""
    paris, _boston = load_two_regions(simulator.control)
    america = make_client(region="us-east-1")
    call = CALLS_NAMING[operation]
    unknown = json.dumps(_answer(lambda: call(america, UNKNOWN_ID)))
    assert json.dumps(_answer(lambda: call(america, paris[0]))) == unknown.replace(
        UNKNOWN_ID, paris[0]
    )
    amelie = simulator.control.workspaces(region="eu-west-1")[0]
    assert (amelie["WorkspaceId"], amelie["State"], amelie["Tags"]) == (
        paris[0],
        "AVAILABLE",
        [{"Key": "Team", "Value": "paris"}],
    )


def test_workspace_ids_are_unique_across_regions(simulator: SimulatorServer) -> None:
    """The same directory and fleet in two regions get distinct ids; an explicit id that
    another region holds is refused, and nothing of that scenario is loaded."""
    fleet = {"name": "same.example.com", "fleets": [{"name": "staff", "count": 3}]}
    loaded = simulator.control.load_scenario(
        {"directories": [fleet, {**fleet, "region": "ap-southeast-2"}]}
    )
    ids = loaded["workspace_ids"]
    assert len(set(ids)) == 6
    assert list(loaded["regions"].values()) == ["us-east-1"] * 3 + ["ap-southeast-2"] * 3
    assert loaded["directory_ids"][0] == loaded["directory_ids"][1]
    taken = {
        "region": "eu-west-1",
        "directories": [
            {"workspaces": [{"user": "fresh"}, {"user": "copycat", "id": ids[4]}]},
        ],
    }
    with pytest.raises(SimulatorControlError, match=f"WorkSpace ids already exist: {ids[4]}"):
        simulator.control.load_scenario(taken)
    assert [ws["WorkspaceId"] for ws in simulator.control.workspaces()] == ids


def test_a_directory_is_regional(simulator: SimulatorServer, make_client: ClientFactory) -> None:
    """One directory id in two regions (two entries): each region has a directory of its
    own, tagged apart."""
    entry = {"id": "d-1234567890", "name": "corp.example.com", "workspaces": [{"user": "u1"}]}
    simulator.control.load_scenario(
        {"directories": [entry, {**entry, "region": "eu-west-1", "alias": "europe"}]}
    )
    europe, america = make_client(region="eu-west-1"), make_client(region="us-east-1")
    for client, alias in ((america, "corp"), (europe, "europe")):
        (directory,) = client.describe_workspace_directories()["Directories"]
        assert (directory["DirectoryId"], directory["Alias"]) == ("d-1234567890", alias)
    europe.create_tags(ResourceId="d-1234567890", Tags=[{"Key": "Site", "Value": "paris"}])
    assert america.describe_tags(ResourceId="d-1234567890")["TagList"] == []
    assert europe.describe_tags(ResourceId="d-1234567890")["TagList"] == [
        {"Key": "Site", "Value": "paris"}
    ]


def test_the_control_api_lists_and_filters_regions(simulator: SimulatorServer) -> None:
    """Every WorkSpace carries its Region; regions come in the order first seeded, each in
    creation order; ?region= keeps one region."""
    paris, boston = load_two_regions(simulator.control)
    later = simulator.control.load_scenario(
        {"directories": [{"name": "boston.example.com", "workspaces": [{"user": "late"}]}]}
    )["workspace_ids"]
    view = simulator.control.workspaces()
    assert [(ws["WorkspaceId"], ws["Region"]) for ws in view] == [
        *((ws, "eu-west-1") for ws in paris),
        *((ws, "us-east-1") for ws in boston + later),
    ]
    assert [ws["WorkspaceId"] for ws in simulator.control.workspaces("us-east-1")] == (
        boston + later
    )
    assert simulator.control.workspaces(region="sa-east-1") == []
    assert simulator.control.workspace(paris[1])["Region"] == "eu-west-1"
    with pytest.raises(SimulatorControlError, match="is not an AWS region name") as caught:
        simulator.control.workspaces(region="Europe")
    assert caught.value.status == 400


def test_control_and_schedule_find_the_workspaces_region(
    simulator: SimulatorServer, make_client: ClientFactory
) -> None:
    """set_state, set_connection_state and scheduled changes act in the region holding the
    WorkSpace, whichever region's calls trigger them; timing is every region's."""
    paris, boston = load_two_regions(simulator.control)
    europe, america = make_client(region="eu-west-1"), make_client(region="us-east-1")
    simulator.control.set_state(paris[0], "ERROR")
    assert simulator.control.set_connection_state(paris[1], "CONNECTED")["ConnectionState"] == (
        "CONNECTED"
    )
    assert [ws["State"] for ws in europe.describe_workspaces()["Workspaces"]] == [
        "ERROR",
        "STOPPED",
    ]
    simulator.control.set_schedule(
        [
            {
                "workspace_id": paris[0],
                "state": "UNHEALTHY",
                "after_calls": {"operation": "DescribeWorkspaces", "count": 1},
            }
        ]
    )
    america.describe_workspaces()
    assert true_states(simulator.control)[paris[0]] == "UNHEALTHY"
    simulator.control.set_timing(durations={"reboot": 0})
    for client, workspace_id in ((europe, paris[0]), (america, boston[0])):
        client.reboot_workspaces(RebootWorkspaceRequests=[{"WorkspaceId": workspace_id}])
    states = true_states(simulator.control)
    assert (states[paris[0]], states[boston[0]]) == ("AVAILABLE", "AVAILABLE")
    assert simulator.control.calls()["started"]["RebootWorkspaces"] == 2


def test_calls_are_counted_by_region(
    simulator: SimulatorServer, make_client: ClientFactory
) -> None:
    """by_region counts received and accepted calls per region; the other sections sum
    every region's; a region that got no call is absent."""
    paris, boston = load_two_regions(simulator.control)
    europe, america = make_client(region="eu-west-1"), make_client(region="us-east-1")
    simulator.control.set_faults({"DescribeTags": {"throttle": {"rate": 0, "burst": 1}}})
    america.describe_workspaces()
    america.describe_tags(ResourceId=boston[0])
    europe.describe_workspaces()
    europe.describe_workspaces(WorkspaceIds=paris)
    with pytest.raises(ClientError):
        europe.describe_tags(ResourceId=paris[0])
    calls = simulator.control.calls()
    assert calls["by_region"] == {
        "us-east-1": {
            "by_operation": {"DescribeWorkspaces": 1, "DescribeTags": 1},
            "accepted": {"DescribeWorkspaces": 1, "DescribeTags": 1},
        },
        "eu-west-1": {
            "by_operation": {"DescribeWorkspaces": 2, "DescribeTags": 1},
            "accepted": {"DescribeWorkspaces": 2, "DescribeTags": 0},
        },
    }
    assert calls["by_operation"] == {"DescribeWorkspaces": 3, "DescribeTags": 2}
    assert calls["accepted"] == {"DescribeWorkspaces": 3, "DescribeTags": 1}
    assert calls["by_workspace"]["DescribeTags"] == {boston[0]: 1, paris[0]: 1}
    simulator.control.reset_calls()
    assert simulator.control.calls()["by_region"] == {}


def _raw_call(endpoint_url: str, headers: dict[str, str]) -> list[str]:
    """DescribeWorkspaces sent by hand with ``headers``; returns the ids it lists."""
    request = urllib.request.Request(
        endpoint_url,
        data=b"{}",
        method="POST",
        headers={
            "X-Amz-Target": "WorkspacesService.DescribeWorkspaces",
            "Content-Type": "application/x-amz-json-1.1",
            **headers,
        },
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=10) as response:
        return [ws["WorkspaceId"] for ws in json.loads(response.read())["Workspaces"]]


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "AWS4-HMAC-SHA256 garbage",
        "AWS4-HMAC-SHA256 Credential=testing/20240101/nowhere/workspaces/aws4_request, "
        "SignedHeaders=host, Signature=0",
        "AWS testing:signature",
    ],
    ids=["none", "no-scope", "not-a-region", "sigv2"],
)
def test_a_request_naming_no_region_is_for_the_default_one(
    simulator: SimulatorServer, authorization: str | None
) -> None:
    """Without a credential scope that names a region, a request goes to the default region."""
    paris, boston = load_two_regions(simulator.control)
    headers = {} if authorization is None else {"Authorization": authorization}
    assert _raw_call(simulator.endpoint_url, headers) == boston
    scoped = "AWS4-HMAC-SHA256 Credential=testing/20240101/eu-west-1/workspaces/aws4_request"
    assert _raw_call(simulator.endpoint_url, {"Authorization": scoped}) == paris
    assert list(simulator.control.calls()["by_region"]) == ["us-east-1", "eu-west-1"]


def test_reset_forgets_every_region(simulator: SimulatorServer, make_client: ClientFactory) -> None:
    """After a reset no region holds anything, and a scenario naming no region seeds the
    default one again."""
    load_two_regions(simulator.control)
    make_client(region="eu-west-1").describe_workspaces()
    simulator.control.reset()
    assert simulator.control.workspaces() == []
    assert simulator.control.calls()["by_region"] == {}
    for region in ("eu-west-1", "us-east-1"):
        assert make_client(region=region).describe_workspaces()["Workspaces"] == []
    loaded = simulator.control.load_scenario({"directories": [{"workspaces": [{"user": "u"}]}]})
    assert list(loaded["regions"].values()) == ["us-east-1"]
    assert make_client(region="eu-west-1").describe_workspaces()["Workspaces"] == []


ONE_WORKSPACE = [{"workspaces": [{"user": "u"}]}]


@pytest.mark.parametrize(
    ("scenario", "message"),
    [
        ({"region": "Europe"}, r"^region 'Europe' is not an AWS region name"),
        ({"region": 1}, r"^region 1 is not an AWS region name"),
        ({"region": "us-east-1\n"}, r"^region 'us-east-1\\n' is not an AWS region name"),
        (
            {"directories": [*ONE_WORKSPACE, {"region": "eu_west_1"}]},
            r"^directories\[1\]\.region 'eu_west_1' is not an AWS region name",
        ),
    ],
    ids=["capitals", "number", "newline", "directory"],
)
def test_a_malformed_region_is_refused(
    simulator: SimulatorServer, scenario: dict[str, Any], message: str
) -> None:
    """A scenario naming something that is no region name loads nothing."""
    scenario = {"directories": ONE_WORKSPACE, **scenario}
    with pytest.raises(ScenarioError, match=message):
        parse_scenario(scenario, 0.0)
    with pytest.raises(SimulatorControlError) as caught:
        simulator.control.load_scenario(scenario)
    assert caught.value.status == 400
    assert simulator.control.workspaces() == []


def test_the_default_region_is_chosen_in_process() -> None:
    """Simulator(region=) and SimulatorServer(region=) set the default region, checked."""
    with SimulatorServer(region="ap-southeast-2") as server:
        loaded = server.control.load_scenario({"directories": [{"workspaces": [{"user": "u"}]}]})
        assert list(loaded["regions"].values()) == ["ap-southeast-2"]
        assert server.control.workspaces()[0]["Region"] == "ap-southeast-2"
    assert Simulator().default_region == "us-east-1"
    with pytest.raises(ScenarioError, match="the default region 'mars' is not an AWS region"):
        Simulator(region="mars")
    with pytest.raises(ValueError, match="give the default region to the Simulator"):
        SimulatorServer(simulator=Simulator(), region="eu-west-1")


def test_the_command_line_takes_a_default_region() -> None:
    """--region eu-west-1 serves the demo scenario to eu-west-1; a malformed name is a
    usage error."""
    process = start_cli("--port", "0", "--region", "eu-west-1", "--scenario", "demo")
    try:
        assert process.stdout is not None
        match = LISTENING.search(process.stdout.readline())
        assert match, "the simulator did not say where it listens"
        url = match.group(1)
        assert {ws["Region"] for ws in SimulatorControl(url).workspaces()} == {"eu-west-1"}
        for region, count in (("eu-west-1", 12), ("us-east-1", 0)):
            request = {"Authorization": f"AWS4-HMAC-SHA256 Credential=testing/20240101/{region}/x"}
            assert len(_raw_call(url, request)) == count
    finally:
        process.terminate()
        process.communicate(timeout=30)
    process = start_cli("--port", "0", "--region", "EU-WEST-1")
    stderr = process.communicate(timeout=30)[1]
    assert process.returncode == 2
    assert "--region 'EU-WEST-1' is not an AWS region name" in stderr


def test_a_conftest_chooses_the_fixtures_default_region(tmp_path: Path) -> None:
    """Overriding the plugin's simulator_region fixture changes the session server's
    default region."""
    (tmp_path / "conftest.py").write_text(
        textwrap.dedent(
            """
            import pytest

            @pytest.fixture(scope="session")
            def simulator_region():
                return "eu-central-1"
            """
        )
    )
    (tmp_path / "test_region.py").write_text(
        textwrap.dedent(
            """
            def test_default(simulator):
                loaded = simulator.control.load_scenario(
                    {"directories": [{"workspaces": [{"user": "u"}]}]}
                )
                assert list(loaded["regions"].values()) == ["eu-central-1"]
            """
        )
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_DISABLE_PLUGIN_AUTOLOAD"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout

"""Request limits from the botocore model, enforced by the server."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from botocore.exceptions import ClientError

from workspaces_simulator.server import SimulatorServer

from .conftest import ClientFactory, Seeder
from .helpers import error_code, http_status


def requests_for(count: int) -> list[dict[str, str]]:
    """``count`` well-formed (unknown) WorkSpace requests."""
    return [{"WorkspaceId": f"ws-{index:09d}"} for index in range(count)]


def ids_for(count: int) -> list[str]:
    """``count`` well-formed WorkSpace ids."""
    return [f"ws-{index:09d}" for index in range(count)]


# (operation method, parameters) the model forbids; all must give HTTP 400 ValidationException.
INVALID = [
    ("rebuild_workspaces", {"RebuildWorkspaceRequests": []}),
    ("rebuild_workspaces", {"RebuildWorkspaceRequests": requests_for(2)}),
    ("reboot_workspaces", {"RebootWorkspaceRequests": []}),
    ("reboot_workspaces", {"RebootWorkspaceRequests": requests_for(26)}),
    ("start_workspaces", {"StartWorkspaceRequests": []}),
    ("start_workspaces", {"StartWorkspaceRequests": requests_for(26)}),
    ("stop_workspaces", {"StopWorkspaceRequests": []}),
    ("stop_workspaces", {"StopWorkspaceRequests": requests_for(26)}),
    ("describe_workspaces", {"WorkspaceIds": ids_for(26)}),
    ("describe_workspaces", {"WorkspaceIds": []}),
    ("describe_workspaces", {"Limit": 0}),
    ("describe_workspaces", {"Limit": 26}),
    ("describe_workspaces_connection_status", {"WorkspaceIds": ids_for(26)}),
    ("rebuild_workspaces", {"RebuildWorkspaceRequests": [{"WorkspaceId": "ws-bad"}]}),
    ("rebuild_workspaces", {}),
    ("restore_workspace", {}),
]

# The largest requests the model allows; none may be refused by validation.
VALID_EDGES = [
    ("rebuild_workspaces", {"RebuildWorkspaceRequests": requests_for(1)}),
    ("reboot_workspaces", {"RebootWorkspaceRequests": requests_for(25)}),
    ("start_workspaces", {"StartWorkspaceRequests": requests_for(25)}),
    ("stop_workspaces", {"StopWorkspaceRequests": requests_for(25)}),
    ("describe_workspaces", {"WorkspaceIds": ids_for(25), "Limit": 25}),
    ("describe_workspaces", {"Limit": 1}),
    ("describe_workspaces_connection_status", {"WorkspaceIds": ids_for(25)}),
]


@pytest.mark.parametrize(("method", "params"), INVALID)
def test_limits_are_enforced(
    simulator: SimulatorServer, make_client: ClientFactory, method: str, params: dict[str, Any]
) -> None:
    """Requests outside the model's limits get HTTP 400 ValidationException and change nothing."""
    client = make_client(validate=False)
    with pytest.raises(ClientError) as caught:
        getattr(client, method)(**params)
    assert error_code(caught.value) == "ValidationException"
    assert http_status(caught.value) == 400
    assert "validation error" in caught.value.response["Error"]["Message"]
    assert simulator.control.workspaces() == []


@pytest.mark.parametrize(("method", "params"), VALID_EDGES)
def test_limits_allow_the_edges(
    make_client: ClientFactory, method: str, params: dict[str, Any]
) -> None:
    """Requests right at the limits are served."""
    getattr(make_client(validate=False), method)(**params)


def test_validation_message_names_the_member(make_client: ClientFactory) -> None:
    """The message follows the service's "N validation errors detected" format."""
    client = make_client(validate=False)
    with pytest.raises(ClientError) as caught:
        client.describe_workspaces(WorkspaceIds=ids_for(26), Limit=30)
    message = caught.value.response["Error"]["Message"]
    assert message.startswith("2 validation errors detected: ")
    too_many_ids = "Member must have length less than or equal to 25"
    assert f"at 'workspaceIds' failed to satisfy constraint: {too_many_ids}" in message
    assert (
        "at 'limit' failed to satisfy constraint: Member must have value less than or equal to 25"
        in message
    )


@pytest.mark.parametrize(
    "params",
    [
        {"WorkspaceIds": ["ws-000000001"], "DirectoryId": "d-1234567890"},
        {"WorkspaceIds": ["ws-000000001"], "BundleId": "wsb-12345678"},
        {"DirectoryId": "d-1234567890", "BundleId": "wsb-12345678"},
        {"UserName": "alice"},
    ],
)
def test_describe_filter_rules(client: Any, params: dict[str, Any]) -> None:
    """WorkspaceIds, DirectoryId and BundleId exclude each other; UserName needs DirectoryId."""
    with pytest.raises(ClientError) as caught:
        client.describe_workspaces(**params)
    assert error_code(caught.value) == "InvalidParameterValuesException"
    assert http_status(caught.value) == 400


def test_describe_filters(client: Any, seed: Seeder, simulator: SimulatorServer) -> None:
    """Each filter alone selects the matching WorkSpaces."""
    first, second = seed("AVAILABLE", "STOPPED")
    directory = simulator.control.workspace(first)["DirectoryId"]
    by_ids = client.describe_workspaces(WorkspaceIds=[second, "ws-000000001"])["Workspaces"]
    assert [w["WorkspaceId"] for w in by_ids] == [second]
    by_user = client.describe_workspaces(DirectoryId=directory, UserName="user000")["Workspaces"]
    assert [w["WorkspaceId"] for w in by_user] == [first]
    by_bundle = client.describe_workspaces(BundleId="wsb-bh8rsxt14")["Workspaces"]
    assert [w["WorkspaceId"] for w in by_bundle] == [first, second]


def test_default_limit_is_25(client: Any, simulator: SimulatorServer) -> None:
    """Without Limit a page holds at most 25 WorkSpaces."""
    simulator.control.load_scenario(
        {"directories": [{"name": "limit.example.com", "fleets": [{"name": "f", "count": 30}]}]}
    )
    response = client.describe_workspaces()
    assert len(response["Workspaces"]) == 25
    assert "NextToken" in response


def test_unknown_operation_and_protocol(simulator: SimulatorServer) -> None:
    """Anything but AWS JSON 1.1 for WorkSpaces is refused with UnknownOperationException."""
    request = urllib.request.Request(
        simulator.endpoint_url + "/",
        data=b"{}",
        method="POST",
        headers={"X-Amz-Target": "WorkspacesService.FlyToTheMoon"},
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with pytest.raises(urllib.error.HTTPError) as caught:
        opener.open(request, timeout=5)
    assert caught.value.code == 400
    assert json.loads(caught.value.read())["__type"] == "UnknownOperationException"

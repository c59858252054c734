"""Pagination of DescribeWorkspaces and DescribeWorkspacesConnectionStatus, large fleets."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from workspaces_simulator.scenario import load_builtin_scenario
from workspaces_simulator.server import SimulatorServer

from .helpers import error_code


def fleet(count: int, name: str = "pages", directory: str = "pages.example.com") -> dict[str, Any]:
    """A scenario with one fleet of ``count`` AVAILABLE WorkSpaces."""
    return {"directories": [{"name": directory, "fleets": [{"name": name, "count": count}]}]}


def paginate(client: Any, operation: str, key: str, **kwargs: Any) -> list[list[dict[str, Any]]]:
    """Every page of ``key`` items, through botocore's paginator."""
    pages = client.get_paginator(operation).paginate(**kwargs)
    return [page[key] for page in pages]


@pytest.mark.parametrize("page_size", [1, 7, 25])
def test_describe_paginator_serves_each_workspace_once(
    simulator: SimulatorServer, client: Any, page_size: int
) -> None:
    """Over 160 WorkSpaces the paginator sees every id exactly once, in creation order."""
    expected = simulator.control.load_scenario(fleet(160))["workspace_ids"]
    pages = paginate(
        client, "describe_workspaces", "Workspaces", PaginationConfig={"PageSize": page_size}
    )
    assert all(1 <= len(page) <= page_size for page in pages)
    assert len(pages) == -(-160 // page_size)
    assert [w["WorkspaceId"] for page in pages for w in page] == expected


def test_pagination_is_stable_when_workspaces_change(
    simulator: SimulatorServer, client: Any
) -> None:
    """Terminating served WorkSpaces or adding new ones between pages loses nothing."""
    first_ids = simulator.control.load_scenario(fleet(50))["workspace_ids"]
    page = client.describe_workspaces(Limit=20)
    client.terminate_workspaces(
        TerminateWorkspaceRequests=[{"WorkspaceId": ws} for ws in first_ids[:5]]
    )
    added = simulator.control.load_scenario(fleet(3, name="late"))["workspace_ids"]
    rest: list[str] = []
    token = page["NextToken"]
    while token:
        response = client.describe_workspaces(Limit=20, NextToken=token)
        rest.extend(w["WorkspaceId"] for w in response["Workspaces"])
        token = response.get("NextToken")
    assert rest == first_ids[20:] + added


def test_pagination_with_a_filter(simulator: SimulatorServer, client: Any) -> None:
    """Paging works within a DirectoryId filter."""
    simulator.control.load_scenario(fleet(30, directory="other.example.com"))
    loaded = simulator.control.load_scenario(fleet(40, name="mine"))
    directory = loaded["directory_ids"][0]
    pages = paginate(
        client,
        "describe_workspaces",
        "Workspaces",
        DirectoryId=directory,
        PaginationConfig={"PageSize": 15},
    )
    assert [len(p) for p in pages] == [15, 15, 10]
    assert [w["WorkspaceId"] for p in pages for w in p] == loaded["workspace_ids"]


def test_invalid_next_token(client: Any) -> None:
    """A token the simulator did not issue is refused."""
    with pytest.raises(ClientError) as caught:
        client.describe_workspaces(NextToken="not-a-token")
    assert error_code(caught.value) == "InvalidParameterValuesException"


def test_connection_status_pages(simulator: SimulatorServer, client: Any) -> None:
    """DescribeWorkspacesConnectionStatus pages 25 at a time over every WorkSpace."""
    expected = simulator.control.load_scenario(fleet(60))["workspace_ids"]
    pages = paginate(client, "describe_workspaces_connection_status", "WorkspacesConnectionStatus")
    assert [len(p) for p in pages] == [25, 25, 10]
    assert [s["WorkspaceId"] for p in pages for s in p] == expected
    assert {s["ConnectionState"] for p in pages for s in p} == {"DISCONNECTED"}


def test_fleet_500_scenario_serves_every_page(simulator: SimulatorServer, client: Any) -> None:
    """The 500-WorkSpace scenario pages correctly, with the states the control API reports."""
    loaded = simulator.control.load_scenario(load_builtin_scenario("fleet-500"))
    expected = loaded["workspace_ids"]
    assert len(expected) == len(set(expected)) == 500
    pages = paginate(client, "describe_workspaces", "Workspaces", PaginationConfig={"PageSize": 25})
    assert len(pages) == 20
    assert all(len(page) == 25 for page in pages)
    served = [w for page in pages for w in page]
    assert [w["WorkspaceId"] for w in served] == expected
    truth = {w["WorkspaceId"]: w["State"] for w in simulator.control.workspaces()}
    assert {w["WorkspaceId"]: w["State"] for w in served} == truth
    statuses = paginate(
        client, "describe_workspaces_connection_status", "WorkspacesConnectionStatus"
    )
    assert len(statuses) == 20
    assert [s["WorkspaceId"] for p in statuses for s in p] == expected

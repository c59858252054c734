# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The fake client refuses what the service refuses, so passing tests mean valid requests."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from botocore.exceptions import ParamValidationError

from .helpers.fake_workspaces import DIRECTORY
from .helpers.fake_workspaces import FakeWorkspacesClient
from .helpers.fake_workspaces import when
from .helpers.fake_workspaces import workspace
from .helpers.fake_workspaces import ws_id


def _code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return error.value.response["Error"]["Code"]


def test_more_than_25_ids_are_refused_by_the_service() -> None:
    """DescribeWorkspaces takes at most 25 WorkspaceIds; botocore itself does not check maxima."""
    fake = FakeWorkspacesClient()
    with pytest.raises(ClientError) as error:
        fake.describe_workspaces(WorkspaceIds=[ws_id(n) for n in range(26)])
    assert _code(error) == "ValidationException"
    assert "less than or equal to 25" in str(error.value)


def test_two_server_side_filters_are_refused() -> None:
    """Like the service, DescribeWorkspaces refuses two server-side filters at once."""
    fake = FakeWorkspacesClient()
    with pytest.raises(ClientError) as error:
        fake.describe_workspaces(WorkspaceIds=[ws_id(1)], DirectoryId=DIRECTORY)
    assert _code(error) == "InvalidParameterValuesException"


def test_user_name_without_directory_is_refused() -> None:
    """Like the service, UserName without DirectoryId is refused."""
    fake = FakeWorkspacesClient()
    with pytest.raises(ClientError) as error:
        fake.describe_workspaces(UserName="alice")
    assert _code(error) == "InvalidParameterValuesException"


@pytest.mark.parametrize(("user_name", "found"), [("alice", [ws_id(1)]), ("ALICE", []), ("Alice", []), ("alic", [])])
def test_the_user_name_filter_is_exact(user_name: str, found: list[str]) -> None:
    """Like moto, UserName selects only the user spelled exactly so, case included."""
    fake = FakeWorkspacesClient([workspace(ws_id(1), user_name="alice")])
    response = fake.describe_workspaces(DirectoryId=DIRECTORY, UserName=user_name)
    assert [ws["WorkspaceId"] for ws in response["Workspaces"]] == found


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        ("rebuild_workspaces", {"RebuildWorkspaceRequests": []}),
        ("describe_workspaces", {"WorkspaceIds": []}),
        ("describe_workspaces", {"DirectoryId": DIRECTORY, "UserName": ""}),
        ("describe_tags", {}),
    ],
)
def test_requests_are_checked_like_a_boto3_client_checks_them(operation: str, params: dict) -> None:
    """Minimum lengths and required members fail in the client, before any request is sent."""
    fake = FakeWorkspacesClient()
    with pytest.raises(ParamValidationError):
        getattr(fake, operation)(**params)


def test_two_rebuild_requests_in_one_call_are_refused() -> None:
    """RebuildWorkspaces takes exactly one request per call."""
    fake = FakeWorkspacesClient([workspace(ws_id(1)), workspace(ws_id(2))])
    with pytest.raises(ClientError) as error:
        fake.rebuild_workspaces(RebuildWorkspaceRequests=[{"WorkspaceId": ws_id(1)}, {"WorkspaceId": ws_id(2)}])
    assert _code(error) == "ValidationException"
    assert fake.accepted == []


def test_describe_pages_with_limit_and_next_token() -> None:
    """Limit and NextToken page through the WorkSpaces in listing order, with botocore's paginator too."""
    fake = FakeWorkspacesClient([workspace(ws_id(n)) for n in range(7)], page_size=3)
    first = fake.describe_workspaces()
    second = fake.describe_workspaces(NextToken=first["NextToken"], Limit=2)
    assert [ws["WorkspaceId"] for ws in first["Workspaces"]] == [ws_id(0), ws_id(1), ws_id(2)]
    assert [ws["WorkspaceId"] for ws in second["Workspaces"]] == [ws_id(3), ws_id(4)]
    paginated = fake.get_paginator("describe_workspaces").paginate().build_full_result()
    assert len(paginated["Workspaces"]) == 7


def test_scripted_reads_are_consumed_one_per_read_and_the_last_sticks() -> None:
    """Scripted states are reported one per read; the last one (here: gone) sticks."""
    fake = FakeWorkspacesClient([workspace(ws_id(1), "AVAILABLE")])
    fake.script(ws_id(1), "REBUILDING", None)
    assert fake.describe_workspaces()["Workspaces"][0]["State"] == "REBUILDING"
    assert fake.describe_workspaces()["Workspaces"] == []
    assert fake.describe_workspaces()["Workspaces"] == []


def test_a_rebuild_in_a_refused_state_is_answered_in_failed_requests() -> None:
    """A rebuild in a state AWS refuses comes back in FailedRequests, not as an exception."""
    fake = FakeWorkspacesClient([workspace(ws_id(1), "SUSPENDED")])
    response = fake.rebuild_workspaces(RebuildWorkspaceRequests=[{"WorkspaceId": ws_id(1)}])
    assert response["FailedRequests"][0]["ErrorCode"] == "InvalidResourceState"
    assert fake.accepted == []


def test_an_answer_lost_after_acceptance_leaves_the_rebuild_started() -> None:
    """An error scripted after acceptance is raised once the rebuild has begun; a retry is then refused."""
    fake = FakeWorkspacesClient([workspace(ws_id(1), "AVAILABLE")])
    lost = ClientError({"Error": {"Code": "InternalServerError", "Message": "oops"}}, "RebuildWorkspaces")
    fake.errors_after_accepting[ws_id(1)] = [lost]
    with pytest.raises(ClientError) as error:
        fake.rebuild_workspaces(RebuildWorkspaceRequests=[{"WorkspaceId": ws_id(1)}])
    assert error.value is lost
    assert fake.accepted == [ws_id(1)]
    response = fake.rebuild_workspaces(RebuildWorkspaceRequests=[{"WorkspaceId": ws_id(1)}])
    assert response["FailedRequests"] == [
        {"WorkspaceId": ws_id(1), "ErrorCode": "InvalidResourceState", "ErrorMessage": "The specified WorkSpace has an invalid state for this operation."}
    ]
    assert fake.describe_workspaces()["Workspaces"][0]["State"] == "REBUILDING"


def test_create_and_delete_tags_change_what_describe_tags_reports() -> None:
    """CreateTags adds or overwrites, DeleteTags removes by key; both are recorded like any call."""
    fake = FakeWorkspacesClient([workspace(ws_id(1))])
    fake.tags[ws_id(1)] = {"team": "red"}
    fake.create_tags(ResourceId=ws_id(1), Tags=[{"Key": "marker", "Value": "INC1"}, {"Key": "team", "Value": "blue"}])
    assert fake.describe_tags(ResourceId=ws_id(1))["TagList"] == [{"Key": "team", "Value": "blue"}, {"Key": "marker", "Value": "INC1"}]
    fake.delete_tags(ResourceId=ws_id(1), TagKeys=["marker", "absent"])
    assert fake.tags[ws_id(1)] == {"team": "blue"}
    assert fake.operations == ["CreateTags", "DescribeTags", "DeleteTags"]
    assert fake.calls_about(ws_id(1)) == fake.operations


@pytest.mark.parametrize("operation", ["create_tags", "delete_tags"])
def test_tagging_a_workspace_that_is_gone_is_refused(operation: str) -> None:
    fake = FakeWorkspacesClient()
    params = {"ResourceId": ws_id(1), "Tags": [{"Key": "k", "Value": "v"}]} if operation == "create_tags" else {"ResourceId": ws_id(1), "TagKeys": ["k"]}
    with pytest.raises(ClientError) as error:
        getattr(fake, operation)(**params)
    assert _code(error) == "ResourceNotFoundException"


def test_connection_states_are_settable() -> None:
    """UNKNOWN unless set; None: AWS returns no entry at all."""
    fake = FakeWorkspacesClient([workspace(ws_id(n)) for n in range(3)])
    fake.set_connection_state(ws_id(1), "CONNECTED")
    fake.set_connection_state(ws_id(2), None)
    statuses = fake.describe_workspaces_connection_status(WorkspaceIds=[ws_id(0), ws_id(1), ws_id(2)])["WorkspacesConnectionStatus"]
    assert statuses == [{"WorkspaceId": ws_id(0), "ConnectionState": "UNKNOWN"}, {"WorkspaceId": ws_id(1), "ConnectionState": "CONNECTED"}]


def test_error_details_are_reported_while_the_workspace_reads_error_or_unhealthy() -> None:
    fake = FakeWorkspacesClient([workspace(ws_id(1), "AVAILABLE")])
    fake.error_details[ws_id(1)] = ("ResourceLimitExceeded", "No capacity.")
    fake.script(ws_id(1), "AVAILABLE", "ERROR", "UNHEALTHY")
    reads = [fake.describe_workspaces()["Workspaces"][0] for _read in range(3)]
    assert [(r["State"], r.get("ErrorCode"), r.get("ErrorMessage")) for r in reads] == [
        ("AVAILABLE", None, None),
        ("ERROR", "ResourceLimitExceeded", "No capacity."),
        ("UNHEALTHY", "ResourceLimitExceeded", "No capacity."),
    ]


def test_hooks_run_once_per_call_before_the_answer() -> None:
    """A hook runs right before its call is answered (the call already recorded), one per call, None skips one."""
    fake = FakeWorkspacesClient([workspace(ws_id(1), "AVAILABLE")])
    seen: list[int] = []
    fake.hooks["DescribeWorkspaces"] = [None, lambda fake: (seen.append(len(fake.calls)), fake.script(ws_id(1), "ERROR"))]
    states = [fake.describe_workspaces()["Workspaces"][0]["State"] for _read in range(3)]
    assert (states, seen) == (["AVAILABLE", "ERROR", "ERROR"], [2])


def test_snapshots_are_listed_in_the_order_added() -> None:
    fake = FakeWorkspacesClient([workspace(ws_id(1))])
    fake.add_snapshot(ws_id(1), when(3), when(1))
    fake.add_snapshot(ws_id(1), when(2), kind="RestoreSnapshots")
    assert fake.describe_workspace_snapshots(WorkspaceId=ws_id(1)) == {
        "RebuildSnapshots": [{"SnapshotTime": when(3)}, {"SnapshotTime": when(1)}],
        "RestoreSnapshots": [{"SnapshotTime": when(2)}],
    }

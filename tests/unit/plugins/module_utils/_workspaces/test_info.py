# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""workspace_info's engine: the WorkSpaces returned, their shape, and the calls each detail costs."""

from __future__ import annotations

import typing as t

import pytest

from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.api import WorkspacesApi
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.common import InvalidOptionError
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.common import WorkspacesError
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.info import InfoOptions
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.info import InfoResult
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.info import describe_selected

from ....helpers.fake_workspaces import DIRECTORY
from ....helpers.fake_workspaces import FakeWorkspacesClient
from ....helpers.fake_workspaces import access_denied
from ....helpers.fake_workspaces import when
from ....helpers.fake_workspaces import workspace
from ....helpers.fake_workspaces import ws_id

ALICE = "ws-alice0001"
BOB = "ws-bob00001"
CAROL = "ws-carol0001"


@pytest.fixture
def fake() -> FakeWorkspacesClient:
    client = FakeWorkspacesClient(
        [
            workspace(CAROL, "UNHEALTHY", user_name="carol"),
            workspace(BOB, "ERROR", user_name="bob"),
            workspace(ALICE, "AVAILABLE", user_name="alice", computer_name="WSAMZN-ALICE1"),
        ]
    )
    client.tags = {
        ALICE: {"team": "finance", "CostCenter": "42", "aws:cloudformation:stack-name": "desktops"},
        BOB: {"team": "finance"},
    }
    client.snapshots = {ALICE: {"RebuildSnapshots": [{"SnapshotTime": when(2)}], "RestoreSnapshots": [{"SnapshotTime": when(3)}]}}
    client.connection_status = {
        ALICE: {
            "WorkspaceId": ALICE,
            "ConnectionState": "CONNECTED",
            "ConnectionStateCheckTimestamp": when(4),
            "LastKnownUserConnectionTimestamp": when(5),
        }
    }
    return client


def info_result(fake: FakeWorkspacesClient, **params: t.Any) -> InfoResult:
    values: dict[str, t.Any] = dict(include_tags=False, include_snapshots=False, include_connection_status=False, max_concurrency=1)
    values.update(params)
    return describe_selected(WorkspacesApi(fake), InfoOptions.from_params(values))


def info(fake: FakeWorkspacesClient, **params: t.Any) -> list[dict[str, t.Any]]:
    return info_result(fake, **params).workspaces


def ids(results: list[dict[str, t.Any]]) -> list[str]:
    return [result["workspace_id"] for result in results]


def test_workspaces_are_returned_snake_cased_and_sorted(fake: FakeWorkspacesClient) -> None:
    """With no option at all: every WorkSpace in the region, one DescribeWorkspaces call, nothing more."""
    results = info(fake)
    assert ids(results) == [ALICE, BOB, CAROL]
    assert results[0] == {
        "workspace_id": ALICE,
        "directory_id": DIRECTORY,
        "user_name": "alice",
        "ip_address": "10.0.0.12",
        "state": "AVAILABLE",
        "bundle_id": "wsb-0123456789",
        "subnet_id": "subnet-0123456789abcdef0",
        "computer_name": "WSAMZN-ALICE1",
        "workspace_properties": {
            "running_mode": "AUTO_STOP",
            "running_mode_auto_stop_timeout_in_minutes": 60,
            "root_volume_size_gib": 80,
            "user_volume_size_gib": 50,
            "compute_type_name": "STANDARD",
        },
        "modification_states": [],
    }
    assert fake.operations == ["DescribeWorkspaces"]


@pytest.mark.parametrize(
    ("states", "expected"),
    [
        (None, [ALICE, BOB, CAROL]),
        (["ERROR"], [BOB]),
        (["AVAILABLE", "UNHEALTHY"], [ALICE, CAROL]),
        (["SUSPENDED"], []),
    ],
)
def test_states_filter(fake: FakeWorkspacesClient, states: list[str] | None, expected: list[str]) -> None:
    """states keeps only the WorkSpaces currently in one of them; no states means all."""
    assert ids(info(fake, directory_id=DIRECTORY, states=states)) == expected


@pytest.mark.parametrize("max_concurrency", [1, 8])
def test_include_tags_adds_tags_with_their_keys_unchanged(fake: FakeWorkspacesClient, max_concurrency: int) -> None:
    """include_tags: one DescribeTags per WorkSpace, tag keys are the user's and are not snake_cased."""
    results = info(fake, include_tags=True, max_concurrency=max_concurrency)
    assert [result["tags"] for result in results] == [
        {"team": "finance", "CostCenter": "42", "aws:cloudformation:stack-name": "desktops"},
        {"team": "finance"},
        {},
    ]
    assert sorted(params["ResourceId"] for params in fake.calls_of("DescribeTags")) == [ALICE, BOB, CAROL]


def test_tags_are_read_only_for_workspaces_in_the_states_asked_for(fake: FakeWorkspacesClient) -> None:
    """The states filter applies before tags are read, so filtered-out WorkSpaces cost no call."""
    results = info(fake, states=["ERROR"], include_tags=True)
    assert [(result["workspace_id"], result["tags"]) for result in results] == [(BOB, {"team": "finance"})]
    assert fake.calls_of("DescribeTags") == [{"ResourceId": BOB}]


def test_the_tags_selector_reads_tags_only_for_workspaces_in_the_states_asked_for(fake: FakeWorkspacesClient) -> None:
    """The states filter applies before the tags selector too: ALICE, AVAILABLE, costs no DescribeTags call."""
    results = info(fake, tags={"team": "finance"}, states=["ERROR", "UNHEALTHY"])
    assert ids(results) == [BOB]
    assert sorted(params["ResourceId"] for params in fake.calls_of("DescribeTags")) == [BOB, CAROL]


def test_workspaces_named_in_other_states_are_left_out(fake: FakeWorkspacesClient) -> None:
    """A WorkSpace named by id in another state is simply not returned."""
    assert ids(info(fake, workspace_ids=[ALICE, BOB, CAROL], states=["ERROR"])) == [BOB]
    assert fake.calls_of("DescribeWorkspaces") == [{"WorkspaceIds": [ALICE, BOB, CAROL]}]


def test_tags_read_by_the_tags_selector_are_not_read_again(fake: FakeWorkspacesClient) -> None:
    """Tags read for the tags selector are reused: one DescribeTags per WorkSpace in all."""
    results = info(fake, tags={"team": "finance"}, include_tags=True)
    assert [(result["workspace_id"], result["tags"]["team"]) for result in results] == [(ALICE, "finance"), (BOB, "finance")]
    assert sorted(params["ResourceId"] for params in fake.calls_of("DescribeTags")) == [ALICE, BOB, CAROL]


def test_tags_are_returned_only_when_asked_for(fake: FakeWorkspacesClient) -> None:
    """The result's shape depends on the include_* options, not on the selectors."""
    results = info(fake, tags={"team": "finance"})
    assert ids(results) == [ALICE, BOB]
    assert all("tags" not in result for result in results)


@pytest.mark.parametrize("max_concurrency", [1, 8])
def test_include_snapshots_adds_both_lists_with_iso_timestamps(fake: FakeWorkspacesClient, max_concurrency: int) -> None:
    """include_snapshots: one call per WorkSpace; snapshot times become ISO 8601 strings."""
    results = info(fake, include_snapshots=True, max_concurrency=max_concurrency)
    assert [(result["rebuild_snapshots"], result["restore_snapshots"]) for result in results] == [
        ([{"snapshot_time": "2024-11-28T02:00:00+00:00"}], [{"snapshot_time": "2024-11-28T03:00:00+00:00"}]),
        ([], []),
        ([], []),
    ]
    assert sorted(params["WorkspaceId"] for params in fake.calls_of("DescribeWorkspaceSnapshots")) == [ALICE, BOB, CAROL]


def test_include_connection_status_merges_the_status_fields(fake: FakeWorkspacesClient) -> None:
    """include_connection_status merges the three fields, ISO timestamps, None where AWS has nothing."""
    fake.connection_status[CAROL] = None  # AWS returns no entry for it
    results = info(fake, include_connection_status=True)
    fields = ("connection_state", "connection_state_check_timestamp", "last_known_user_connection_timestamp")
    assert [tuple(result[field] for field in fields) for result in results] == [
        ("CONNECTED", "2024-11-28T04:00:00+00:00", "2024-11-28T05:00:00+00:00"),
        ("UNKNOWN", None, None),
        (None, None, None),
    ]
    assert fake.calls_of("DescribeWorkspacesConnectionStatus") == [{"WorkspaceIds": [ALICE, BOB, CAROL]}]


def test_connection_status_is_asked_25_ids_at_a_time_and_every_page_is_read() -> None:
    """30 WorkSpaces: batches of 25 and 5 ids, each batch read to its last page."""
    fake = FakeWorkspacesClient([workspace(ws_id(n)) for n in range(30)], connection_page_size=10)
    results = info(fake, include_connection_status=True)
    assert [result["connection_state"] for result in results] == ["UNKNOWN"] * 30
    calls = fake.calls_of("DescribeWorkspacesConnectionStatus")
    assert [(len(params["WorkspaceIds"]), params.get("NextToken")) for params in calls] == [(25, None), (25, "page-10"), (25, "page-20"), (5, None)]


def test_nothing_selected_costs_no_detail_call(fake: FakeWorkspacesClient) -> None:
    """When nothing is left, no detail is asked for, whatever the include_* options."""
    results = info(fake, states=["SUSPENDED"], include_tags=True, include_snapshots=True, include_connection_status=True)
    assert results == []
    assert fake.operations == ["DescribeWorkspaces"]


def test_every_detail_at_once(fake: FakeWorkspacesClient) -> None:
    """All include_* options together: every detail merged, the WorkSpaces described once."""
    [result] = info(fake, workspace_ids=[ALICE], include_tags=True, include_snapshots=True, include_connection_status=True)
    assert {"tags", "rebuild_snapshots", "restore_snapshots", "connection_state"} <= set(result)
    assert result["tags"]["CostCenter"] == "42"
    assert fake.operations.count("DescribeWorkspaces") == 1


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"max_concurrency": 0}, "max_concurrency must be at least 1"),
        ({"workspace_ids": ["ws-bad"]}, "malformed WorkSpace ids (not matching ^ws-[0-9a-z]{8,63}$): 'ws-bad'"),
        ({"workspace_ids": [" " + ALICE, ""]}, f"malformed WorkSpace ids (not matching ^ws-[0-9a-z]{{8,63}}$): {' ' + ALICE!r}, ''"),
        ({"tags": {}}, "tags must name at least one tag"),
        ({"user_names": ["alice"]}, "user_names requires directory_id"),
        ({"directory_id": DIRECTORY, "user_names": ["a" * 64]}, f"user names must have 1 to 63 characters: {'a' * 64!r}"),
        ({"tags": {"managed": True}, "include_tags": True}, "tags values must be strings: quote the value of 'managed' (read as bool True)"),
        ({"tags": {"ratio": 1.5}, "include_tags": True}, "tags values must be strings: quote the value of 'ratio' (read as float 1.5)"),
        ({"tags": {"CostCenter": 42}}, "tags values must be strings: quote the value of 'CostCenter' (read as int 42)"),
        ({"exclude_tags": {"CostCenter": 42}}, "exclude_tags values must be strings: quote the value of 'CostCenter' (read as int 42)"),
        ({"states": []}, "states must name at least one state (omit it for every state)"),
        ({"states": [], "max_concurrency": 0}, "max_concurrency must be at least 1; states must name at least one state (omit it for every state)"),
    ],
)
def test_unusable_options_fail_before_any_call(fake: FakeWorkspacesClient, params: dict[str, t.Any], message: str) -> None:
    """Unusable options fail with a clear message before any API call."""
    with pytest.raises(InvalidOptionError) as error:
        info(fake, **params)
    assert str(error.value) == message
    assert fake.calls == []


@pytest.mark.parametrize(
    ("operation", "option", "message"),
    [
        ("DescribeWorkspaceSnapshots", "include_snapshots", "Failed to describe WorkSpace snapshots"),
        ("DescribeWorkspacesConnectionStatus", "include_connection_status", "Failed to describe WorkSpaces connection status"),
        ("DescribeTags", "include_tags", "Failed to describe WorkSpace tags"),
    ],
)
def test_detail_errors_end_the_task(fake: FakeWorkspacesClient, operation: str, option: str, message: str) -> None:
    """An API error while reading a detail ends the task with the AWS error."""
    fake.errors[operation] = [access_denied(operation)]
    with pytest.raises(WorkspacesError) as error:
        info(fake, **{option: True})
    assert error.value.message == message


@pytest.mark.parametrize(
    ("workspace_ids", "found", "missing"),
    [
        pytest.param([ALICE, "ws-missing02", BOB, "ws-missing01"], [ALICE, BOB], ["ws-missing02", "ws-missing01"], id="some-missing-in-the-order-given"),
        pytest.param(["ws-missing01"], [], ["ws-missing01"], id="all-missing"),
        pytest.param([ALICE], [ALICE], [], id="none-missing"),
    ],
)
def test_ids_not_found_are_returned_as_missing(fake: FakeWorkspacesClient, workspace_ids: list[str], found: list[str], missing: list[str]) -> None:
    """missing_workspace_ids: the ids named that AWS does not know, in the order given; found ones are returned as usual."""
    result = info_result(fake, workspace_ids=workspace_ids)
    assert (ids(result.workspaces), result.missing_workspace_ids) == (found, missing)
    assert fake.calls_of("DescribeWorkspaces") == [{"WorkspaceIds": workspace_ids}]


def test_an_id_in_another_state_is_not_missing(fake: FakeWorkspacesClient) -> None:
    """A WorkSpace named but left out by states exists: it is not listed as missing."""
    result = info_result(fake, workspace_ids=[ALICE, "ws-missing01"], states=["ERROR"])
    assert (result.workspaces, result.missing_workspace_ids) == ([], ["ws-missing01"])


@pytest.mark.parametrize(
    ("params", "expected", "tags_read"),
    [
        pytest.param({"exclude_tags": {"team": "finance"}}, [CAROL], [ALICE, BOB, CAROL], id="by-filter"),
        pytest.param({"workspace_ids": [ALICE, CAROL], "exclude_tags": {"CostCenter": "42"}}, [CAROL], [ALICE, CAROL], id="named-by-id"),
        pytest.param({"tags": {"team": "finance"}, "exclude_tags": {"CostCenter": "42"}}, [BOB], [ALICE, BOB, CAROL], id="with-tags-one-read-each"),
        pytest.param({"exclude_tags": {"team": "finance"}, "states": ["UNHEALTHY", "AVAILABLE"]}, [CAROL], [ALICE, CAROL], id="after-states"),
    ],
)
def test_exclude_tags_leave_workspaces_out_of_the_list(fake: FakeWorkspacesClient, params: dict[str, t.Any], expected: list[str], tags_read: list[str]) -> None:
    """workspace_info never lists a WorkSpace carrying one of exclude_tags, named by id or not (it has
    no outcome to report, so it is simply left out, and not missing); tags are read once per WorkSpace."""
    result = info_result(fake, **params)
    assert (ids(result.workspaces), result.missing_workspace_ids) == (expected, [])
    assert sorted(p["ResourceId"] for p in fake.calls_of("DescribeTags")) == tags_read
    assert all("tags" not in ws for ws in result.workspaces)

# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""workspace_info end to end: arguments in, the JSON result Ansible reads out."""

from __future__ import annotations

import typing as t

import botocore.session
import pytest

from ansible_collections.euc.workspaces.plugins.module_utils._workspaces import module_runner
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.common import ALL_STATES
from ansible_collections.euc.workspaces.plugins.modules import workspace_info

from ...helpers.ansible_module import ClientFactory
from ...helpers.ansible_module import RunModule
from ...helpers.fake_workspaces import DIRECTORY
from ...helpers.fake_workspaces import FakeWorkspacesClient
from ...helpers.fake_workspaces import access_denied
from ...helpers.fake_workspaces import when
from ...helpers.fake_workspaces import workspace
from ...helpers.fake_workspaces import ws_id

# The states AWS defines: the module's choices must follow botocore's model.
MODEL_STATES = tuple(botocore.session.get_session().get_service_model("workspaces").shape_for("WorkspaceState").enum)


def test_the_states_choices_are_the_states_of_the_service_model() -> None:
    """A state botocore learns about must not be refused by workspace_info's states option."""
    assert ALL_STATES == MODEL_STATES


@pytest.fixture
def fake() -> FakeWorkspacesClient:
    client = FakeWorkspacesClient([workspace(ws_id(2), "ERROR"), workspace(ws_id(1), "AVAILABLE"), workspace(ws_id(3), "STOPPED")])
    client.tags = {ws_id(1): {"team": "finance", "CostCenter": "42"}}
    client.snapshots = {ws_id(1): {"RebuildSnapshots": [{"SnapshotTime": when(2)}], "RestoreSnapshots": []}}
    client.connection_status = {ws_id(1): {"WorkspaceId": ws_id(1), "ConnectionState": "CONNECTED", "LastKnownUserConnectionTimestamp": when(5)}}
    return client


@pytest.fixture
def factory(fake: FakeWorkspacesClient, monkeypatch: pytest.MonkeyPatch) -> ClientFactory:
    client_factory = ClientFactory(fake)
    monkeypatch.setattr(module_runner, "workspaces_client", client_factory)
    return client_factory


@pytest.mark.parametrize("check_mode", [False, True])
def test_every_workspace_without_a_selector(run_module: RunModule, fake: FakeWorkspacesClient, factory: ClientFactory, check_mode: bool) -> None:
    """The same answer in check mode: the module never changes anything."""
    run = run_module(workspace_info.main, {}, check_mode=check_mode)
    assert (run.rc, run.failed, run.result["changed"]) == (0, False, False)
    assert [(ws["workspace_id"], ws["state"]) for ws in run.result["workspaces"]] == [(ws_id(1), "AVAILABLE"), (ws_id(2), "ERROR"), (ws_id(3), "STOPPED")]
    assert run.result["workspaces"][0]["workspace_properties"]["running_mode"] == "AUTO_STOP"
    assert fake.operations == ["DescribeWorkspaces"]
    assert factory.max_concurrency == [20]


def test_details_are_merged_when_asked_for(run_module: RunModule, fake: FakeWorkspacesClient, factory: ClientFactory) -> None:
    """Every include_* option adds its snake_cased detail; max_concurrency sizes the client."""
    run = run_module(
        workspace_info.main,
        {
            "directory_id": DIRECTORY,
            "states": ["AVAILABLE"],
            "include_tags": True,
            "include_snapshots": True,
            "include_connection_status": True,
            "max_concurrency": 3,
        },
    )
    assert run.rc == 0
    [found] = run.result["workspaces"]
    assert found["tags"] == {"team": "finance", "CostCenter": "42"}
    assert found["rebuild_snapshots"] == [{"snapshot_time": "2024-11-28T02:00:00+00:00"}]
    assert found["restore_snapshots"] == []
    assert (found["connection_state"], found["connection_state_check_timestamp"], found["last_known_user_connection_timestamp"]) == (
        "CONNECTED",
        None,
        "2024-11-28T05:00:00+00:00",
    )
    assert factory.max_concurrency == [3]


def test_an_integer_tag_value_is_refused_with_the_message_to_quote_it(run_module: RunModule, fake: FakeWorkspacesClient, factory: ClientFactory) -> None:
    """tags: {CostCenter: 42}, as YAML reads it, fails before any call; quoted, it selects the WorkSpace
    tagged "42". (Rewritten: the integer used to be accepted as its decimal string.)"""
    fake.tags[ws_id(3)] = {"CostCenter": "420"}
    run = run_module(workspace_info.main, {"tags": {"CostCenter": 42}})
    assert (run.rc, run.failed) == (1, True)
    assert run.result["msg"] == "tags values must be strings: quote the value of 'CostCenter' (read as int 42)"
    assert (run.result["workspaces"], run.result["missing_workspace_ids"]) == ([], [])
    assert (fake.calls, factory.max_concurrency) == ([], [])
    quoted = run_module(workspace_info.main, {"tags": {"CostCenter": "42"}})
    assert [ws["workspace_id"] for ws in quoted.result["workspaces"]] == [ws_id(1)]


def test_nothing_found_is_an_empty_list(run_module: RunModule, fake: FakeWorkspacesClient, factory: ClientFactory) -> None:
    """Ids that are not found give an empty list, not a failure; they are listed in missing_workspace_ids, with a warning."""
    run = run_module(workspace_info.main, {"workspace_ids": ["ws-missing01"], "include_tags": True})
    assert (run.rc, run.result["workspaces"], run.result["missing_workspace_ids"]) == (0, [], ["ws-missing01"])
    assert run.warnings == ["No WorkSpace found in this region for: 'ws-missing01'"]


def test_missing_ids_are_returned_beside_the_found_ones(run_module: RunModule, fake: FakeWorkspacesClient, factory: ClientFactory) -> None:
    """missing_workspace_ids: the ids named and not found, in the order given; the others are returned as usual."""
    run = run_module(workspace_info.main, {"workspace_ids": ["ws-missing02", ws_id(2), "ws-missing01"]})
    assert run.rc == 0
    assert [ws["workspace_id"] for ws in run.result["workspaces"]] == [ws_id(2)]
    assert run.result["missing_workspace_ids"] == ["ws-missing02", "ws-missing01"]
    assert run.warnings == ["No WorkSpace found in this region for: 'ws-missing02', 'ws-missing01'"]


def test_nothing_missing_means_no_warning(run_module: RunModule, fake: FakeWorkspacesClient, factory: ClientFactory) -> None:
    run = run_module(workspace_info.main, {"workspace_ids": [ws_id(1)]})
    assert (run.result["missing_workspace_ids"], run.warnings) == ([], [])


def test_exclude_tags_leave_workspaces_out(run_module: RunModule, fake: FakeWorkspacesClient, factory: ClientFactory) -> None:
    """exclude_tags: a WorkSpace carrying the pair is not listed, named by id or not, nor reported missing."""
    run = run_module(workspace_info.main, {"workspace_ids": [ws_id(1), ws_id(2)], "exclude_tags": {"team": "finance"}})
    assert [ws["workspace_id"] for ws in run.result["workspaces"]] == [ws_id(2)]
    assert run.result["missing_workspace_ids"] == []


@pytest.mark.parametrize(
    ("args", "msg"),
    [
        pytest.param({"workspace_ids": ["ws-abc12345", "bad"]}, "malformed WorkSpace ids (not matching ^ws-[0-9a-z]{8,63}$): 'bad'", id="malformed-id"),
        pytest.param(
            {"workspace_ids": [" ws-abc12345", ""]}, "malformed WorkSpace ids (not matching ^ws-[0-9a-z]{8,63}$): ' ws-abc12345', ''", id="blank-ids-quoted"
        ),
        pytest.param({"states": []}, "states must name at least one state (omit it for every state)", id="empty-states"),
        pytest.param({"max_concurrency": 0}, "max_concurrency must be at least 1", id="max-concurrency"),
        pytest.param({"tags": {}}, "tags must name at least one tag", id="empty-tags"),
        pytest.param({"user_names": ["alice"]}, "missing parameter(s) required by 'user_names': directory_id", id="user-names-without-directory"),
        pytest.param({"tags": {"managed": True}}, "tags values must be strings: quote the value of 'managed' (read as bool True)", id="boolean-tag-value"),
        pytest.param({"tags": {"ratio": 1.5}}, "tags values must be strings: quote the value of 'ratio' (read as float 1.5)", id="float-tag-value"),
        pytest.param(
            {"tags": {"managed": True, "team": "finance", "ratio": 1.5}, "include_tags": True},
            "tags values must be strings: quote the value of 'managed' (read as bool True), 'ratio' (read as float 1.5)",
            id="every-ambiguous-tag-named",
        ),
        pytest.param(
            {"exclude_tags": {"NoRebuild": 1}},
            "exclude_tags values must be strings: quote the value of 'NoRebuild' (read as int 1)",
            id="integer-exclude-tags-value",
        ),
        pytest.param(
            {"states": ["BROKEN"]},
            "value of states must be one or more of: " + ", ".join(MODEL_STATES) + ". Got no match for: BROKEN",
            id="unknown-state",
        ),
    ],
)
def test_unusable_options_fail_with_a_clear_msg_and_no_call(
    run_module: RunModule, fake: FakeWorkspacesClient, factory: ClientFactory, args: dict[str, t.Any], msg: str
) -> None:
    """Unusable options fail with a clear msg; no client is even created."""
    run = run_module(workspace_info.main, args)
    assert (run.rc, run.failed) == (1, True)
    assert run.result["msg"] == msg
    assert factory.max_concurrency == []
    assert fake.calls == []


def test_an_api_error_fails_with_the_aws_error(run_module: RunModule, fake: FakeWorkspacesClient, factory: ClientFactory) -> None:
    """An API error fails the task with AWS's error and no partial result: the documented keys are
    returned empty. (Rewritten: workspaces used to be absent from a failure.)"""
    fake.errors["DescribeWorkspaceSnapshots"] = [access_denied("DescribeWorkspaceSnapshots")]
    run = run_module(workspace_info.main, {"include_snapshots": True})
    assert (run.rc, run.failed) == (1, True)
    assert run.result["msg"] == (
        "Could not list the WorkSpaces: Failed to describe WorkSpace snapshots: AccessDeniedException: "
        "User: arn:aws:iam::123456789012:user/ops is not authorized to perform: workspaces:DescribeWorkspaceSnapshots."
    )
    assert run.result["error"]["code"] == "AccessDeniedException"
    assert (run.result["changed"], run.result["workspaces"], run.result["missing_workspace_ids"]) == (False, [], [])

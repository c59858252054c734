# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""workspace_rebuild end to end: arguments in, the JSON result Ansible reads out."""

from __future__ import annotations

import typing as t

import pytest

from ansible_collections.euc.workspaces.plugins.module_utils._workspaces import module_runner
from ansible_collections.euc.workspaces.plugins.modules import workspace_rebuild

from ...helpers.ansible_module import ClientFactory
from ...helpers.ansible_module import ModuleRun
from ...helpers.ansible_module import RunModule
from ...helpers.fake_workspaces import DIRECTORY
from ...helpers.fake_workspaces import FakeWorkspacesClient
from ...helpers.fake_workspaces import access_denied
from ...helpers.fake_workspaces import client_error
from ...helpers.fake_workspaces import connection_lost
from ...helpers.fake_workspaces import workspace
from ...helpers.fake_workspaces import ws_id

RESULT_KEYS = {"changed", "msg", "workspaces", "failed_requests", "rebuild_requested"}


@pytest.fixture
def fake() -> FakeWorkspacesClient:
    """ws-0000000000 AVAILABLE, ws-0000000001 ERROR, ws-0000000002 AVAILABLE, ws-0000000003 PENDING."""
    return FakeWorkspacesClient([workspace(ws_id(n), state) for n, state in enumerate(("AVAILABLE", "ERROR", "AVAILABLE", "PENDING"))])


@pytest.fixture
def factory(fake: FakeWorkspacesClient, monkeypatch: pytest.MonkeyPatch) -> ClientFactory:
    client_factory = ClientFactory(fake)
    monkeypatch.setattr(module_runner, "workspaces_client", client_factory)
    return client_factory


def rebuild(run_module: RunModule, args: dict[str, t.Any], **modes: bool) -> ModuleRun:
    return run_module(workspace_rebuild.main, args, **modes)


def test_success(run_module: RunModule, fake: FakeWorkspacesClient, factory: ClientFactory) -> None:
    """A successful run exits 0 with every result key, the outcomes and the client built for 5 threads."""
    run = rebuild(run_module, {"workspace_ids": [ws_id(1), ws_id(0)]})
    assert (run.rc, run.failed) == (0, False)
    assert RESULT_KEYS <= set(run.result)
    assert "diff" not in run.result
    assert run.result["changed"] is True
    assert run.result["msg"] == "2 WorkSpaces: 2 rebuild_requested"
    assert run.result["rebuild_requested"] == [ws_id(0), ws_id(1)]
    assert run.result["failed_requests"] == []
    assert [(e["workspace_id"], e["outcome"], e["state"]) for e in run.result["workspaces"]] == [
        (ws_id(0), "rebuild_requested", "AVAILABLE"),
        (ws_id(1), "rebuild_requested", "ERROR"),
    ]
    assert sorted(fake.rebuild_calls) == [ws_id(0), ws_id(1)]
    assert factory.max_concurrency == [5]


def test_the_workspace_id_alias_and_max_concurrency_reach_the_engine(run_module: RunModule, fake: FakeWorkspacesClient, factory: ClientFactory) -> None:
    """The workspace_id alias works and max_concurrency sizes the client."""
    run = rebuild(run_module, {"workspace_id": [ws_id(2)], "max_concurrency": 12})
    assert run.result["rebuild_requested"] == [ws_id(2)]
    assert factory.max_concurrency == [12]


def test_failed_workspaces_fail_the_task_with_every_outcome(run_module: RunModule, fake: FakeWorkspacesClient, factory: ClientFactory) -> None:
    """Any failed WorkSpace fails the task, which still returns every outcome and failed_requests."""
    fake.rebuild_failures[ws_id(1)] = ("OperationNotSupportedException", "The operation is not supported for this WorkSpace.")
    run = rebuild(run_module, {"workspace_ids": [ws_id(0), ws_id(1), ws_id(3), "ws-missing01"]})
    assert (run.rc, run.failed) == (1, True)
    assert run.result["msg"] == "4 WorkSpaces: 3 failed, 1 rebuild_requested"
    assert run.result["changed"] is True
    assert run.result["rebuild_requested"] == [ws_id(0)]
    assert run.result["failed_requests"] == [
        {"workspace_id": ws_id(1), "error_code": "OperationNotSupportedException", "error_message": "The operation is not supported for this WorkSpace."},
        {
            "workspace_id": ws_id(3),
            "error_code": "InvalidWorkspaceState",
            "error_message": "a WorkSpace in state PENDING cannot be rebuilt (only AVAILABLE, ERROR, UNHEALTHY, STOPPED, REBOOTING)",
        },
        {"workspace_id": "ws-missing01", "error_code": "WorkspaceNotFound", "error_message": "No WorkSpace ws-missing01 was found in this region"},
    ]
    assert len(run.result["workspaces"]) == 4


def test_a_caller_error_fails_with_the_aws_error_and_the_report(run_module: RunModule, fake: FakeWorkspacesClient, factory: ClientFactory) -> None:
    """AccessDenied stops the run: the failure carries AWS's error, the outcomes and the rebuilds already requested."""
    fake.rebuild_errors[ws_id(1)] = [access_denied()]
    run = rebuild(run_module, {"directory_id": DIRECTORY})
    assert (run.rc, run.failed) == (1, True)
    assert run.result["msg"] == (
        "Stopped after a RebuildWorkspaces call failed. 4 WorkSpaces: 1 failed, 1 rebuild_requested, 2 skipped: "
        "An error occurred (AccessDeniedException) when calling the RebuildWorkspaces operation: "
        "User: arn:aws:iam::123456789012:user/ops is not authorized to perform: workspaces:RebuildWorkspaces"
    )
    assert run.result["error"]["code"] == "AccessDeniedException"
    assert run.result["rebuild_requested"] == [ws_id(0)]
    assert run.result["changed"] is True
    assert [e["outcome"] for e in run.result["workspaces"]] == ["rebuild_requested", "failed", "skipped", "skipped"]
    assert fake.rebuild_calls == [ws_id(0), ws_id(1)]


def test_a_lost_connection_fails_with_the_report(run_module: RunModule, fake: FakeWorkspacesClient, factory: ClientFactory) -> None:
    """A lost connection stops the run the same way, with botocore's message."""
    fake.rebuild_errors[ws_id(0)] = [connection_lost()]
    run = rebuild(run_module, {"directory_id": DIRECTORY})
    assert (run.rc, run.failed) == (1, True)
    assert run.result["msg"].startswith("Stopped after a RebuildWorkspaces call failed. 4 WorkSpaces: 1 failed, 3 skipped: ")
    assert run.result["msg"].endswith(': Could not connect to the endpoint URL: "https://workspaces.us-east-1.amazonaws.com/"')
    assert run.result["rebuild_requested"] == []
    assert run.result["failed_requests"][0]["error_code"] == "EndpointConnectionError"
    assert fake.rebuild_calls == [ws_id(0)]


def test_max_workspaces_fails_before_any_change(run_module: RunModule, fake: FakeWorkspacesClient, factory: ClientFactory) -> None:
    """Too many WorkSpaces: the task fails before any rebuild, saying how many matched."""
    run = rebuild(run_module, {"directory_id": DIRECTORY, "max_workspaces": 2})
    assert (run.rc, run.failed) == (1, True)
    assert run.result["msg"] == (
        "3 WorkSpaces would be rebuilt, more than max_workspaces (2); nothing was changed: "
        "narrow the selection or raise max_workspaces. 4 WorkSpaces: 4 skipped"
    )
    assert (run.result["changed"], run.result["rebuild_requested"]) == (False, [])
    assert len(run.result["workspaces"]) == 4
    assert fake.rebuild_calls == []


def test_a_describe_error_fails_the_task(run_module: RunModule, fake: FakeWorkspacesClient, factory: ClientFactory) -> None:
    """An error while selecting fails the task with AWS's error and rebuilds nothing."""
    fake.errors["DescribeWorkspaces"] = [access_denied("DescribeWorkspaces")]
    run = rebuild(run_module, {"directory_id": DIRECTORY})
    assert (run.rc, run.failed) == (1, True)
    assert run.result["msg"].startswith(
        "Failed to describe WorkSpaces: An error occurred (AccessDeniedException) when calling the DescribeWorkspaces operation"
    )
    assert run.result["error"]["code"] == "AccessDeniedException"
    assert fake.rebuild_calls == []


@pytest.mark.parametrize(
    ("args", "msg"),
    [
        pytest.param({}, "one of the following is required: workspace_ids, directory_id, bundle_id, tags", id="no-selector"),
        pytest.param({"workspace_ids": ["ws-abc12345", "WS-BAD"]}, "malformed WorkSpace ids (not matching ^ws-[0-9a-z]{8,63}$): WS-BAD", id="malformed-id"),
        pytest.param({"tags": {}}, "tags must name at least one tag", id="empty-tags"),
        pytest.param(
            {"bundle_id": "wsb-0123456789", "user_names": ["alice"]},
            "missing parameter(s) required by 'user_names': directory_id",
            id="user-names-without-directory",
        ),
        pytest.param({"directory_id": DIRECTORY, "max_workspaces": 0}, "max_workspaces must be at least 1", id="max-workspaces"),
        pytest.param({"directory_id": DIRECTORY, "states": []}, "states must name at least one state", id="no-states"),
        pytest.param(
            {"directory_id": DIRECTORY, "states": ["SUSPENDED"]},
            "value of states must be one or more of: AVAILABLE, ERROR, UNHEALTHY, STOPPED, REBOOTING. Got no match for: SUSPENDED",
            id="state-aws-refuses",
        ),
        pytest.param({"directory_id": "d-bad", "wait_delay": 0}, "malformed directory_id: d-bad; wait_delay must be at least 1", id="every-problem-at-once"),
        pytest.param(
            {"directory_id": DIRECTORY, "user_names": ["alice", "b" * 64]}, f"user names must have 1 to 63 characters: {'b' * 64!r}", id="user-name-too-long"
        ),
        pytest.param({"tags": {"managed": True}}, "tag values must be strings; quote the value of managed", id="boolean-tag-value"),
        pytest.param({"tags": {"ratio": 1.5}}, "tag values must be strings; quote the value of ratio", id="float-tag-value"),
        pytest.param(
            {"directory_id": DIRECTORY, "tags": {"managed": True, "team": "finance", "ratio": 1.5}},
            "tag values must be strings; quote the value of managed, ratio",
            id="every-ambiguous-tag-named",
        ),
    ],
)
def test_unusable_options_fail_with_a_clear_msg_and_no_call(
    run_module: RunModule, fake: FakeWorkspacesClient, factory: ClientFactory, args: dict[str, t.Any], msg: str
) -> None:
    """Unusable options fail with a clear msg; no client is even created."""
    run = rebuild(run_module, args)
    assert (run.rc, run.failed) == (1, True)
    assert run.result["msg"] == msg
    assert factory.max_concurrency == []
    assert fake.calls == []


def test_check_mode_changes_nothing(run_module: RunModule, fake: FakeWorkspacesClient, factory: ClientFactory) -> None:
    """Check mode predicts the change and rebuilds nothing."""
    run = rebuild(run_module, {"directory_id": DIRECTORY, "wait": True}, check_mode=True)
    assert (run.rc, run.failed) == (0, False)
    assert run.result["changed"] is True
    assert run.result["msg"] == "4 WorkSpaces: 3 rebuild_requested, 1 skipped; check mode: nothing was changed"
    assert run.result["rebuild_requested"] == [ws_id(0), ws_id(1), ws_id(2)]
    assert fake.operations == ["DescribeWorkspaces"]


def test_an_integer_tag_value_selects_the_workspace_tagged_with_its_digits(run_module: RunModule, fake: FakeWorkspacesClient, factory: ClientFactory) -> None:
    """tags: {cost_center: 4711}, as YAML reads it, selects the WorkSpace tagged "4711" and no other."""
    fake.tags = {ws_id(0): {"cost_center": "4712"}, ws_id(2): {"cost_center": "4711"}}
    run = rebuild(run_module, {"tags": {"cost_center": 4711}})
    assert (run.rc, run.failed) == (0, False)
    assert run.result["msg"] == "1 WorkSpace: 1 rebuild_requested"
    assert run.result["rebuild_requested"] == [ws_id(2)]
    assert fake.rebuild_calls == [ws_id(2)]


def test_diff_mode_returns_the_states_before_and_after(run_module: RunModule, fake: FakeWorkspacesClient, factory: ClientFactory) -> None:
    """Diff mode returns each requested WorkSpace's state before and after."""
    run = rebuild(run_module, {"workspace_ids": [ws_id(0), ws_id(1)], "wait": True}, diff=True)
    assert run.rc == 0
    assert run.result["diff"] == {
        "before": {ws_id(0): "AVAILABLE", ws_id(1): "ERROR"},
        "after": {ws_id(0): "AVAILABLE", ws_id(1): "AVAILABLE"},
    }
    assert run.result["msg"] == "2 WorkSpaces: 2 rebuilt"


def test_a_rebuild_that_ends_in_error_fails_the_task_and_is_still_reported_as_requested(
    run_module: RunModule, fake: FakeWorkspacesClient, factory: ClientFactory
) -> None:
    """A rebuild that ends in ERROR fails the task but is still a change, listed in rebuild_requested."""
    fake.reads_after_rebuild[ws_id(0)] = ("REBUILDING", "ERROR")
    run = rebuild(run_module, {"workspace_ids": [ws_id(0)], "wait": True})
    assert (run.rc, run.failed) == (1, True)
    assert run.result["changed"] is True
    assert run.result["rebuild_requested"] == [ws_id(0)]
    assert run.result["failed_requests"] == [{"workspace_id": ws_id(0), "error_code": "RebuildFailed", "error_message": "the WorkSpace ended in state ERROR"}]


def test_nothing_to_do_is_not_a_change(run_module: RunModule, fake: FakeWorkspacesClient, factory: ClientFactory) -> None:
    """When every WorkSpace is skipped the task succeeds unchanged."""
    run = rebuild(run_module, {"directory_id": DIRECTORY, "states": ["UNHEALTHY"]})
    assert (run.rc, run.result["changed"]) == (0, False)
    assert run.result["msg"] == "4 WorkSpaces: 4 skipped"
    assert fake.rebuild_calls == []


def test_an_empty_id_list_names_nothing(run_module: RunModule, fake: FakeWorkspacesClient, factory: ClientFactory) -> None:
    """workspace_ids: [] names no WorkSpace: nothing to do, no call."""
    run = rebuild(run_module, {"workspace_ids": []})
    assert (run.rc, run.result["changed"], run.result["msg"]) == (0, False, "0 WorkSpaces: nothing to do")
    assert fake.calls == []


def test_a_rebuild_accepted_despite_a_server_error_is_reported_requested_and_changed(
    run_module: RunModule, fake: FakeWorkspacesClient, factory: ClientFactory
) -> None:
    """AWS started the rebuild yet answered 500, and refused the retry: the task succeeds and is changed,
    reporting the WorkSpace rebuild_requested (in rebuild_requested and the diff) with the error in its
    reason, and no error_code."""
    fake.errors_after_accepting[ws_id(0)] = [client_error("InternalServerError", "We encountered an internal error.", status=500)]
    run = rebuild(run_module, {"workspace_ids": [ws_id(0)]}, diff=True)
    assert (run.rc, run.failed) == (0, False)
    assert run.result["msg"] == "1 WorkSpace: 1 rebuild_requested"
    assert (run.result["changed"], run.result["rebuild_requested"], run.result["failed_requests"]) == (True, [ws_id(0)], [])
    assert run.result["diff"] == {"before": {ws_id(0): "AVAILABLE"}, "after": {ws_id(0): "REBUILDING"}}
    [entry] = run.result["workspaces"]
    assert {key: entry.get(key) for key in ("outcome", "state", "final_state", "error_code", "error_message")} == {
        "outcome": "rebuild_requested",
        "state": "AVAILABLE",
        "final_state": "REBUILDING",
        "error_code": None,
        "error_message": None,
    }
    assert entry["reason"] == (
        "its RebuildWorkspaces call reported InvalidResourceState (The specified WorkSpace has an invalid state for this operation.), "
        "but it was REBUILDING right after: taken as accepted"
    )
    assert fake.accepted == [ws_id(0)]

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
from ...helpers.fake_workspaces import connection_closed
from ...helpers.fake_workspaces import server_error
from ...helpers.fake_workspaces import when
from ...helpers.fake_workspaces import workspace
from ...helpers.fake_workspaces import ws_id

RESULT_KEYS = {"changed", "msg", "workspaces", "failed_requests", "rebuild_requested"}
# The keys RETURN documents as returned always in each entry of workspaces.
ENTRY_KEYS = {
    "workspace_id", "directory_id", "user_name", "computer_name", "bundle_id", "running_mode",
    "snapshot_time", "connection_state", "state", "final_state", "outcome",
}
# The fixture's WorkSpaces are healthy or broken; tests of the old behaviour name the healthy states too.
HEALTHY_TOO = ["AVAILABLE", "ERROR"]
ACCESS_DENIED = "User: arn:aws:iam::123456789012:user/ops is not authorized to perform: workspaces:"


@pytest.fixture
def fake() -> FakeWorkspacesClient:
    """ws-0000000000 AVAILABLE, ws-0000000001 ERROR, ws-0000000002 AVAILABLE, ws-0000000003 PENDING, each
    with a rebuild snapshot (require_snapshot is on by default)."""
    client = FakeWorkspacesClient([workspace(ws_id(n), state) for n, state in enumerate(("AVAILABLE", "ERROR", "AVAILABLE", "PENDING"))])
    for n in range(4):
        client.add_snapshot(ws_id(n), when(2))
    return client


@pytest.fixture
def factory(fake: FakeWorkspacesClient, monkeypatch: pytest.MonkeyPatch) -> ClientFactory:
    client_factory = ClientFactory(fake)
    monkeypatch.setattr(module_runner, "workspaces_client", client_factory)
    return client_factory


def rebuild(run_module: RunModule, args: dict[str, t.Any], **modes: bool) -> ModuleRun:
    return run_module(workspace_rebuild.main, args, **modes)


def test_success(run_module: RunModule, fake: FakeWorkspacesClient, factory: ClientFactory) -> None:
    """A successful run exits 0 with every result key, the outcomes and the client built for 5 threads."""
    run = rebuild(run_module, {"workspace_ids": [ws_id(1), ws_id(0)], "states": HEALTHY_TOO})
    assert (run.rc, run.failed) == (0, False)
    assert RESULT_KEYS <= set(run.result)
    assert "diff" not in run.result
    assert run.result["changed"] is True
    assert run.result["msg"] == "2 WorkSpaces: 2 rebuild_requested"
    assert run.result["rebuild_requested"] == [ws_id(0), ws_id(1)]
    assert run.result["failed_requests"] == []
    assert [(e["workspace_id"], e["outcome"], e["state"], e["snapshot_time"]) for e in run.result["workspaces"]] == [
        (ws_id(0), "rebuild_requested", "AVAILABLE", "2024-11-28T02:00:00+00:00"),
        (ws_id(1), "rebuild_requested", "ERROR", "2024-11-28T02:00:00+00:00"),
    ]
    assert all(ENTRY_KEYS <= set(entry) for entry in run.result["workspaces"])
    assert sorted(fake.rebuild_calls) == [ws_id(0), ws_id(1)]
    assert factory.max_concurrency == [20]


def test_the_defaults_rebuild_only_broken_workspaces_with_a_snapshot_and_no_user(
    run_module: RunModule, fake: FakeWorkspacesClient, factory: ClientFactory
) -> None:
    """states defaults to ERROR and UNHEALTHY, skip_connected and require_snapshot to true: of a directory,
    only the broken WorkSpace whose user is not connected and that has a rebuild snapshot is rebuilt."""
    fake.add(workspace(ws_id(4), "UNHEALTHY"))  # no snapshot
    fake.add(workspace(ws_id(5), "ERROR"))
    fake.add_snapshot(ws_id(5), when(3))
    fake.set_connection_state(ws_id(5), "CONNECTED")
    run = rebuild(run_module, {"directory_id": DIRECTORY})
    assert (run.rc, run.failed, run.result["changed"]) == (0, False, True)
    outcomes = {e["workspace_id"]: (e["outcome"], e.get("reason")) for e in run.result["workspaces"]}
    assert outcomes[ws_id(1)] == ("rebuild_requested", None)
    assert outcomes[ws_id(0)] == ("skipped", "state AVAILABLE is not in states (ERROR, UNHEALTHY)")
    assert outcomes[ws_id(4)][0] == "skipped" and "snapshot" in outcomes[ws_id(4)][1]
    assert outcomes[ws_id(5)][0] == "skipped" and "connected" in outcomes[ws_id(5)][1]
    assert fake.rebuild_calls == [ws_id(1)]
    assert run.result["msg"] == "6 WorkSpaces: 1 rebuild_requested, 5 skipped"


def test_the_workspace_id_alias_and_max_concurrency_reach_the_engine(run_module: RunModule, fake: FakeWorkspacesClient, factory: ClientFactory) -> None:
    """The workspace_id alias works and max_concurrency sizes the client."""
    run = rebuild(run_module, {"workspace_id": [ws_id(2)], "max_concurrency": 12, "states": ["AVAILABLE"]})
    assert run.result["rebuild_requested"] == [ws_id(2)]
    assert factory.max_concurrency == [12]


def test_failed_workspaces_fail_the_task_with_every_outcome(run_module: RunModule, fake: FakeWorkspacesClient, factory: ClientFactory) -> None:
    """Any failed WorkSpace fails the task, which still returns every outcome and failed_requests."""
    fake.action_failures[ws_id(1)] = ("OperationNotSupportedException", "The operation is not supported for this WorkSpace.")
    run = rebuild(run_module, {"workspace_ids": [ws_id(0), ws_id(1), ws_id(3), "ws-missing01"], "states": HEALTHY_TOO})
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
        {"workspace_id": "ws-missing01", "error_code": "WorkspaceNotFound", "error_message": "No WorkSpace 'ws-missing01' was found in this region"},
    ]
    assert len(run.result["workspaces"]) == 4


def test_a_caller_error_fails_with_the_aws_error_and_the_report(run_module: RunModule, fake: FakeWorkspacesClient, factory: ClientFactory) -> None:
    """AccessDenied stops the run: msg says what stopped, the error, then the outcomes; the failure carries
    AWS's error, the outcomes and the rebuilds already requested. One request at a time: with the
    default 5 in flight, ws-0000000002's may already be on its way when ws-0000000001's error comes
    back (test_a_caller_error_stops_a_concurrent_run_too covers that case)."""
    fake.action_errors[ws_id(1)] = [access_denied()]
    run = rebuild(run_module, {"directory_id": DIRECTORY, "states": HEALTHY_TOO, "max_concurrency": 1})
    assert (run.rc, run.failed) == (1, True)
    assert run.result["msg"] == (
        "Stopped sending RebuildWorkspaces requests: Failed to call RebuildWorkspaces: "
        f"AccessDeniedException: {ACCESS_DENIED}RebuildWorkspaces. Outcomes: 4 WorkSpaces: 1 failed, 1 rebuild_requested, 2 skipped."
    )
    assert run.result["error"]["code"] == "AccessDeniedException"
    assert RESULT_KEYS <= set(run.result)
    assert run.result["rebuild_requested"] == [ws_id(0)]
    assert run.result["changed"] is True
    assert [e["outcome"] for e in run.result["workspaces"]] == ["rebuild_requested", "failed", "skipped", "skipped"]
    assert fake.rebuild_calls == [ws_id(0), ws_id(1)]


def test_a_lost_connection_stops_the_run_at_the_outage_bound_with_the_report(run_module: RunModule, fake: FakeWorkspacesClient, factory: ClientFactory) -> None:
    """The connection drops on every RebuildWorkspaces attempt: the first WorkSpace may have been rebuilt
    (unknown), the others are not sent once the outage bound is reached; msg names the bound and the last
    error. (Rewritten: one lost connection used to stop the run, reporting the WorkSpace failed.) One
    request at a time: with the default 5 in flight, the six failed attempts may come from two WorkSpaces."""
    fake.errors["RebuildWorkspaces"] = [connection_closed() for _attempt in range(20)]
    run = rebuild(run_module, {"directory_id": DIRECTORY, "states": HEALTHY_TOO, "max_concurrency": 1})
    assert (run.rc, run.failed) == (1, True)
    assert run.result["msg"].startswith("Stopped sending RebuildWorkspaces requests: RebuildWorkspaces kept failing: 6 failed attempts in a row")
    assert "the last one ConnectionClosedError" in run.result["msg"]
    assert run.result["msg"].endswith(". Outcomes: 4 WorkSpaces: 3 skipped, 1 unknown.")
    assert run.result["changed"] is True
    assert run.result["rebuild_requested"] == []
    assert [(f["workspace_id"], f["error_code"]) for f in run.result["failed_requests"]] == [(ws_id(0), "ConnectionClosedError")]
    assert fake.rebuild_calls == [ws_id(0)] * 6


def test_an_unknown_outcome_fails_the_task_as_a_change(run_module: RunModule, fake: FakeWorkspacesClient, factory: ClientFactory) -> None:
    """A 500, then the resend refused, and the WorkSpace never moves: unknown, changed, failed, in
    failed_requests, not in rebuild_requested."""
    fake.action_errors[ws_id(1)] = [server_error()]
    fake.action_failures[ws_id(1)] = ("InvalidResourceState", "Not now.")
    run = rebuild(run_module, {"workspace_ids": [ws_id(1)]}, diff=True)
    assert (run.rc, run.failed, run.result["changed"]) == (1, True, True)
    assert run.result["msg"] == "1 WorkSpace: 1 unknown"
    assert run.result["rebuild_requested"] == []
    [entry] = run.result["workspaces"]
    assert entry["outcome"] == "unknown"
    assert run.result["failed_requests"] == [{"workspace_id": ws_id(1), "error_code": "InternalServerError", "error_message": entry["error_message"]}]
    assert run.result["diff"] == {"before": {ws_id(1): "ERROR"}, "after": {ws_id(1): "ERROR"}}


def test_max_workspaces_fails_before_any_change(run_module: RunModule, fake: FakeWorkspacesClient, factory: ClientFactory) -> None:
    """Too many WorkSpaces: the task fails before any rebuild, saying how many matched."""
    run = rebuild(run_module, {"directory_id": DIRECTORY, "max_workspaces": 2, "states": HEALTHY_TOO})
    assert (run.rc, run.failed) == (1, True)
    assert run.result["msg"] == (
        "3 WorkSpaces would be rebuilt, more than max_workspaces (2); nothing was changed: "
        "narrow the selection or raise max_workspaces. Outcomes: 4 WorkSpaces: 4 skipped."
    )
    assert (run.result["changed"], run.result["rebuild_requested"]) == (False, [])
    assert len(run.result["workspaces"]) == 4
    assert fake.rebuild_calls == []


def test_a_describe_error_fails_the_task(run_module: RunModule, fake: FakeWorkspacesClient, factory: ClientFactory) -> None:
    """An error while selecting fails the task with AWS's error and rebuilds nothing."""
    fake.errors["DescribeWorkspaces"] = [access_denied("DescribeWorkspaces")]
    run = rebuild(run_module, {"directory_id": DIRECTORY})
    assert (run.rc, run.failed) == (1, True)
    assert run.result["msg"] == (
        "Stopped before any change: the WorkSpaces could not be read: Failed to describe WorkSpaces: "
        f"AccessDeniedException: {ACCESS_DENIED}DescribeWorkspaces. Outcomes: 0 WorkSpaces: nothing to do."
    )
    assert run.result["error"]["code"] == "AccessDeniedException"
    assert RESULT_KEYS <= set(run.result)
    assert (run.result["workspaces"], run.result["changed"]) == ([], False)
    assert fake.rebuild_calls == []


@pytest.mark.parametrize(
    "errors",
    [
        pytest.param([access_denied("DescribeWorkspaces")], id="access-denied"),
        pytest.param([server_error("DescribeWorkspaces")] * 6, id="outage"),
    ],
)
def test_a_describe_error_still_reports_every_named_id(
    run_module: RunModule, fake: FakeWorkspacesClient, factory: ClientFactory, errors: list[BaseException]
) -> None:
    """The first describe fails: every id named appears once (duplicates collapsed), skipped, with every
    documented key; msg is '<what stopped>: <error>. Outcomes: <summary>.'"""
    fake.errors["DescribeWorkspaces"] = list(errors)
    run = rebuild(run_module, {"workspace_ids": [ws_id(2), ws_id(0), "ws-missing01", ws_id(0)]})
    assert (run.rc, run.failed) == (1, True)
    assert RESULT_KEYS <= set(run.result)
    assert run.result["msg"].startswith("Stopped before any change: the WorkSpaces could not be read: Failed to describe WorkSpaces")
    assert run.result["msg"].endswith(". Outcomes: 3 WorkSpaces: 3 skipped.")
    assert sorted(e["workspace_id"] for e in run.result["workspaces"]) == [ws_id(0), ws_id(2), "ws-missing01"]
    for entry in run.result["workspaces"]:
        assert ENTRY_KEYS <= set(entry)
        assert (entry["outcome"], entry["reason"]) == ("skipped", "not acted on: the task stopped before it could read the WorkSpaces")
    assert (run.result["changed"], run.result["rebuild_requested"], run.result["failed_requests"]) == (False, [], [])
    assert set(fake.operations) == {"DescribeWorkspaces"}


@pytest.mark.parametrize(
    ("args", "msg"),
    [
        pytest.param({}, "one of the following is required: workspace_ids, directory_id, bundle_id, tags", id="no-selector"),
        pytest.param({"workspace_ids": ["ws-abc12345", "WS-BAD"]}, "malformed WorkSpace ids (not matching ^ws-[0-9a-z]{8,63}$): 'WS-BAD'", id="malformed-id"),
        pytest.param(
            {"workspace_ids": [" ws-abc12345", ""]},
            "malformed WorkSpace ids (not matching ^ws-[0-9a-z]{8,63}$): ' ws-abc12345', ''",
            id="blank-and-padded-ids-quoted",
        ),
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
        pytest.param({"directory_id": "d-bad", "wait_delay": 0}, "malformed directory_id: 'd-bad'; wait_delay must be at least 1", id="every-problem-at-once"),
        pytest.param(
            {"directory_id": DIRECTORY, "user_names": ["alice", "b" * 64]}, f"user names must have 1 to 63 characters: {'b' * 64!r}", id="user-name-too-long"
        ),
        pytest.param({"tags": {"managed": True}}, "tags values must be strings: quote the value of 'managed' (read as bool True)", id="boolean-tag-value"),
        pytest.param({"tags": {"ratio": 1.5}}, "tags values must be strings: quote the value of 'ratio' (read as float 1.5)", id="float-tag-value"),
        pytest.param(
            {"tags": {"cost_center": 4711}}, "tags values must be strings: quote the value of 'cost_center' (read as int 4711)", id="integer-tag-value"
        ),
        pytest.param(
            {"directory_id": DIRECTORY, "tags": {"managed": True, "team": "finance", "ratio": 1.5}},
            "tags values must be strings: quote the value of 'managed' (read as bool True), 'ratio' (read as float 1.5)",
            id="every-ambiguous-tag-named",
        ),
        pytest.param(
            {"directory_id": DIRECTORY, "exclude_tags": {"NoRebuild": True}},
            "exclude_tags values must be strings: quote the value of 'NoRebuild' (read as bool True)",
            id="boolean-exclude-tags-value",
        ),
        pytest.param(
            {"directory_id": DIRECTORY, "idempotency_token": "INC#1"},
            "idempotency_token must have 1 to 128 letters, digits, spaces or _.:/=+-@ characters, not 'INC#1'",
            id="bad-idempotency-token",
        ),
    ],
)
def test_unusable_options_fail_with_a_clear_msg_and_no_call(
    run_module: RunModule, fake: FakeWorkspacesClient, factory: ClientFactory, args: dict[str, t.Any], msg: str
) -> None:
    """Unusable options fail with a clear msg and every documented key; no client is even created."""
    run = rebuild(run_module, args)
    assert (run.rc, run.failed) == (1, True)
    assert run.result["msg"] == msg
    assert factory.max_concurrency == []
    assert fake.calls == []
    if "one of the following" not in msg and "missing parameter" not in msg and "value of states" not in msg:
        assert {"changed", "workspaces", "failed_requests", "rebuild_requested"} <= set(run.result)


def test_check_mode_changes_nothing(run_module: RunModule, fake: FakeWorkspacesClient, factory: ClientFactory) -> None:
    """Check mode predicts the change and only reads."""
    run = rebuild(run_module, {"directory_id": DIRECTORY, "wait": True, "states": HEALTHY_TOO}, check_mode=True)
    assert (run.rc, run.failed) == (0, False)
    assert run.result["changed"] is True
    assert run.result["msg"] == "4 WorkSpaces: 3 rebuild_requested, 1 skipped; check mode: nothing was changed"
    assert run.result["rebuild_requested"] == [ws_id(0), ws_id(1), ws_id(2)]
    assert set(fake.operations) == {"DescribeWorkspaces", "DescribeWorkspaceSnapshots", "DescribeWorkspacesConnectionStatus"}
    assert fake.accepted == []


def test_an_integer_tag_value_is_refused_with_the_message_to_quote_it(run_module: RunModule, fake: FakeWorkspacesClient, factory: ClientFactory) -> None:
    """tags: {cost_center: 4711}, as YAML reads it, fails before any call, saying to quote the value.
    (Rewritten: it used to select the WorkSpace tagged "4711".)"""
    fake.tags = {ws_id(0): {"cost_center": "4712"}, ws_id(2): {"cost_center": "4711"}}
    run = rebuild(run_module, {"tags": {"cost_center": 4711}})
    assert (run.rc, run.failed) == (1, True)
    assert run.result["msg"] == "tags values must be strings: quote the value of 'cost_center' (read as int 4711)"
    assert (fake.calls, factory.max_concurrency) == ([], [])
    quoted = rebuild(run_module, {"tags": {"cost_center": "4711"}, "states": ["AVAILABLE"]})
    assert (quoted.rc, quoted.result["rebuild_requested"]) == (0, [ws_id(2)])


def test_exclude_tags_and_idempotency_token_reach_the_engine(run_module: RunModule, fake: FakeWorkspacesClient, factory: ClientFactory) -> None:
    """exclude_tags keeps a named WorkSpace out (skipped); idempotency_token tags the requested one."""
    fake.tags = {ws_id(0): {"NoRebuild": "true"}}
    run = rebuild(
        run_module, {"workspace_ids": [ws_id(0), ws_id(2)], "states": ["AVAILABLE"], "exclude_tags": {"NoRebuild": "true"}, "idempotency_token": "CHG-7"}
    )
    assert run.rc == 0
    assert [(e["workspace_id"], e["outcome"]) for e in run.result["workspaces"]] == [(ws_id(0), "skipped"), (ws_id(2), "rebuild_requested")]
    assert fake.tags[ws_id(2)] == {"euc.workspaces:rebuild-token": "CHG-7"}
    fake.script(ws_id(2), "AVAILABLE")  # the rebuild is over: a relaunch finds it AVAILABLE again
    again = rebuild(run_module, {"workspace_ids": [ws_id(2)], "states": ["AVAILABLE", "ERROR"], "idempotency_token": "CHG-7"})
    assert (again.rc, again.result["changed"], again.result["workspaces"][0]["outcome"]) == (0, False, "skipped")


def test_diff_mode_returns_the_states_before_and_after(run_module: RunModule, fake: FakeWorkspacesClient, factory: ClientFactory) -> None:
    """Diff mode returns each requested WorkSpace's state before and after."""
    run = rebuild(run_module, {"workspace_ids": [ws_id(0), ws_id(1)], "wait": True, "states": HEALTHY_TOO}, diff=True)
    assert run.rc == 0
    assert run.result["diff"] == {
        "before": {ws_id(0): "AVAILABLE", ws_id(1): "ERROR"},
        "after": {ws_id(0): "AVAILABLE", ws_id(1): "AVAILABLE"},
    }
    assert run.result["msg"] == "2 WorkSpaces: 2 rebuilt"


def test_a_rebuild_that_ends_in_error_fails_the_task_and_is_still_reported_as_requested(
    run_module: RunModule, fake: FakeWorkspacesClient, factory: ClientFactory
) -> None:
    """A rebuild that ends in ERROR fails the task but is still a change, listed in rebuild_requested,
    with AWS's ErrorCode and ErrorMessage."""
    fake.reads_after_action[ws_id(1)] = ("REBUILDING", "ERROR")
    fake.error_details[ws_id(1)] = ("ResourceLimitExceeded", "No capacity for this bundle.")
    run = rebuild(run_module, {"workspace_ids": [ws_id(1)], "wait": True})
    assert (run.rc, run.failed) == (1, True)
    assert run.result["changed"] is True
    assert run.result["rebuild_requested"] == [ws_id(1)]
    assert run.result["failed_requests"] == [
        {
            "workspace_id": ws_id(1),
            "error_code": "RebuildFailed",
            "error_message": "the WorkSpace ended in state ERROR (ResourceLimitExceeded: No capacity for this bundle.)",
        }
    ]


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
    """AWS started the rebuild yet answered 500; read again, the WorkSpace is REBUILDING, so it is not sent
    again and is taken as accepted: the task succeeds and is changed, reporting the WorkSpace
    rebuild_requested (in rebuild_requested and the diff) with the error in its reason, and no error_code."""
    fake.errors_after_accepting[ws_id(1)] = [server_error()]
    fake.reads_after_action[ws_id(1)] = ("REBUILDING", "REBUILDING", "AVAILABLE")
    run = rebuild(run_module, {"workspace_ids": [ws_id(1)]}, diff=True)
    assert (run.rc, run.failed) == (0, False)
    assert run.result["msg"] == "1 WorkSpace: 1 rebuild_requested"
    assert (run.result["changed"], run.result["rebuild_requested"], run.result["failed_requests"]) == (True, [ws_id(1)], [])
    assert run.result["diff"] == {"before": {ws_id(1): "ERROR"}, "after": {ws_id(1): "REBUILDING"}}
    [entry] = run.result["workspaces"]
    assert {key: entry.get(key) for key in ("outcome", "state", "final_state", "error_code", "error_message")} == {
        "outcome": "rebuild_requested",
        "state": "ERROR",
        "final_state": "REBUILDING",
        "error_code": None,
        "error_message": None,
    }
    assert entry["reason"] == (
        "its RebuildWorkspaces call reported InternalServerError (We encountered an internal error. Please try again.), "
        "but it was seen REBUILDING after: taken as accepted"
    )
    assert fake.accepted == [ws_id(1)]
    assert fake.rebuild_calls == [ws_id(1)]

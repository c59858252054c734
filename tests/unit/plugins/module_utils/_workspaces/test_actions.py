# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The action engine with REBUILD: one outcome per WorkSpace, and the calls that led to it."""

from __future__ import annotations

import collections
import dataclasses
import typing as t

import pytest

from ansible_collections.euc.workspaces.plugins.module_utils._workspaces import pace
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.actions import FRESH_STATE_SECONDS
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.actions import REBUILD
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.actions import ActionFailed
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.actions import ActionOptions
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.actions import ActionReport
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.actions import run_action
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.api import WorkspacesApi
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.common import InvalidOptionError
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.retry import OUTAGE_MAX_CONSECUTIVE_FAILURES

from ....helpers.fake_workspaces import BUNDLE
from ....helpers.fake_workspaces import DIRECTORY
from ....helpers.fake_workspaces import OTHER_DIRECTORY
from ....helpers.fake_workspaces import FakeClock
from ....helpers.fake_workspaces import FakeWorkspacesClient
from ....helpers.fake_workspaces import access_denied
from ....helpers.fake_workspaces import client_error
from ....helpers.fake_workspaces import connection_closed
from ....helpers.fake_workspaces import connection_lost
from ....helpers.fake_workspaces import server_error
from ....helpers.fake_workspaces import throttled
from ....helpers.fake_workspaces import when
from ....helpers.fake_workspaces import workspace
from ....helpers.fake_workspaces import ws_id

TARGET = "ws-target001"
ONLY = "only AVAILABLE, ERROR, UNHEALTHY, STOPPED, REBOOTING"
STOPPED_BY = "not requested: the task stopped after an error on another call (Failed to call RebuildWorkspaces: "


def make_options(check_mode: bool = False, **params: t.Any) -> ActionOptions:
    """ActionOptions as the module builds them, with the module's defaults but every state
    AWS allows and require_snapshot off."""
    values: dict[str, t.Any] = dict(
        workspace_ids=None,
        directory_id=None,
        user_names=None,
        bundle_id=None,
        tags=None,
        exclude_tags=None,
        states=list(REBUILD.allowed_states),
        max_workspaces=10,
        max_concurrency=1,
        skip_connected=True,
        # The snapshot is not the point of most tests: the tests of require_snapshot set it.
        require_snapshot=False,
        idempotency_token=None,
        wait=False,
        wait_timeout=3600,
        wait_delay=15,
    )
    values.update(params)
    return ActionOptions.from_params(values, check_mode)


def rebuild(fake: FakeWorkspacesClient, check_mode: bool = False, **params: t.Any) -> ActionReport:
    options = make_options(check_mode, **params)
    return run_action(WorkspacesApi(fake, max_concurrency=options.max_concurrency), REBUILD, options)


def outcomes(report: ActionReport) -> dict[str, dict[str, t.Any]]:
    return {entry["workspace_id"]: entry for entry in report.as_result(with_diff=False)["workspaces"]}


def fleet(*states: str, **fields: t.Any) -> FakeWorkspacesClient:
    """One WorkSpace per state, ws-0000000000, ws-0000000001, ..."""
    return FakeWorkspacesClient([workspace(ws_id(n), state, **fields) for n, state in enumerate(states)])


def _no_setup(_fake: FakeWorkspacesClient) -> None:
    pass


@dataclasses.dataclass(frozen=True)
class Row:
    """One row of the outcome table, for the WorkSpace TARGET."""

    state: str | None  # None: no such WorkSpace
    expected: dict[str, t.Any]  # a subset of TARGET's entry in the result
    requested: bool  # listed in rebuild_requested (and so the task changed something)
    rebuild_calls: int
    params: dict[str, t.Any] = dataclasses.field(default_factory=lambda: {"workspace_ids": [TARGET]})
    setup: t.Callable[[FakeWorkspacesClient], None] = _no_setup


def _failed_request(fake: FakeWorkspacesClient) -> None:
    fake.action_failures[TARGET] = ("InvalidResourceState.Workspace", "The WorkSpace is not in a valid state for this operation.")


def _raises(code: str, message: str) -> t.Callable[[FakeWorkspacesClient], None]:
    def setup(fake: FakeWorkspacesClient) -> None:
        fake.action_errors[TARGET] = [client_error(code, message)]

    return setup


def _reads_after_rebuild(*states: str | None) -> t.Callable[[FakeWorkspacesClient], None]:
    def setup(fake: FakeWorkspacesClient) -> None:
        fake.reads_after_action[TARGET] = states

    return setup


def _reads(*states: str | None) -> t.Callable[[FakeWorkspacesClient], None]:
    """Reads from the first one, the selection's, on."""

    def setup(fake: FakeWorkspacesClient) -> None:
        fake.script(TARGET, *states)

    return setup


def _ends_in_error_with_details(fake: FakeWorkspacesClient) -> None:
    fake.reads_after_action[TARGET] = ("REBUILDING", "ERROR")
    fake.error_details[TARGET] = ("ResourceLimitExceeded.Workspace", "No capacity for this bundle.")


def _connected(fake: FakeWorkspacesClient) -> None:
    fake.set_connection_state(TARGET, "CONNECTED")


def _snapshots(fake: FakeWorkspacesClient) -> None:
    fake.add_snapshot(TARGET, when(2), when(14), when(8))
    fake.add_snapshot(TARGET, when(20), kind="RestoreSnapshots")  # not what a rebuild restores from


def _no_rebuild_tag(fake: FakeWorkspacesClient) -> None:
    fake.tags[TARGET] = {"NoRebuild": "true"}


CONNECTED_REASON = "not requested: its user is connected (ConnectionState CONNECTED right before the request); skip_connected: false acts on it anyway"
NO_SNAPSHOT_REASON = "not requested: it has no rebuild snapshot, so its user volume cannot be restored (require_snapshot: false acts on it anyway)"

WAIT = {"workspace_ids": [TARGET], "wait": True, "wait_timeout": 600, "wait_delay": 15}

OUTCOME_TABLE = [
    pytest.param(
        Row(
            None,
            {
                "outcome": "failed",
                "error_code": "WorkspaceNotFound",
                "state": None,
                "directory_id": None,
                "error_message": f"No WorkSpace {TARGET!r} was found in this region",
            },
            requested=False,
            rebuild_calls=0,
        ),
        id="not-found",
    ),
    pytest.param(Row("REBUILDING", {"outcome": "in_progress", "state": "REBUILDING"}, requested=False, rebuild_calls=0), id="already-rebuilding"),
    pytest.param(
        Row("AVAILABLE", {"outcome": "rebuild_requested", "state": "AVAILABLE", "final_state": "AVAILABLE"}, requested=True, rebuild_calls=1), id="accepted"
    ),
    pytest.param(
        Row(
            "ERROR",
            {"outcome": "failed", "error_code": "InvalidResourceState.Workspace", "error_message": "The WorkSpace is not in a valid state for this operation."},
            requested=False,
            rebuild_calls=1,
            setup=_failed_request,
        ),
        id="failed-requests-entry",
    ),
    pytest.param(
        Row(
            "AVAILABLE",
            {"outcome": "failed", "error_code": "OperationNotSupportedException", "error_message": "The operation is not supported for this WorkSpace."},
            requested=False,
            rebuild_calls=1,
            setup=_raises("OperationNotSupportedException", "The operation is not supported for this WorkSpace."),
        ),
        id="operation-not-supported",
    ),
    pytest.param(
        Row(
            "AVAILABLE",
            {"outcome": "failed", "error_code": "InvalidResourceStateException", "error_message": "The state of the resource is not valid for this operation."},
            requested=False,
            rebuild_calls=1,
            setup=_raises("InvalidResourceStateException", "The state of the resource is not valid for this operation."),
        ),
        id="invalid-resource-state-raised",
    ),
    pytest.param(
        Row(
            "AVAILABLE",
            {"outcome": "skipped", "reason": "state AVAILABLE is not in states (ERROR, UNHEALTHY)"},
            requested=False,
            rebuild_calls=0,
            params={"workspace_ids": [TARGET], "states": ["UNHEALTHY", "ERROR"]},
        ),
        id="state-not-in-states",
    ),
    pytest.param(
        Row(
            "PENDING",
            {"outcome": "skipped", "reason": f"a WorkSpace in state PENDING cannot be rebuilt ({ONLY})"},
            requested=False,
            rebuild_calls=0,
            params={"directory_id": DIRECTORY},
        ),
        id="pending-by-filter",
    ),
    pytest.param(
        Row(
            "SUSPENDED",
            {"outcome": "skipped", "reason": f"a WorkSpace in state SUSPENDED cannot be rebuilt ({ONLY})"},
            requested=False,
            rebuild_calls=0,
            params={"bundle_id": BUNDLE},
        ),
        id="suspended-by-filter",
    ),
    pytest.param(
        Row(
            "PENDING",
            {"outcome": "failed", "error_code": "InvalidWorkspaceState", "error_message": f"a WorkSpace in state PENDING cannot be rebuilt ({ONLY})"},
            requested=False,
            rebuild_calls=0,
        ),
        id="pending-by-id",
    ),
    pytest.param(
        Row(
            "TERMINATED",
            {"outcome": "failed", "error_code": "InvalidWorkspaceState", "error_message": f"a WorkSpace in state TERMINATED cannot be rebuilt ({ONLY})"},
            requested=False,
            rebuild_calls=0,
        ),
        id="terminated-by-id",
    ),
    pytest.param(
        Row(
            "AVAILABLE",
            {"outcome": "skipped", "reason": f"not selected: it is in directory {DIRECTORY!r}, not {OTHER_DIRECTORY!r}"},
            requested=False,
            rebuild_calls=0,
            params={"workspace_ids": [TARGET], "directory_id": OTHER_DIRECTORY},
        ),
        id="excluded-by-directory",
    ),
    pytest.param(Row("AVAILABLE", {"outcome": "rebuilt", "final_state": "AVAILABLE"}, requested=True, rebuild_calls=1, params=WAIT), id="wait-rebuilt"),
    pytest.param(
        Row(
            "AVAILABLE",
            {"outcome": "rebuilt", "final_state": "AVAILABLE"},
            requested=True,
            rebuild_calls=1,
            params=WAIT,
            setup=_reads_after_rebuild("AVAILABLE", "AVAILABLE", "REBUILDING", "AVAILABLE"),
        ),
        id="wait-rebuilt-after-stale-reads",
    ),
    pytest.param(
        Row(
            "ERROR",
            {"outcome": "rebuilt", "final_state": "AVAILABLE"},
            requested=True,
            rebuild_calls=1,
            params=WAIT,
            setup=_reads_after_rebuild("REBUILDING", "AVAILABLE"),
        ),
        id="wait-error-to-available",
    ),
    # Rewritten: ERROR then AVAILABLE, REBUILDING never seen, used to time out; the WorkSpace
    # moved from the state it had at request, so a rebuild done between two polls ends rebuilt.
    pytest.param(
        Row(
            "ERROR",
            {"outcome": "rebuilt", "final_state": "AVAILABLE"},
            requested=True,
            rebuild_calls=1,
            params=WAIT,
            setup=_reads_after_rebuild("ERROR", "AVAILABLE"),
        ),
        id="wait-error-to-available-between-polls-is-rebuilt",
    ),
    pytest.param(
        Row(
            "AVAILABLE",
            {"outcome": "failed", "error_code": "WaitTimeout", "final_state": "AVAILABLE", "error_message": "still AVAILABLE after wait_timeout (600 s)"},
            requested=True,
            rebuild_calls=1,
            params=WAIT,
            setup=_reads_after_rebuild("AVAILABLE"),
        ),
        id="wait-available-never-moved-is-not-trusted",
    ),
    pytest.param(
        Row(
            "AVAILABLE",
            {"outcome": "failed", "error_code": "RebuildFailed", "final_state": "ERROR", "error_message": "the WorkSpace ended in state ERROR"},
            requested=True,
            rebuild_calls=1,
            params=WAIT,
            setup=_reads_after_rebuild("REBUILDING", "ERROR"),
        ),
        id="wait-ended-in-error",
    ),
    pytest.param(
        Row(
            "AVAILABLE",
            {
                "outcome": "failed",
                "error_code": "RebuildFailed",
                "final_state": "ERROR",
                "error_message": "the WorkSpace ended in state ERROR (ResourceLimitExceeded.Workspace: No capacity for this bundle.)",
            },
            requested=True,
            rebuild_calls=1,
            params=WAIT,
            setup=_ends_in_error_with_details,
        ),
        id="wait-ended-in-error-with-aws-details",
    ),
    pytest.param(
        Row(
            "AVAILABLE",
            {
                "outcome": "failed",
                "error_code": "RebuildFailed",
                "final_state": "TERMINATED",
                "error_message": "the WorkSpace became TERMINATED while waiting: the rebuild can no longer end in AVAILABLE",
            },
            requested=True,
            rebuild_calls=1,
            params=WAIT,
            setup=_reads_after_rebuild("REBUILDING", "TERMINATED"),
        ),
        id="wait-terminated",
    ),
    pytest.param(
        Row(
            "ERROR",
            {
                "outcome": "failed",
                "error_code": "RebuildFailed",
                "final_state": "STOPPED",
                "error_message": "the WorkSpace became STOPPED while waiting: the rebuild can no longer end in AVAILABLE",
            },
            requested=True,
            rebuild_calls=1,
            params=WAIT,
            setup=_reads_after_rebuild("STOPPED"),
        ),
        id="wait-stopped",
    ),
    pytest.param(
        Row(
            "ERROR",
            {"outcome": "skipped", "connection_state": "CONNECTED", "reason": CONNECTED_REASON},
            requested=False,
            rebuild_calls=0,
            setup=_connected,
        ),
        id="user-connected",
    ),
    pytest.param(
        Row(
            "ERROR",
            {"outcome": "rebuild_requested", "connection_state": None},
            requested=True,
            rebuild_calls=1,
            params={"workspace_ids": [TARGET], "skip_connected": False},
            setup=_connected,
        ),
        id="user-connected-but-skip-connected-false",
    ),
    pytest.param(
        Row(
            "ERROR",
            {"outcome": "skipped", "snapshot_time": None, "reason": NO_SNAPSHOT_REASON},
            requested=False,
            rebuild_calls=0,
            params={"workspace_ids": [TARGET], "require_snapshot": True},
        ),
        id="no-snapshot",
    ),
    pytest.param(
        Row("ERROR", {"outcome": "rebuild_requested", "snapshot_time": None}, requested=True, rebuild_calls=1, params={"workspace_ids": [TARGET]}),
        id="no-snapshot-but-require-snapshot-false",
    ),
    pytest.param(
        Row(
            "ERROR",
            {"outcome": "rebuild_requested", "snapshot_time": "2024-11-28T14:00:00+00:00"},
            requested=True,
            rebuild_calls=1,
            params={"workspace_ids": [TARGET], "require_snapshot": True},
            setup=_snapshots,
        ),
        id="snapshot-time-is-the-latest",
    ),
    pytest.param(
        Row(
            "ERROR",
            {"outcome": "skipped", "reason": "not selected: excluded by exclude_tags: it carries the tag 'NoRebuild' = 'true'"},
            requested=False,
            rebuild_calls=0,
            params={"workspace_ids": [TARGET], "exclude_tags": {"NoRebuild": "true"}},
            setup=_no_rebuild_tag,
        ),
        id="excluded-by-exclude-tags",
    ),
    pytest.param(
        Row(
            "ERROR",
            {"outcome": "failed", "error_code": "RebuildFailed", "final_state": "UNHEALTHY", "error_message": "the WorkSpace ended in state UNHEALTHY"},
            requested=True,
            rebuild_calls=1,
            params=WAIT,
            setup=_reads_after_rebuild("ERROR", "REBUILDING", "UNHEALTHY"),
        ),
        id="wait-ended-unhealthy",
    ),
    pytest.param(
        Row(
            "AVAILABLE",
            {"outcome": "failed", "error_code": "WaitTimeout", "final_state": "REBUILDING", "error_message": "still REBUILDING after wait_timeout (600 s)"},
            requested=True,
            rebuild_calls=1,
            params=WAIT,
            setup=_reads_after_rebuild("REBUILDING"),
        ),
        id="wait-timeout",
    ),
    pytest.param(
        Row(
            "AVAILABLE",
            {
                "outcome": "failed",
                "error_code": "WorkspaceNotFound",
                "final_state": None,
                "error_message": "the WorkSpace could no longer be found while waiting",
            },
            requested=True,
            rebuild_calls=1,
            params=WAIT,
            setup=_reads_after_rebuild("REBUILDING", None),
        ),
        id="wait-gone",
    ),
    # Rewritten: a WorkSpace found REBUILDING whose rebuild ends while waited on used to stay
    # in_progress; it is now rebuilt, though not requested (no change).
    pytest.param(
        Row(
            "REBUILDING",
            {"outcome": "rebuilt", "final_state": "AVAILABLE"},
            requested=False,
            rebuild_calls=0,
            params=WAIT,
            setup=_reads("REBUILDING", "REBUILDING", "AVAILABLE"),
        ),
        id="wait-in-progress-finishes-rebuilt",
    ),
    pytest.param(
        Row(
            "REBUILDING",
            {"outcome": "failed", "error_code": "RebuildFailed", "final_state": "ERROR"},
            requested=False,
            rebuild_calls=0,
            params=WAIT,
            setup=_reads("REBUILDING", "ERROR"),
        ),
        id="wait-in-progress-fails",
    ),
]


@pytest.mark.parametrize("row", OUTCOME_TABLE)
def test_outcome_table(row: Row) -> None:
    """What happens to one WorkSpace, what the task reports, and how many rebuilds it asked for."""
    fake = FakeWorkspacesClient([] if row.state is None else [workspace(TARGET, row.state)])
    row.setup(fake)
    report = rebuild(fake, **row.params)
    result = report.as_result(with_diff=False)
    entry = outcomes(report)[TARGET]
    assert {key: entry.get(key, "<absent>") for key in row.expected} == row.expected
    assert result["rebuild_requested"] == ([TARGET] if row.requested else [])
    assert result["changed"] is row.requested
    assert len(fake.rebuild_calls) == row.rebuild_calls
    failed = entry["outcome"] == "failed"
    assert report.failed is failed
    assert result["failed_requests"] == (
        [{"workspace_id": TARGET, "error_code": entry["error_code"], "error_message": entry["error_message"]}] if failed else []
    )


@pytest.mark.parametrize("state", REBUILD.allowed_states)
def test_every_state_aws_allows_is_requested(state: str) -> None:
    """Each state RebuildWorkspaces accepts leads to exactly one request naming that WorkSpace."""
    fake = fleet(state)
    report = rebuild(fake, workspace_ids=[ws_id(0)])
    assert report.as_result(False)["rebuild_requested"] == [ws_id(0)]
    assert fake.calls_of("RebuildWorkspaces") == [{"RebuildWorkspaceRequests": [{"WorkspaceId": ws_id(0)}]}]


def test_result_entries_carry_only_the_keys_of_their_outcome() -> None:
    """reason only for skipped, error_code/error_message only for failed; diff only when asked."""
    fake = fleet("AVAILABLE", "PENDING", "AVAILABLE")
    report = rebuild(fake, workspace_ids=[ws_id(0), ws_id(1), ws_id(2)], states=["ERROR"])
    common = {"workspace_id", "outcome", "state", "final_state", "directory_id", "user_name", "computer_name", "bundle_id", "running_mode", "snapshot_time"}
    common.add("connection_state")
    result = report.as_result(with_diff=False)
    assert set(result) == {"changed", "msg", "workspaces", "failed_requests", "rebuild_requested"}
    assert [set(entry) for entry in result["workspaces"]] == [common | {"reason"}, common | {"error_code", "error_message"}, common | {"reason"}]
    assert set(report.as_result(with_diff=True)) == set(result) | {"diff"}


def test_workspaces_are_reported_sorted_by_id() -> None:
    """Found and missing WorkSpaces alike are listed in id order, whatever order AWS used."""
    fake = FakeWorkspacesClient([workspace(ws_id(n)) for n in (5, 3, 9, 1)])
    report = rebuild(fake, workspace_ids=[ws_id(9), "ws-zzzzzzzz", ws_id(1), ws_id(3), ws_id(5), "ws-aaaaaaaa"])
    assert list(outcomes(report)) == [ws_id(1), ws_id(3), ws_id(5), ws_id(9), "ws-aaaaaaaa", "ws-zzzzzzzz"]


def test_check_mode_asks_for_no_rebuild() -> None:
    """Check mode reads only, still predicts the change, the outcomes and the diff (and never waits)."""
    fake = fleet("AVAILABLE", "ERROR", "PENDING")
    report = rebuild(fake, check_mode=True, directory_id=DIRECTORY, wait=True)
    result = report.as_result(with_diff=True)
    # The selection, the snapshots of the two to be rebuilt, and their connections in one call.
    assert fake.operations == ["DescribeWorkspaces", "DescribeWorkspaceSnapshots", "DescribeWorkspaceSnapshots", "DescribeWorkspacesConnectionStatus"]
    assert fake.calls_of("DescribeWorkspacesConnectionStatus") == [{"WorkspaceIds": [ws_id(0), ws_id(1)]}]
    assert result["changed"] is True
    assert result["rebuild_requested"] == [ws_id(0), ws_id(1)]
    assert result["msg"] == "3 WorkSpaces: 2 rebuild_requested, 1 skipped; check mode: nothing was changed"
    assert result["diff"] == {
        "before": {ws_id(0): "AVAILABLE", ws_id(1): "ERROR"},
        "after": {ws_id(0): "REBUILDING", ws_id(1): "REBUILDING"},
    }


@pytest.mark.parametrize(
    ("count", "check_mode", "msg"),
    [
        pytest.param(0, False, "0 WorkSpaces: nothing to do", id="none"),
        pytest.param(1, False, "1 WorkSpace: 1 rebuild_requested", id="one"),
        pytest.param(2, False, "2 WorkSpaces: 2 rebuild_requested", id="two"),
        pytest.param(0, True, "0 WorkSpaces: nothing to do; check mode: nothing was changed", id="none-in-check-mode"),
        pytest.param(1, True, "1 WorkSpace: 1 rebuild_requested; check mode: nothing was changed", id="one-in-check-mode"),
        pytest.param(2, True, "2 WorkSpaces: 2 rebuild_requested; check mode: nothing was changed", id="two-in-check-mode"),
    ],
)
def test_the_summary_counts_the_workspaces_in_words(count: int, check_mode: bool, msg: str) -> None:
    """One WorkSpace is singular, any other number plural; check mode says nothing was changed."""
    fake = fleet(*["AVAILABLE"] * count)
    report = rebuild(fake, check_mode, workspace_ids=[ws_id(n) for n in range(count)])
    assert report.as_result(with_diff=False)["msg"] == msg


def test_check_mode_with_tags_reads_tags_only() -> None:
    """In check mode, a tags selector adds DescribeTags calls (one per WorkSpace) and nothing else."""
    fake = fleet("AVAILABLE", "AVAILABLE")
    fake.tags = {ws_id(1): {"team": "finance"}}
    report = rebuild(fake, check_mode=True, tags={"team": "finance"})
    assert sorted(set(fake.operations)) == ["DescribeTags", "DescribeWorkspaceSnapshots", "DescribeWorkspaces", "DescribeWorkspacesConnectionStatus"]
    assert sorted(params["ResourceId"] for params in fake.calls_of("DescribeTags")) == [ws_id(0), ws_id(1)]
    assert report.as_result(False)["rebuild_requested"] == [ws_id(1)]


@pytest.mark.parametrize("check_mode", [False, True])
def test_max_workspaces_refuses_before_any_rebuild(check_mode: bool) -> None:
    """More WorkSpaces to rebuild than allowed: nothing is requested, every WorkSpace is still reported."""
    fake = fleet("AVAILABLE", "ERROR", "AVAILABLE", "STOPPED", "PENDING")
    with pytest.raises(ActionFailed) as failure:
        rebuild(fake, check_mode, workspace_ids=[ws_id(n) for n in range(5)] + ["ws-missing01"], max_workspaces=3)
    assert str(failure.value) == (
        "4 WorkSpaces would be rebuilt, more than max_workspaces (3); nothing was changed: narrow the selection or raise max_workspaces"
    )
    assert failure.value.error is None
    assert fake.rebuild_calls == []
    result = failure.value.report.as_result(with_diff=False)
    reason = "not requested: 4 WorkSpaces matched, more than max_workspaces (3)"
    assert [(e["workspace_id"], e["outcome"], e.get("reason") or e.get("error_code")) for e in result["workspaces"]] == [
        (ws_id(0), "skipped", reason),
        (ws_id(1), "skipped", reason),
        (ws_id(2), "skipped", reason),
        (ws_id(3), "skipped", reason),
        (ws_id(4), "failed", "InvalidWorkspaceState"),
        ("ws-missing01", "failed", "WorkspaceNotFound"),
    ]
    assert (result["changed"], result["rebuild_requested"]) == (False, [])


def test_max_workspaces_counts_only_the_workspaces_to_rebuild() -> None:
    """Exactly max_workspaces is allowed; in-progress and skipped WorkSpaces do not count."""
    fake = fleet("AVAILABLE", "ERROR", "REBUILDING", "REBUILDING", "PENDING", "SUSPENDED")
    report = rebuild(fake, directory_id=DIRECTORY, max_workspaces=2)
    assert report.as_result(False)["rebuild_requested"] == [ws_id(0), ws_id(1)]


@pytest.mark.parametrize(
    ("error", "code", "message"),
    [
        pytest.param(
            access_denied(),
            "AccessDeniedException",
            "User: arn:aws:iam::123456789012:user/ops is not authorized to perform: workspaces:RebuildWorkspaces",
            id="access-denied",
        ),
        pytest.param(
            client_error("ExpiredTokenException", "The security token included in the request is expired"),
            "ExpiredTokenException",
            "The security token included in the request is expired",
            id="expired-token",
        ),
        pytest.param(
            client_error("UnrecognizedClientException", "The security token is invalid."),
            "UnrecognizedClientException",
            "The security token is invalid.",
            id="bad-credentials",
        ),
    ],
)
def test_a_caller_error_stops_the_run(error: BaseException, code: str, message: str) -> None:
    """The WorkSpaces after the failing call are not requested; those accepted before are reported.
    (Rewritten: a connection that could not be made used to stop the run too; it is now retried,
    see test_a_connection_not_made_is_retried_and_sent_once.)"""
    fake = fleet(*["AVAILABLE"] * 5)
    fake.action_errors[ws_id(2)] = [error]
    with pytest.raises(ActionFailed) as failure:
        rebuild(fake, directory_id=DIRECTORY)
    assert str(failure.value) == "Stopped sending RebuildWorkspaces requests"
    assert failure.value.error is not None and failure.value.error.exception is error
    assert fake.rebuild_calls == [ws_id(0), ws_id(1), ws_id(2)]
    result = failure.value.report.as_result(with_diff=False)
    assert result["rebuild_requested"] == [ws_id(0), ws_id(1)]
    assert result["changed"] is True
    assert [(e["outcome"], e.get("error_code"), e.get("error_message")) for e in result["workspaces"]] == [
        ("rebuild_requested", None, None),
        ("rebuild_requested", None, None),
        ("failed", code, message),
        ("skipped", None, None),
        ("skipped", None, None),
    ]
    for skipped in result["workspaces"][3:]:
        assert skipped["reason"].startswith(STOPPED_BY) and code in skipped["reason"]
    assert "reason" not in result["workspaces"][2]


def test_a_connection_not_made_is_retried_and_sent_once(retry_sleeps: list[float]) -> None:
    """EndpointConnectionError: the request never left, so it is sent again after a backoff, without
    a forced read, and the run goes on. (It used to stop the run like a caller error.)"""
    fake = fleet(*["AVAILABLE"] * 3)
    fake.action_errors[ws_id(1)] = [connection_lost(), connection_lost()]
    report = rebuild(fake, directory_id=DIRECTORY)
    assert fake.rebuild_calls == [ws_id(0), ws_id(1), ws_id(1), ws_id(1), ws_id(2)]
    assert fake.accepted == [ws_id(0), ws_id(1), ws_id(2)]
    assert len(retry_sleeps) == 2 and sum(retry_sleeps) <= 3
    assert fake.calls_of("DescribeWorkspaces") == [{"DirectoryId": DIRECTORY}], "a fresh plan is not read again"
    result = report.as_result(False)
    assert (result["rebuild_requested"], report.failed) == ([ws_id(0), ws_id(1), ws_id(2)], False)


def test_a_caller_error_stops_a_concurrent_run_too() -> None:
    """With 8 calls in flight: no WorkSpace is asked twice, and what AWS accepted is what is reported."""
    fake = fleet(*["AVAILABLE"] * 30)
    fake.action_errors[ws_id(4)] = [access_denied()]
    with pytest.raises(ActionFailed) as failure:
        rebuild(fake, directory_id=DIRECTORY, max_workspaces=30, max_concurrency=8)
    result = failure.value.report.as_result(with_diff=False)
    assert max(collections.Counter(fake.rebuild_calls).values()) == 1
    assert sorted(result["rebuild_requested"]) == sorted(fake.accepted)
    by_id = {entry["workspace_id"]: entry for entry in result["workspaces"]}
    assert by_id[ws_id(4)]["error_code"] == "AccessDeniedException"
    for wid, entry in by_id.items():
        if wid in fake.accepted:
            assert entry["outcome"] == "rebuild_requested"
        elif wid != ws_id(4):
            assert entry["outcome"] == "skipped" and entry["reason"].startswith(STOPPED_BY)
            assert wid not in fake.rebuild_calls


def test_an_error_about_one_workspace_does_not_stop_the_run() -> None:
    """An error that is about one WorkSpace fails that WorkSpace only; the others are still requested."""
    fake = fleet(*["AVAILABLE"] * 4)
    fake.action_errors[ws_id(1)] = [client_error("OperationNotSupportedException", "Not for this WorkSpace.")]
    report = rebuild(fake, directory_id=DIRECTORY)
    assert report.as_result(False)["rebuild_requested"] == [ws_id(0), ws_id(2), ws_id(3)]
    assert report.failed


@pytest.mark.parametrize("max_concurrency", [1, 8])
def test_throttled_rebuilds_are_retried_and_each_accepted_once(max_concurrency: int, retry_sleeps: list[float]) -> None:
    """Throttled calls are retried, each in a slot of the operation's shared pace, until accepted, and
    no WorkSpace is accepted twice; no thread backs off on its own beyond the pace."""
    fake = fleet(*["AVAILABLE"] * 12)
    throttles = 0
    for n in range(0, 12, 2):
        fake.action_errors[ws_id(n)] = [throttled() for _attempt in range(n // 2 + 1)]
        throttles += n // 2 + 1
    report = rebuild(fake, directory_id=DIRECTORY, max_workspaces=12, max_concurrency=max_concurrency)
    assert collections.Counter(fake.accepted) == collections.Counter(ws_id(n) for n in range(12))
    assert len(fake.rebuild_calls) == 12 + throttles
    assert retry_sleeps and all(delay <= max_concurrency / pace.MIN_RATE for delay in retry_sleeps)
    assert report.as_result(False)["rebuild_requested"] == [ws_id(n) for n in range(12)]


@pytest.mark.usefixtures("no_jitter")
def test_a_rebuild_throttled_ten_times_is_accepted_at_the_eleventh_attempt(wait_clock: FakeClock) -> None:
    """Ten throttled attempts then accepted: no call was ever accepted, so the pace falls to its slowest,
    one call every 2 s (20 s in all, under the 60 s outage bound); the WorkSpace is read again before
    the attempts that come more than 5 s after the last read. (Rewritten: AWSRetry used to give up
    after ten tries and fail the WorkSpace alone; then each throttled attempt backed off on its own.)"""
    fake = fleet("AVAILABLE", "AVAILABLE")
    fake.action_errors[ws_id(0)] = [throttled() for _attempt in range(10)]
    report = rebuild(fake, directory_id=DIRECTORY)
    assert fake.rebuild_calls == [ws_id(0)] * 11 + [ws_id(1)]
    assert wait_clock.sleeps == [1 / pace.MIN_RATE] * 11, "ten retries, then the other WorkSpace's slot"
    assert report.as_result(False)["rebuild_requested"] == [ws_id(0), ws_id(1)]
    # Fresh reads, each more than 5 s after the last: at 6, 12 and 18 s (the other WorkSpace read along).
    assert len([params for params in fake.calls_of("DescribeWorkspaces") if "WorkspaceIds" in params]) == 3


@pytest.mark.usefixtures("no_jitter")
def test_a_rebuild_throttled_on_every_attempt_stops_the_run_at_the_outage_bound(wait_clock: FakeClock) -> None:
    """Throttled for 60 s without one success: no new request; the throttled WorkSpace and the ones not
    yet sent are skipped (never accepted: throttling is refused before processing), the run fails.
    (Rewritten from 'a rebuild throttled ten times fails alone': a throttling storm is an outage now.)"""
    fake = fleet("AVAILABLE", "AVAILABLE")
    fake.action_errors[ws_id(0)] = [throttled() for _attempt in range(50)]
    with pytest.raises(ActionFailed) as failure:
        rebuild(fake, directory_id=DIRECTORY)
    assert str(failure.value).startswith("Stopped sending RebuildWorkspaces requests: RebuildWorkspaces kept failing: 31 failed attempts in a row over 60 s")
    assert fake.rebuild_calls == [ws_id(0)] * 31
    assert wait_clock.sleeps == [1 / pace.MIN_RATE] * 30, "one slot of the slowest pace apart; no sleep after the bound"
    result = failure.value.report.as_result(False)
    assert [(e["outcome"], e["reason"].startswith("not requested: the task stopped sending requests: ")) for e in result["workspaces"]] == [
        ("skipped", True),
        ("skipped", True),
    ]
    assert (result["changed"], result["rebuild_requested"], result["failed_requests"]) == (False, [], [])


@pytest.mark.parametrize("max_concurrency", [1, 8])
def test_every_workspace_is_asked_once_one_request_per_call(max_concurrency: int) -> None:
    """Forty WorkSpaces, one RebuildWorkspaces call each, whatever the concurrency."""
    fake = fleet(*["AVAILABLE", "ERROR", "UNHEALTHY", "STOPPED"] * 10)
    report = rebuild(fake, directory_id=DIRECTORY, max_workspaces=40, max_concurrency=max_concurrency)
    assert sorted(fake.rebuild_calls) == [ws_id(n) for n in range(40)]
    assert all(len(params["RebuildWorkspaceRequests"]) == 1 for params in fake.calls_of("RebuildWorkspaces"))
    assert len(report.as_result(False)["rebuild_requested"]) == 40


@pytest.mark.parametrize("max_concurrency", [1, 3])
def test_never_more_than_max_concurrency_rebuilds_in_flight(max_concurrency: int) -> None:
    """max_concurrency bounds the RebuildWorkspaces calls in flight, and above 1 they do overlap."""
    fake = FakeWorkspacesClient([workspace(ws_id(n)) for n in range(18)], rebuild_latency=0.003)
    rebuild(fake, directory_id=DIRECTORY, max_workspaces=18, max_concurrency=max_concurrency)
    assert len(fake.accepted) == 18
    assert fake.peak_rebuilds_in_flight <= max_concurrency
    if max_concurrency > 1:
        assert fake.peak_rebuilds_in_flight > 1, "calls do run concurrently"


def test_diff_shows_the_state_before_and_after() -> None:
    """Only WorkSpaces a rebuild was requested for appear; after is the transitional state without wait."""
    fake = fleet("AVAILABLE", "ERROR", "AVAILABLE", "REBUILDING", "STOPPED")
    fake.action_failures[ws_id(2)] = ("InvalidResourceState", "no")
    diff = rebuild(fake, directory_id=DIRECTORY, states=["AVAILABLE", "ERROR"]).as_result(with_diff=True)["diff"]
    assert diff == {
        "before": {ws_id(0): "AVAILABLE", ws_id(1): "ERROR"},
        "after": {ws_id(0): "REBUILDING", ws_id(1): "REBUILDING"},
    }


def test_diff_after_a_wait_shows_the_state_each_workspace_ended_in() -> None:
    """With wait, after is the state each WorkSpace ended in, success or not."""
    fake = fleet("AVAILABLE", "ERROR")
    fake.reads_after_action[ws_id(1)] = ("REBUILDING", "ERROR")
    with_wait = rebuild(fake, directory_id=DIRECTORY, wait=True).as_result(with_diff=True)
    assert with_wait["diff"] == {
        "before": {ws_id(0): "AVAILABLE", ws_id(1): "ERROR"},
        "after": {ws_id(0): "AVAILABLE", ws_id(1): "ERROR"},
    }


@pytest.mark.parametrize(
    ("states", "params", "msg"),
    [
        pytest.param([], {"directory_id": DIRECTORY}, "0 WorkSpaces: nothing to do", id="nothing"),
        pytest.param(
            ["AVAILABLE", "ERROR", "REBUILDING", "PENDING", "STOPPED"],
            {"workspace_ids": [ws_id(n) for n in range(5)] + ["ws-missing01"], "states": ["AVAILABLE", "ERROR"]},
            "6 WorkSpaces: 2 failed, 1 in_progress, 2 rebuild_requested, 1 skipped",
            id="mixed",
        ),
        pytest.param(["AVAILABLE", "AVAILABLE"], {"directory_id": DIRECTORY, "wait": True}, "2 WorkSpaces: 2 rebuilt", id="rebuilt"),
    ],
)
def test_msg_counts_each_outcome(states: list[str], params: dict[str, t.Any], msg: str) -> None:
    """msg counts the WorkSpaces of each outcome, in alphabetical order of outcome."""
    assert rebuild(fleet(*states), **params).as_result(False)["msg"] == msg


def test_wait_polls_25_waited_workspaces_per_call(wait_clock: FakeClock) -> None:
    """Only the WorkSpaces being waited on are polled, 25 ids a call, wait_delay apart."""
    fake = fleet(*["AVAILABLE"] * 30, *["PENDING"] * 2)
    report = rebuild(fake, directory_id=DIRECTORY, max_workspaces=30, wait=True, wait_delay=20)
    polls = [params for params in fake.calls_of("DescribeWorkspaces") if "WorkspaceIds" in params]
    assert [len(params["WorkspaceIds"]) for params in polls] == [25, 5, 25, 5]
    assert {wid for params in polls for wid in params["WorkspaceIds"]} == {ws_id(n) for n in range(30)}
    # The first poll comes after 1 s (REBUILDING), the second 2 s later (AVAILABLE).
    assert wait_clock.sleeps == [1, 2]
    # The connections were read right before the requests, 25 a call too.
    assert [len(params["WorkspaceIds"]) for params in fake.calls_of("DescribeWorkspacesConnectionStatus")] == [25, 5]
    assert report.as_result(False)["msg"] == "32 WorkSpaces: 30 rebuilt, 2 skipped"


def test_wait_timeout_is_measured_on_the_clock(wait_clock: FakeClock) -> None:
    """wait_timeout counts seconds slept between polls (1, 2, 4, 8 s, then wait_delay); the last poll
    happens at the deadline."""
    fake = fleet("AVAILABLE")
    fake.reads_after_action[ws_id(0)] = ("REBUILDING",)
    entry = outcomes(rebuild(fake, workspace_ids=[ws_id(0)], wait=True, wait_timeout=60, wait_delay=15))[ws_id(0)]
    assert entry["error_code"] == "WaitTimeout"
    assert wait_clock.sleeps == [1, 2, 4, 8, 15, 15, 15]
    assert len(fake.calls_of("DescribeWorkspaces")) == 1 + 7


def test_an_error_while_waiting_stops_the_run_and_keeps_the_report() -> None:
    """An API error while polling ends the run; the rebuilds already accepted are still reported."""
    fake = fleet("AVAILABLE", "AVAILABLE")
    fake.errors["DescribeWorkspaces"] = [None, access_denied("DescribeWorkspaces")]
    with pytest.raises(ActionFailed) as failure:
        rebuild(fake, directory_id=DIRECTORY, wait=True)
    assert str(failure.value) == "Stopped while waiting"
    assert failure.value.error is not None
    assert failure.value.error.exception.response["Error"]["Code"] == "AccessDeniedException"
    result = failure.value.report.as_result(with_diff=False)
    assert result["rebuild_requested"] == [ws_id(0), ws_id(1)]
    assert result["changed"] is True


@pytest.mark.parametrize(
    ("params", "message"),
    [
        pytest.param({}, "one of workspace_ids, directory_id, bundle_id or tags is required", id="no-selector"),
        pytest.param({"directory_id": DIRECTORY, "max_workspaces": 0}, "max_workspaces must be at least 1", id="max-workspaces"),
        pytest.param({"directory_id": DIRECTORY, "max_concurrency": 0}, "max_concurrency must be at least 1", id="max-concurrency"),
        pytest.param({"directory_id": DIRECTORY, "wait_timeout": 0}, "wait_timeout must be at least 1", id="wait-timeout"),
        pytest.param({"directory_id": DIRECTORY, "wait_delay": -5}, "wait_delay must be at least 1", id="wait-delay"),
        pytest.param({"directory_id": DIRECTORY, "states": []}, "states must name at least one state", id="no-states"),
        pytest.param(
            {"workspace_ids": ["bad"], "max_workspaces": 0},
            "malformed WorkSpace ids (not matching ^ws-[0-9a-z]{8,63}$): 'bad'; max_workspaces must be at least 1",
            id="every-problem-at-once",
        ),
        pytest.param(
            {"user_names": ["alice"]},
            "user_names requires directory_id; one of workspace_ids, directory_id, bundle_id or tags is required",
            id="user-names-alone",
        ),
        pytest.param(
            {"workspace_ids": [" ws-abc12345", ""]},
            "malformed WorkSpace ids (not matching ^ws-[0-9a-z]{8,63}$): ' ws-abc12345', ''",
            id="ids-quoted-with-repr",
        ),
        pytest.param(
            {"tags": {"cost_center": 4711}},
            "tags values must be strings: quote the value of 'cost_center' (read as int 4711)",
            id="integer-tag-value",
        ),
        pytest.param(
            {"directory_id": DIRECTORY, "exclude_tags": {"NoRebuild": True}},
            "exclude_tags values must be strings: quote the value of 'NoRebuild' (read as bool True)",
            id="boolean-exclude-tags-value",
        ),
        pytest.param(
            {"directory_id": DIRECTORY, "idempotency_token": "INC 42\n"},
            "idempotency_token must have 1 to 128 letters, digits, spaces or _.:/=+-@ characters, not 'INC 42\\n'",
            id="idempotency-token-with-a-newline",
        ),
        pytest.param(
            {"directory_id": DIRECTORY, "idempotency_token": ""},
            "idempotency_token must have 1 to 128 letters, digits, spaces or _.:/=+-@ characters, not ''",
            id="empty-idempotency-token",
        ),
        pytest.param(
            {"directory_id": DIRECTORY, "idempotency_token": "x" * 129},
            f"idempotency_token must have 1 to 128 letters, digits, spaces or _.:/=+-@ characters, not {'x' * 129!r}",
            id="idempotency-token-too-long",
        ),
    ],
)
def test_unusable_options_fail_before_any_call(params: dict[str, t.Any], message: str) -> None:
    """Every unusable option is named in one message, and AWS is not called at all."""
    fake = fleet("AVAILABLE")
    with pytest.raises(InvalidOptionError) as error:
        rebuild(fake, **params)
    assert str(error.value) == message
    assert fake.calls == []


INVALID_STATE_MESSAGE = "The specified WorkSpace has an invalid state for this operation."
SERVER_ERROR_MESSAGE = "We encountered an internal error. Please try again."
CLOSED_MESSAGE = 'Connection was closed before we received a valid response from endpoint URL: "https://workspaces.us-east-1.amazonaws.com/".'


def taken_as_accepted(code: str, message: str, state: str = "REBUILDING") -> str:
    """The reason of a WorkSpace whose RebuildWorkspaces call reported an error but that was seen moved after it."""
    return f"its RebuildWorkspaces call reported {code} ({message}), but it was seen {state} after: taken as accepted"


@pytest.mark.parametrize("wait", [False, True])
def test_a_server_error_after_the_rebuild_was_accepted_counts_as_requested(wait: bool, retry_sleeps: list[float], wait_clock: FakeClock) -> None:
    """AWS accepted the first attempt yet answered 500. The WorkSpace is read again (forced) before any
    resend: it moved (REBUILDING), so it is not sent again, and it is watched: seen REBUILDING, the rebuild
    was accepted. rebuild_requested (rebuilt after a wait), in rebuild_requested and the diff, a change,
    the error quoted in reason and not failed. (Rewritten: a blind retry used to be sent and refused.)"""
    fake = fleet("AVAILABLE")
    fake.errors_after_accepting[ws_id(0)] = [server_error()]
    # A rebuild lasts far longer than two reads: the polls after the forced read see it REBUILDING too.
    fake.reads_after_action[ws_id(0)] = ("REBUILDING", "REBUILDING", "AVAILABLE")
    report = rebuild(fake, workspace_ids=[ws_id(0)], wait=wait)
    assert fake.rebuild_calls == [ws_id(0)], "not sent again once seen moved"
    assert fake.accepted == [ws_id(0)]
    result = report.as_result(with_diff=True)
    [entry] = result["workspaces"]
    assert entry["outcome"] == ("rebuilt" if wait else "rebuild_requested")
    assert entry["reason"] == taken_as_accepted("InternalServerError", SERVER_ERROR_MESSAGE)
    assert "error_code" not in entry and "error_message" not in entry
    assert (entry["state"], entry["final_state"]) == ("AVAILABLE", "AVAILABLE" if wait else "REBUILDING")
    assert (result["changed"], result["rebuild_requested"], result["failed_requests"]) == (True, [ws_id(0)], [])
    assert result["diff"] == {"before": {ws_id(0): "AVAILABLE"}, "after": {ws_id(0): "AVAILABLE" if wait else "REBUILDING"}}
    assert report.failed is False
    assert result["msg"] == ("1 WorkSpace: 1 rebuilt" if wait else "1 WorkSpace: 1 rebuild_requested")
    # the selection and the forced read, which saw it REBUILDING: accepted, nothing left to confirm;
    # with wait, the polls until it is seen AVAILABLE
    assert fake.calls_of("DescribeWorkspaces") == [{"WorkspaceIds": [ws_id(0)]}] * (4 if wait else 2)
    # one backoff (at most 1 s, jittered), then, with wait, the polls after 1 s and 2 s
    assert 0 <= retry_sleeps[0] <= 1 and retry_sleeps[1:] == ([1, 2] if wait else [])


@pytest.mark.parametrize("wait", [False, True])
def test_the_rebuilding_read_after_the_error_counts_for_the_wait(wait: bool) -> None:
    """The forced read after the 500 saw the WorkSpace REBUILDING; if the polls only see AVAILABLE
    afterwards (a fast rebuild, over in between), it was seen moved: taken as accepted, and with wait rebuilt."""
    fake = fleet("AVAILABLE")
    fake.errors_after_accepting[ws_id(0)] = [server_error()]
    fake.reads_after_action[ws_id(0)] = ("REBUILDING", "AVAILABLE")
    report = rebuild(fake, workspace_ids=[ws_id(0)], wait=wait)
    entry = outcomes(report)[ws_id(0)]
    assert fake.rebuild_calls == [ws_id(0)]
    assert entry["outcome"] == ("rebuilt" if wait else "rebuild_requested")
    assert "error_code" not in entry
    assert report.as_result(False)["rebuild_requested"] == [ws_id(0)]
    assert report.failed is False


def test_a_rebuild_accepted_despite_a_server_error_can_still_fail_while_waited_on() -> None:
    """Taken as accepted after the error, the rebuild is waited on and its end is reported."""
    fake = fleet("AVAILABLE")
    fake.errors_after_accepting[ws_id(0)] = [server_error()]
    fake.reads_after_action[ws_id(0)] = ("REBUILDING", "REBUILDING", "ERROR")
    entry = outcomes(rebuild(fake, workspace_ids=[ws_id(0)], wait=True))[ws_id(0)]
    assert (entry["outcome"], entry["error_code"], entry["final_state"]) == ("failed", "RebuildFailed", "ERROR")


def test_a_connection_dropped_after_the_rebuild_was_accepted_counts_as_requested_and_the_run_goes_on() -> None:
    """The answer was lost on the way back (ConnectionClosedError): the WorkSpace, read again and seen
    REBUILDING, is taken as accepted (rebuild_requested, quoting the error), and the run goes on: a lost
    connection is retried within the outage bound. (Rewritten: a lost connection used to stop the run.)"""
    fake = fleet("AVAILABLE", "AVAILABLE", "AVAILABLE")
    fake.errors_after_accepting[ws_id(1)] = [connection_closed()]
    fake.reads_after_action[ws_id(1)] = ("REBUILDING", "REBUILDING", "AVAILABLE")
    report = rebuild(fake, directory_id=DIRECTORY)
    assert fake.rebuild_calls == [ws_id(0), ws_id(1), ws_id(2)]
    assert fake.accepted == [ws_id(0), ws_id(1), ws_id(2)]
    result = report.as_result(with_diff=True)
    assert [(e["outcome"], e.get("error_code"), e.get("reason"), e["final_state"]) for e in result["workspaces"]] == [
        ("rebuild_requested", None, None, "AVAILABLE"),
        ("rebuild_requested", None, taken_as_accepted("ConnectionClosedError", CLOSED_MESSAGE), "REBUILDING"),
        ("rebuild_requested", None, None, "AVAILABLE"),
    ]
    assert (result["changed"], result["rebuild_requested"], result["failed_requests"], report.failed) == (
        True,
        [ws_id(0), ws_id(1), ws_id(2)],
        [],
        False,
    )


@pytest.mark.parametrize("stale", [False, True])
def test_a_rebuild_started_by_someone_else_meanwhile(stale: bool, wait_clock: FakeClock) -> None:
    """Another rebuild began after the selection read the WorkSpace. With a plan under 5 s old the
    request is sent: AWS's refusal, after a request sent once without an error, is final (failed with
    AWS's code). With a plan over 5 s old (a slow snapshot read here) the fresh read right before the
    request finds it REBUILDING: in_progress, nothing sent. (Rewritten: every refused WorkSpace used to be
    read again and, found REBUILDING, taken as accepted though this run's request never was.)"""
    fake = fleet("AVAILABLE")
    fake.script(ws_id(0), "AVAILABLE", "REBUILDING")
    fake.action_failures[ws_id(0)] = ("InvalidResourceState", INVALID_STATE_MESSAGE)
    if stale:
        fake.hooks["DescribeWorkspaceSnapshots"] = [lambda _fake: wait_clock.advance(FRESH_STATE_SECONDS + 1)]
    result = rebuild(fake, workspace_ids=[ws_id(0)]).as_result(with_diff=False)
    [entry] = result["workspaces"]
    if stale:
        assert (entry["outcome"], entry["final_state"], fake.rebuild_calls) == ("in_progress", "REBUILDING", [])
        assert entry["reason"] == "not requested: it was already REBUILDING when read again right before the request"
        assert (result["changed"], result["failed_requests"]) == (False, [])
    else:
        assert (entry["outcome"], entry["error_code"], entry["error_message"], entry["final_state"]) == (
            "failed",
            "InvalidResourceState",
            INVALID_STATE_MESSAGE,
            "AVAILABLE",
        )
        assert fake.rebuild_calls == [ws_id(0)]
        assert fake.calls_of("DescribeWorkspaces") == [{"WorkspaceIds": [ws_id(0)]}], "a final refusal is not read again"
    assert result["rebuild_requested"] == [] and fake.accepted == []


@pytest.mark.parametrize(
    "state_read_again",
    [
        pytest.param("ERROR", id="unchanged"),
        pytest.param("AVAILABLE", id="now-available"),
        pytest.param("SUSPENDED", id="now-suspended"),
        pytest.param(None, id="now-gone"),
    ],
)
def test_a_genuine_refusal_stays_failed_with_the_aws_code_verbatim(state_read_again: str | None) -> None:
    """Refused after one attempt without an error: failed with AWS's code and message as they came,
    whatever the WorkSpace does after, and not read again (only an ambiguous attempt is)."""
    fake = fleet("ERROR", "AVAILABLE")
    fake.script(ws_id(0), "ERROR", state_read_again)
    fake.action_failures[ws_id(0)] = ("InvalidResourceState.Workspace", "The WorkSpace is not in a valid state for this operation.")
    report = rebuild(fake, directory_id=DIRECTORY)
    result = report.as_result(with_diff=False)
    entry = outcomes(report)[ws_id(0)]
    assert (entry["outcome"], entry["error_code"], entry["error_message"], entry["final_state"]) == (
        "failed",
        "InvalidResourceState.Workspace",
        "The WorkSpace is not in a valid state for this operation.",
        "ERROR",
    )
    assert "reason" not in entry
    assert result["failed_requests"] == [
        {"workspace_id": ws_id(0), "error_code": "InvalidResourceState.Workspace", "error_message": "The WorkSpace is not in a valid state for this operation."}
    ]
    assert result["rebuild_requested"] == [ws_id(1)]
    assert fake.calls_of("DescribeWorkspaces") == [{"DirectoryId": DIRECTORY}]


@pytest.mark.parametrize(
    ("describe_error", "stops"),
    [
        pytest.param(connection_lost(), False, id="connection-lost-is-retried"),
        pytest.param(access_denied("DescribeWorkspaces"), True, id="access-denied-stops"),
    ],
)
def test_when_the_forced_read_fails_the_workspace_is_not_sent_again_and_is_watched(describe_error: BaseException, stops: bool) -> None:
    """After a 500, the WorkSpace must be read before any resend. A connection error on that read is
    retried like any read; a caller error stops the run, and the WorkSpace, whose request may have been
    accepted, is watched (not reported failed nor skipped): seen REBUILDING, taken as accepted.
    (Rewritten: the refused WorkSpaces used to keep the error recorded before the read.)"""
    fake = fleet("AVAILABLE", "AVAILABLE")
    fake.errors_after_accepting[ws_id(0)] = [server_error()]
    fake.reads_after_action[ws_id(0)] = ("REBUILDING", "REBUILDING", "AVAILABLE")
    fake.errors["DescribeWorkspaces"] = [None, describe_error]
    if stops:
        with pytest.raises(ActionFailed) as failure:
            rebuild(fake, directory_id=DIRECTORY)
        assert str(failure.value) == "Stopped sending RebuildWorkspaces requests"
        assert failure.value.error is not None and failure.value.error.exception is describe_error
        report = failure.value.report
    else:
        report = rebuild(fake, directory_id=DIRECTORY)
    entries = outcomes(report)
    assert (entries[ws_id(0)]["outcome"], entries[ws_id(0)]["reason"]) == ("rebuild_requested", taken_as_accepted("InternalServerError", SERVER_ERROR_MESSAGE))
    assert fake.rebuild_calls.count(ws_id(0)) == 1
    assert entries[ws_id(1)]["outcome"] == ("skipped" if stops else "rebuild_requested")
    assert report.as_result(False)["rebuild_requested"] == ([ws_id(0)] if stops else [ws_id(0), ws_id(1)])


def test_when_the_forced_read_fails_for_good_after_a_lost_connection_the_outage_stops_the_run() -> None:
    """The connection is gone for the forced read too, attempt after attempt, up to the outage bound:
    the WorkSpace is not sent again, it is watched (here seen REBUILDING: accepted), and the run stops.
    (Rewritten: it used to stay failed with the connection error.)"""
    fake = fleet("AVAILABLE")
    fake.errors_after_accepting[ws_id(0)] = [connection_closed()]
    fake.reads_after_action[ws_id(0)] = ("REBUILDING", "REBUILDING", "AVAILABLE")
    fake.errors["DescribeWorkspaces"] = [None] + [connection_lost() for _attempt in range(OUTAGE_MAX_CONSECUTIVE_FAILURES)]
    with pytest.raises(ActionFailed) as failure:
        rebuild(fake, workspace_ids=[ws_id(0)])
    assert str(failure.value).startswith("Stopped sending RebuildWorkspaces requests: describe WorkSpaces kept failing: 6 failed attempts in a row")
    [entry] = failure.value.report.as_result(with_diff=False)["workspaces"]
    assert (entry["outcome"], entry["reason"]) == ("rebuild_requested", taken_as_accepted("ConnectionClosedError", CLOSED_MESSAGE))
    assert fake.rebuild_calls == [ws_id(0)]


@pytest.mark.parametrize("refused", [0, 1, 25, 26, 30])
@pytest.mark.parametrize("max_concurrency", [1, 4])
def test_refused_workspaces_are_not_read_again(refused: int, max_concurrency: int) -> None:
    """A refusal (in FailedRequests or by a raised error alike) of a request sent once, without an
    ambiguous error before, is final: no DescribeWorkspaces after the selection, however many were refused.
    (Rewritten: every refused WorkSpace used to be read again, 25 per call.)"""
    fake = fleet(*["AVAILABLE"] * 30)
    for n in range(refused):
        if n % 2:
            fake.action_errors[ws_id(n)] = [client_error("OperationNotSupportedException", "Not for this WorkSpace.")]
        else:
            fake.action_failures[ws_id(n)] = ("InvalidResourceState.Workspace", "Not now.")
    report = rebuild(fake, directory_id=DIRECTORY, max_workspaces=30, max_concurrency=max_concurrency)
    assert fake.calls_of("DescribeWorkspaces") == [{"DirectoryId": DIRECTORY}, {"DirectoryId": DIRECTORY, "NextToken": "page-25"}]
    assert sorted(fake.rebuild_calls) == [ws_id(n) for n in range(30)]
    result = report.as_result(with_diff=False)
    assert len(result["failed_requests"]) == refused
    assert len(result["rebuild_requested"]) == 30 - refused

# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The API wrappers, against a real botocore client stubbed with botocore.stub.Stubber.

Stubber checks every request against botocore's WorkSpaces model and every expected
parameter exactly, so these tests prove the requests are ones AWS accepts. No request
leaves the process: Stubber answers before anything is sent.
"""

from __future__ import annotations

import base64
import json
import threading
import typing as t

import botocore.session
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from ansible_collections.euc.workspaces.plugins.module_utils._workspaces import pace
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.actions import REBUILD
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.actions import ActionOptions
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.actions import run_action
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.api import WorkspacesApi
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.common import WorkspacesError
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.info import InfoOptions
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.info import describe_selected
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.retry import Clock

from ....helpers.fake_workspaces import DIRECTORY
from ....helpers.fake_workspaces import FakeClock
from ....helpers.fake_workspaces import FakeWorkspacesClient
from ....helpers.fake_workspaces import client_error
from ....helpers.fake_workspaces import throttled
from ....helpers.fake_workspaces import when
from ....helpers.fake_workspaces import workspace
from ....helpers.fake_workspaces import ws_id

_SESSION = botocore.session.get_session()


@pytest.fixture
def client() -> t.Any:
    """A real WorkSpaces client; its endpoint is local so nothing could ever reach AWS."""
    return _SESSION.create_client(
        "workspaces",
        region_name="us-east-1",
        endpoint_url="http://127.0.0.1:9",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture
def stubber(client: t.Any) -> t.Iterator[Stubber]:
    with Stubber(client) as stub:
        yield stub
        stub.assert_no_pending_responses()


def _ids(entries: list[dict]) -> list[str]:
    return [entry["WorkspaceId"] for entry in entries]


def test_describe_by_ids_asks_25_ids_at_a_time(client: t.Any, stubber: Stubber) -> None:
    """30 ids: two DescribeWorkspaces requests of 25 and 5 ids, results concatenated in order."""
    ids = [ws_id(n) for n in range(30)]
    for batch in (ids[:25], ids[25:]):
        stubber.add_response("describe_workspaces", {"Workspaces": [workspace(wid) for wid in batch]}, {"WorkspaceIds": batch})
    assert _ids(WorkspacesApi(client).describe_workspaces_by_ids(ids)) == ids


def test_describe_follows_next_token(client: t.Any, stubber: Stubber) -> None:
    """Every page of DescribeWorkspaces is read, the filter repeated with each NextToken."""
    stubber.add_response("describe_workspaces", {"Workspaces": [workspace(ws_id(1))], "NextToken": "next-1"}, {"DirectoryId": DIRECTORY})
    stubber.add_response("describe_workspaces", {"Workspaces": [workspace(ws_id(2))]}, {"DirectoryId": DIRECTORY, "NextToken": "next-1"})
    assert _ids(WorkspacesApi(client).describe_workspaces(DirectoryId=DIRECTORY)) == [ws_id(1), ws_id(2)]


def test_describe_tags_returns_a_dict(client: t.Any, stubber: Stubber) -> None:
    """DescribeTags' TagList becomes a plain dict, keys untouched."""
    stubber.add_response(
        "describe_tags",
        {"TagList": [{"Key": "team", "Value": "finance"}, {"Key": "CostCenter", "Value": "42"}]},
        {"ResourceId": ws_id(1)},
    )
    assert WorkspacesApi(client).describe_tags(ws_id(1)) == {"team": "finance", "CostCenter": "42"}


def test_tags_of_a_workspace_that_has_gone_are_empty(client: t.Any, stubber: Stubber) -> None:
    """ResourceNotFoundException from DescribeTags means no tags, not an error."""
    stubber.add_client_error("describe_tags", "ResourceNotFoundException", "gone", 400, expected_params={"ResourceId": ws_id(1)})
    assert WorkspacesApi(client).describe_tags(ws_id(1)) == {}


def test_describe_snapshots_returns_both_lists(client: t.Any, stubber: Stubber) -> None:
    """DescribeWorkspaceSnapshots yields both snapshot lists as AWS returned them."""
    stubber.add_response(
        "describe_workspace_snapshots",
        {"RebuildSnapshots": [{"SnapshotTime": when(2)}], "RestoreSnapshots": []},
        {"WorkspaceId": ws_id(1)},
    )
    assert WorkspacesApi(client).describe_workspace_snapshots(ws_id(1)) == {
        "RebuildSnapshots": [{"SnapshotTime": when(2)}],
        "RestoreSnapshots": [],
    }


def test_snapshots_of_a_workspace_that_has_gone_are_empty(client: t.Any, stubber: Stubber) -> None:
    """ResourceNotFoundException from DescribeWorkspaceSnapshots means no snapshots, not an error."""
    stubber.add_client_error("describe_workspace_snapshots", "ResourceNotFoundException", "gone", 400)
    assert WorkspacesApi(client).describe_workspace_snapshots(ws_id(1)) == {}


def test_connection_status_asks_25_ids_at_a_time_and_follows_pages(client: t.Any, stubber: Stubber) -> None:
    """Connection status: 25 ids a request, every page of each batch read."""
    ids = [ws_id(n) for n in range(26)]
    stubber.add_response(
        "describe_workspaces_connection_status",
        {"WorkspacesConnectionStatus": [{"WorkspaceId": wid} for wid in ids[:10]], "NextToken": "page-2"},
        {"WorkspaceIds": ids[:25]},
    )
    stubber.add_response(
        "describe_workspaces_connection_status",
        {"WorkspacesConnectionStatus": [{"WorkspaceId": wid} for wid in ids[10:25]]},
        {"WorkspaceIds": ids[:25], "NextToken": "page-2"},
    )
    stubber.add_response(
        "describe_workspaces_connection_status",
        {"WorkspacesConnectionStatus": [{"WorkspaceId": ids[25], "ConnectionState": "CONNECTED"}]},
        {"WorkspaceIds": ids[25:]},
    )
    assert _ids(WorkspacesApi(client).describe_connection_status(ids)) == ids


def test_rebuild_sends_one_request_and_returns_failed_requests(client: t.Any, stubber: Stubber) -> None:
    """RebuildWorkspaces gets one request and its FailedRequests come back verbatim."""
    failure = {"WorkspaceId": ws_id(1), "ErrorCode": "InvalidResourceState", "ErrorMessage": "Not now."}
    stubber.add_response("rebuild_workspaces", {"FailedRequests": [failure]}, {"RebuildWorkspaceRequests": [{"WorkspaceId": ws_id(1)}]})
    assert WorkspacesApi(client).request_action("RebuildWorkspaces", "RebuildWorkspaceRequests", [ws_id(1)]) == [failure]


def test_tags_are_written_and_removed_with_valid_requests(client: t.Any, stubber: Stubber) -> None:
    """CreateTags and DeleteTags, as the idempotency_token marker uses them, are requests AWS accepts."""
    stubber.add_response("create_tags", {}, {"ResourceId": ws_id(1), "Tags": [{"Key": "euc.workspaces:rebuild-token", "Value": "INC0012345"}]})
    stubber.add_response("delete_tags", {}, {"ResourceId": ws_id(1), "TagKeys": ["euc.workspaces:rebuild-token"]})
    workspaces = WorkspacesApi(client)
    workspaces.create_tags(ws_id(1), {"euc.workspaces:rebuild-token": "INC0012345"})
    workspaces.delete_tags(ws_id(1), ["euc.workspaces:rebuild-token"])


@pytest.mark.parametrize(
    ("code", "status"),
    [("ThrottlingException", 400), ("Throttling", 400), ("RequestLimitExceeded", 400), ("InternalServerError", 500), ("ServiceUnavailable", 503)],
)
def test_throttled_and_transient_read_errors_are_retried(client: t.Any, stubber: Stubber, retry_sleeps: list[float], code: str, status: int) -> None:
    """A read is safe to repeat: throttling and server errors, WorkSpaces' own codes included, are retried,
    a throttled one in the next slot of the operation's pace (no call accepted yet: its slowest, 2 s),
    a server error after a jittered backoff of at most 1 s."""
    stubber.add_client_error("describe_workspaces", code, "slow down", status)
    stubber.add_response("describe_workspaces", {"Workspaces": [workspace(ws_id(1))]}, {"WorkspaceIds": [ws_id(1)]})
    assert _ids(WorkspacesApi(client).describe_workspaces_by_ids([ws_id(1)])) == [ws_id(1)]
    assert len(retry_sleeps) == 1
    if status < 500:
        assert retry_sleeps == [1 / pace.MIN_RATE]
    else:
        assert 0 <= retry_sleeps[0] <= 1


@pytest.mark.parametrize(
    ("code", "status"),
    [("ThrottlingException", 400), ("InternalServerError", 500), ("AccessDeniedException", 400)],
)
def test_a_mutating_call_makes_exactly_one_attempt(client: t.Any, stubber: Stubber, retry_sleeps: list[float], code: str, status: int) -> None:
    """RebuildWorkspaces is never retried by the API layer (the engine decides, after a fresh read):
    the botocore error leaves as it came, without a sleep. (Rewritten: AWSRetry used to retry it.)"""
    stubber.add_client_error("rebuild_workspaces", code, "no", status)
    with pytest.raises(ClientError) as error:
        WorkspacesApi(client).request_action("RebuildWorkspaces", "RebuildWorkspaceRequests", [ws_id(1)])
    assert error.value.response["Error"]["Code"] == code
    assert retry_sleeps == []


def test_other_errors_are_raised_at_once_as_workspaces_error(client: t.Any, stubber: Stubber, retry_sleeps: list[float]) -> None:
    """Read errors that are not transient are not retried and keep AWS's code and message."""
    stubber.add_client_error("describe_workspaces", "AccessDeniedException", "Not authorized", 400)
    with pytest.raises(WorkspacesError) as error:
        WorkspacesApi(client).describe_workspaces(DirectoryId=DIRECTORY)
    assert error.value.message == "Failed to describe WorkSpaces"
    assert error.value.exception.response["Error"] == {"Code": "AccessDeniedException", "Message": "Not authorized"}
    assert retry_sleeps == []


def test_a_rebuild_run_sends_only_valid_requests(client: t.Any, stubber: Stubber) -> None:
    """The engine's whole conversation for a two-WorkSpace rebuild with wait, request by request."""
    first, second = ws_id(1), ws_id(2)
    stubber.add_response(
        "describe_workspaces",
        {"Workspaces": [workspace(first, "AVAILABLE"), workspace(second, "ERROR")]},
        {"WorkspaceIds": [first, second]},
    )
    for wid in (first, second):
        stubber.add_response("describe_workspace_snapshots", {"RebuildSnapshots": [{"SnapshotTime": when(2)}], "RestoreSnapshots": []}, {"WorkspaceId": wid})
    # One connection read for both, right before the first request.
    stubber.add_response(
        "describe_workspaces_connection_status",
        {"WorkspacesConnectionStatus": [{"WorkspaceId": wid, "ConnectionState": "DISCONNECTED"} for wid in (first, second)]},
        {"WorkspaceIds": [first, second]},
    )
    for wid in (first, second):
        stubber.add_response("rebuild_workspaces", {"FailedRequests": []}, {"RebuildWorkspaceRequests": [{"WorkspaceId": wid}]})
    # The second still reads ERROR (a stale read), then REBUILDING: only then does AVAILABLE count.
    stubber.add_response(
        "describe_workspaces",
        {"Workspaces": [workspace(first, "REBUILDING"), workspace(second, "ERROR")]},
        {"WorkspaceIds": [first, second]},
    )
    stubber.add_response(
        "describe_workspaces",
        {"Workspaces": [workspace(first, "AVAILABLE"), workspace(second, "REBUILDING")]},
        {"WorkspaceIds": [first, second]},
    )
    stubber.add_response("describe_workspaces", {"Workspaces": [workspace(second, "AVAILABLE")]}, {"WorkspaceIds": [second]})
    options = ActionOptions.from_params(
        dict(
            workspace_ids=[first, second], states=list(REBUILD.allowed_states), max_workspaces=10, max_concurrency=1, wait=True, wait_timeout=600, wait_delay=10
        ),
        check_mode=False,
    )
    report = run_action(WorkspacesApi(client), REBUILD, options)
    assert [(o.workspace_id, o.outcome, o.final_state, o.snapshot_time, o.connection_state) for o in report.outcomes] == [
        (first, "rebuilt", "AVAILABLE", "2024-11-28T02:00:00+00:00", "DISCONNECTED"),
        (second, "rebuilt", "AVAILABLE", "2024-11-28T02:00:00+00:00", "DISCONNECTED"),
    ]


def test_an_idempotency_token_run_sends_only_valid_requests(client: t.Any, stubber: Stubber) -> None:
    """With idempotency_token: DescribeTags in the plan, CreateTags right before the request,
    DeleteTags when AWS refused it; every request one AWS accepts."""
    wid = ws_id(1)
    marker = {"Key": "euc.workspaces:rebuild-token", "Value": "CHG-42"}
    stubber.add_response("describe_workspaces", {"Workspaces": [workspace(wid, "ERROR")]}, {"WorkspaceIds": [wid]})
    stubber.add_response("describe_tags", {"TagList": []}, {"ResourceId": wid})
    stubber.add_response("describe_workspace_snapshots", {"RebuildSnapshots": [], "RestoreSnapshots": []}, {"WorkspaceId": wid})
    stubber.add_response("create_tags", {}, {"ResourceId": wid, "Tags": [marker]})
    stubber.add_response(
        "rebuild_workspaces",
        {"FailedRequests": [{"WorkspaceId": wid, "ErrorCode": "InvalidResourceState", "ErrorMessage": "Not now."}]},
        {"RebuildWorkspaceRequests": [{"WorkspaceId": wid}]},
    )
    stubber.add_response("delete_tags", {}, {"ResourceId": wid, "TagKeys": [marker["Key"]]})
    options = ActionOptions.from_params(
        dict(
            workspace_ids=[wid],
            states=["ERROR"],
            max_workspaces=10,
            max_concurrency=1,
            wait=False,
            wait_timeout=600,
            wait_delay=10,
            skip_connected=False,
            require_snapshot=False,
            idempotency_token="CHG-42",
        ),
        check_mode=False,
    )
    [outcome] = run_action(WorkspacesApi(client), REBUILD, options).outcomes
    assert (outcome.outcome, outcome.error_code, outcome.snapshot_time) == ("failed", "InvalidResourceState", None)


def test_a_failed_request_without_workspace_id_is_the_requested_workspaces(client: t.Any, stubber: Stubber) -> None:
    """One WorkSpace per call: whatever FailedRequests says, it is about that WorkSpace."""
    stubber.add_response("describe_workspaces", {"Workspaces": [workspace(ws_id(1))]}, {"WorkspaceIds": [ws_id(1)]})
    stubber.add_response("describe_workspace_snapshots", {"RebuildSnapshots": [{"SnapshotTime": when(1)}]}, {"WorkspaceId": ws_id(1)})
    stubber.add_response("describe_workspaces_connection_status", {"WorkspacesConnectionStatus": []}, {"WorkspaceIds": [ws_id(1)]})
    stubber.add_response(
        "rebuild_workspaces",
        {"FailedRequests": [{"ErrorCode": "ResourceLimitExceeded.Workspace", "ErrorMessage": "Too many rebuilds."}]},
        {"RebuildWorkspaceRequests": [{"WorkspaceId": ws_id(1)}]},
    )
    # A refusal of a request that was sent once, without an earlier error, is final: no read after it.
    options = ActionOptions.from_params(
        dict(workspace_ids=[ws_id(1)], states=list(REBUILD.allowed_states), max_workspaces=10, max_concurrency=1, wait=False, wait_timeout=600, wait_delay=10),
        check_mode=False,
    )
    [outcome] = run_action(WorkspacesApi(client), REBUILD, options).outcomes
    assert (outcome.outcome, outcome.error_code, outcome.error_message, outcome.requested) == (
        "failed",
        "ResourceLimitExceeded.Workspace",
        "Too many rebuilds.",
        False,
    )


def test_an_info_run_sends_only_valid_requests(client: t.Any, stubber: Stubber) -> None:
    """workspace_info's conversation with every detail asked for, request by request."""
    wid = ws_id(1)
    stubber.add_response("describe_workspaces", {"Workspaces": [workspace(wid)]}, {"BundleId": "wsb-0123456789"})
    stubber.add_response("describe_tags", {"TagList": [{"Key": "team", "Value": "hr"}]}, {"ResourceId": wid})
    stubber.add_response("describe_workspace_snapshots", {"RebuildSnapshots": [], "RestoreSnapshots": []}, {"WorkspaceId": wid})
    stubber.add_response(
        "describe_workspaces_connection_status",
        {"WorkspacesConnectionStatus": [{"WorkspaceId": wid, "ConnectionState": "DISCONNECTED"}]},
        {"WorkspaceIds": [wid]},
    )
    options = InfoOptions.from_params(
        dict(bundle_id="wsb-0123456789", include_tags=True, include_snapshots=True, include_connection_status=True, max_concurrency=1)
    )
    [result] = describe_selected(WorkspacesApi(client), options).workspaces
    assert (result["tags"], result["connection_state"]) == ({"team": "hr"}, "DISCONNECTED")


Call = t.Callable[[WorkspacesApi], t.Any]

# The reads of a run, by operation, as other threads of the same task make them.
OTHER_READS: dict[str, Call] = {
    "DescribeTags": lambda workspaces: workspaces.describe_tags(ws_id(2)),
    "DescribeWorkspaceSnapshots": lambda workspaces: workspaces.describe_workspace_snapshots(ws_id(2)),
    "DescribeWorkspaces": lambda workspaces: workspaces.describe_workspaces_by_ids([ws_id(2)]),
    "DescribeWorkspacesConnectionStatus": lambda workspaces: workspaces.describe_connection_status([ws_id(2)]),
}
# The boto3 method of each operation: the paces are kept by it.
METHODS = {
    "DescribeTags": "describe_tags",
    "DescribeWorkspaceSnapshots": "describe_workspace_snapshots",
    "DescribeWorkspaces": "describe_workspaces",
    "DescribeWorkspacesConnectionStatus": "describe_workspaces_connection_status",
}


@pytest.mark.parametrize(
    ("operation", "throttled_call", "answer"),
    [
        pytest.param("DescribeTags", lambda workspaces: workspaces.describe_tags(ws_id(1)), {"team": "finance"}, id="tags"),
        pytest.param(
            "DescribeWorkspaceSnapshots",
            lambda workspaces: workspaces.describe_workspace_snapshots(ws_id(1)),
            {"RebuildSnapshots": [], "RestoreSnapshots": []},
            id="snapshots",
        ),
        pytest.param("DescribeWorkspaces", lambda workspaces: _ids(workspaces.describe_workspaces_by_ids([ws_id(1)])), [ws_id(1)], id="describe"),
        pytest.param(
            "DescribeWorkspacesConnectionStatus",
            lambda workspaces: workspaces.describe_connection_status([ws_id(1)]),
            [{"WorkspaceId": ws_id(1), "ConnectionState": "UNKNOWN"}],
            id="connection-status",
        ),
    ],
)
def test_a_throttled_read_slows_its_own_operation_only(operation: str, throttled_call: Call, answer: t.Any) -> None:
    """AWS throttles each operation on its own: a read throttled three times waits for its operation's
    slots (2 s apart at the slowest pace), while the other operations' calls, made meanwhile by other
    threads of the same run, go out at once, without a wait of their own."""
    fake = FakeWorkspacesClient([workspace(ws_id(1)), workspace(ws_id(2))])
    fake.tags[ws_id(1)] = {"team": "finance"}
    fake.errors[operation] = [throttled(operation) for _attempt in range(3)]
    clock = FakeClock()
    delays: list[float] = []

    def sleep(seconds: float) -> None:
        delays.append(seconds)
        clock.sleep(seconds)
        scripted, fake.errors = fake.errors, {}
        for other, read in OTHER_READS.items():
            if other != operation:
                read(workspaces)
        fake.errors = scripted

    workspaces = WorkspacesApi(fake, Clock(sleep=sleep, monotonic=clock.monotonic))
    assert throttled_call(workspaces) == answer
    assert delays == [1 / pace.MIN_RATE] * 3, "the other operations' calls never waited"
    assert all(workspaces.pace.of(METHODS[other]).rate is None for other in OTHER_READS if other != operation)


class VirtualClock:
    """One clock for every thread: sleeping moves a thread's own time on, and the clock reads the latest."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.now = 0.0
        self.delays: list[float] = []

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.delays.append(seconds)
            self.now += seconds

    def monotonic(self) -> float:
        with self._lock:
            return self.now


def test_concurrent_throttled_rebuilds_share_one_pace() -> None:
    """Eight threads, each WorkSpace's rebuild throttled five times: the retries wait for the slots of
    one shared pace, and the answers to the calls in flight together cut it once, not once each;
    each WorkSpace is accepted once.
    (Rewritten: each thread used to back off on its own, 1, 2, 4, 8, 8 s, whatever the others did.)"""
    workers = 8
    ids = [ws_id(n) for n in range(workers)]
    fake = FakeWorkspacesClient([workspace(wid) for wid in ids])
    for wid in ids:
        fake.action_errors[wid] = [throttled() for _attempt in range(5)]
    clock = VirtualClock()
    options = ActionOptions.from_params(
        dict(
            workspace_ids=ids,
            states=["AVAILABLE"],
            max_workspaces=workers,
            max_concurrency=workers,
            wait=False,
            wait_timeout=600,
            wait_delay=15,
            require_snapshot=False,
        ),
        check_mode=False,
    )
    api = WorkspacesApi(fake, Clock(sleep=clock.sleep, monotonic=clock.monotonic))
    report = run_action(api, REBUILD, options)
    assert sorted(fake.accepted) == ids
    assert len(fake.rebuild_calls) == workers * 6
    assert report.as_result(False)["rebuild_requested"] == ids
    assert api.pace.of("rebuild_workspaces").rate is not None
    assert clock.delays and all(delay <= workers / pace.MIN_RATE for delay in clock.delays)


def test_each_run_has_its_own_outage_bound(retry_sleeps: list[float]) -> None:
    """The outage bound is run-wide, not process-wide: a run that hit it does not stop the next one.
    (Rewritten: it used to check that no AWSRetry decorator was shared between calls.)"""
    fake = FakeWorkspacesClient([workspace(ws_id(1))])
    fake.errors["DescribeWorkspaces"] = [client_error("InternalServerError", "oops", "DescribeWorkspaces", status=500) for _attempt in range(6)]
    first = WorkspacesApi(fake)
    with pytest.raises(WorkspacesError):
        first.describe_workspaces()
    assert first.outage.reason is not None
    second = WorkspacesApi(fake)
    assert second.outage.reason is None
    assert _ids(second.describe_workspaces()) == [ws_id(1)]


def test_a_next_token_that_looks_like_a_botocore_token_still_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """AWS's NextToken is opaque: one that happens to be base64 JSON must still be sent as it came."""
    def json_page(items: list[t.Any], token: str | None, size: int, operation: str) -> tuple[list[t.Any], str | None]:
        start = 0 if token is None else json.loads(base64.b64decode(token))["after"]
        end = start + size
        return items[start:end], (base64.b64encode(json.dumps({"after": end}).encode()).decode() if end < len(items) else None)

    monkeypatch.setattr(FakeWorkspacesClient, "_page", staticmethod(json_page))
    fake = FakeWorkspacesClient([workspace(ws_id(number)) for number in range(60)])
    found = WorkspacesApi(fake).describe_workspaces()
    assert [entry["WorkspaceId"] for entry in found] == [ws_id(number) for number in range(60)]
    assert [params.get("NextToken") is not None for params in fake.calls_of("DescribeWorkspaces")] == [False, True, True]


@pytest.mark.parametrize("read", ["states", "connection-status"])
def test_the_batches_of_one_read_are_asked_at_once(read: str) -> None:
    """75 ids with max_concurrency 3: the three calls of 25 ids are in flight together (each waits for
    the other two: asked one after the other, the first would wait in vain), the answers in id order."""
    ids = [ws_id(n) for n in range(75)]
    fake = FakeWorkspacesClient([workspace(wid, "AVAILABLE") for wid in ids])
    together = threading.Barrier(3, timeout=10)
    operation = "DescribeWorkspaces" if read == "states" else "DescribeWorkspacesConnectionStatus"
    fake.hooks[operation] = [lambda _fake: together.wait()] * 3
    api = WorkspacesApi(fake, max_concurrency=3)
    if read == "states":
        assert list(api.read_states(ids)) == ids
    else:
        assert [status["WorkspaceId"] for status in api.describe_connection_status(ids)] == ids
    assert sorted(len(params["WorkspaceIds"]) for params in fake.calls_of(operation)) == [25, 25, 25]


def test_one_thread_asks_the_batches_one_after_the_other() -> None:
    """The default of a WorkspacesApi: one call at a time, in id order."""
    ids = [ws_id(n) for n in range(30)]
    fake = FakeWorkspacesClient([workspace(wid, "AVAILABLE") for wid in ids])
    assert list(WorkspacesApi(fake).read_states(ids)) == ids
    assert [params["WorkspaceIds"] for params in fake.calls_of("DescribeWorkspaces")] == [ids[:25], ids[25:]]

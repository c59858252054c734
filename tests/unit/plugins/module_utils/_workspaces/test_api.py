# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The API wrappers, against a real botocore client stubbed with botocore.stub.Stubber.

Stubber checks every request against botocore's WorkSpaces model and every expected
parameter exactly, so these tests prove the requests are ones AWS accepts. No request
leaves the process: Stubber answers before anything is sent.
"""

from __future__ import annotations

import threading
import types
import typing as t

import botocore.session
import pytest
from botocore.stub import Stubber

from ansible_collections.amazon.aws.plugins.module_utils import cloud

from ansible_collections.euc.workspaces.plugins.module_utils._workspaces import api
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.actions import REBUILD
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.actions import ActionOptions
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.actions import run_action
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.common import WorkspacesError
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.info import InfoOptions
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.info import describe_selected

from ....helpers.fake_workspaces import DIRECTORY
from ....helpers.fake_workspaces import FakeWorkspacesClient
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
    assert _ids(api.describe_workspaces_by_ids(client, ids)) == ids


def test_describe_follows_next_token(client: t.Any, stubber: Stubber) -> None:
    """Every page of DescribeWorkspaces is read, the filter repeated with each NextToken."""
    stubber.add_response("describe_workspaces", {"Workspaces": [workspace(ws_id(1))], "NextToken": "next-1"}, {"DirectoryId": DIRECTORY})
    stubber.add_response("describe_workspaces", {"Workspaces": [workspace(ws_id(2))]}, {"DirectoryId": DIRECTORY, "NextToken": "next-1"})
    assert _ids(api.describe_workspaces(client, DirectoryId=DIRECTORY)) == [ws_id(1), ws_id(2)]


def test_describe_tags_returns_a_dict(client: t.Any, stubber: Stubber) -> None:
    """DescribeTags' TagList becomes a plain dict, keys untouched."""
    stubber.add_response(
        "describe_tags",
        {"TagList": [{"Key": "team", "Value": "finance"}, {"Key": "CostCenter", "Value": "42"}]},
        {"ResourceId": ws_id(1)},
    )
    assert api.describe_tags(client, ws_id(1)) == {"team": "finance", "CostCenter": "42"}


def test_tags_of_a_workspace_that_has_gone_are_empty(client: t.Any, stubber: Stubber) -> None:
    """ResourceNotFoundException from DescribeTags means no tags, not an error."""
    stubber.add_client_error("describe_tags", "ResourceNotFoundException", "gone", 400, expected_params={"ResourceId": ws_id(1)})
    assert api.describe_tags(client, ws_id(1)) == {}


def test_describe_snapshots_returns_both_lists(client: t.Any, stubber: Stubber) -> None:
    """DescribeWorkspaceSnapshots yields both snapshot lists as AWS returned them."""
    stubber.add_response(
        "describe_workspace_snapshots",
        {"RebuildSnapshots": [{"SnapshotTime": when(2)}], "RestoreSnapshots": []},
        {"WorkspaceId": ws_id(1)},
    )
    assert api.describe_workspace_snapshots(client, ws_id(1)) == {
        "RebuildSnapshots": [{"SnapshotTime": when(2)}],
        "RestoreSnapshots": [],
    }


def test_snapshots_of_a_workspace_that_has_gone_are_empty(client: t.Any, stubber: Stubber) -> None:
    """ResourceNotFoundException from DescribeWorkspaceSnapshots means no snapshots, not an error."""
    stubber.add_client_error("describe_workspace_snapshots", "ResourceNotFoundException", "gone", 400)
    assert api.describe_workspace_snapshots(client, ws_id(1)) == {}


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
    assert _ids(api.describe_connection_status(client, ids)) == ids


def test_rebuild_sends_one_request_and_returns_failed_requests(client: t.Any, stubber: Stubber) -> None:
    """RebuildWorkspaces gets one request and its FailedRequests come back verbatim."""
    failure = {"WorkspaceId": ws_id(1), "ErrorCode": "InvalidResourceState", "ErrorMessage": "Not now."}
    stubber.add_response("rebuild_workspaces", {"FailedRequests": [failure]}, {"RebuildWorkspaceRequests": [{"WorkspaceId": ws_id(1)}]})
    assert api.rebuild_workspaces(client, [ws_id(1)]) == [failure]


@pytest.mark.parametrize("code", ["ThrottlingException", "Throttling", "RequestLimitExceeded", "InternalServerError"])
def test_throttled_and_transient_errors_are_retried(client: t.Any, stubber: Stubber, retry_sleeps: list[float], code: str) -> None:
    """Throttling and transient server errors, WorkSpaces' own codes included, are retried."""
    stubber.add_client_error("rebuild_workspaces", code, "slow down", 400)
    stubber.add_response("rebuild_workspaces", {"FailedRequests": []}, {"RebuildWorkspaceRequests": [{"WorkspaceId": ws_id(1)}]})
    assert api.rebuild_workspaces(client, [ws_id(1)]) == []
    assert len(retry_sleeps) == 1


def test_retries_give_up_after_ten_tries(client: t.Any, stubber: Stubber, retry_sleeps: list[float]) -> None:
    """Ten tries in all (nine sleeps), then the last error is raised as WorkspacesError."""
    for _attempt in range(10):
        stubber.add_client_error("describe_workspaces", "ThrottlingException", "Rate exceeded", 400)
    with pytest.raises(WorkspacesError) as error:
        api.describe_workspaces(client)
    assert error.value.message == "Failed to describe WorkSpaces"
    assert error.value.exception.response["Error"]["Code"] == "ThrottlingException"
    assert len(retry_sleeps) == 9


def test_other_errors_are_raised_at_once_as_workspaces_error(client: t.Any, stubber: Stubber, retry_sleeps: list[float]) -> None:
    """Errors that are not transient are not retried and keep AWS's code and message."""
    stubber.add_client_error("rebuild_workspaces", "AccessDeniedException", "Not authorized", 400)
    with pytest.raises(WorkspacesError) as error:
        api.rebuild_workspaces(client, [ws_id(1)])
    assert error.value.message == "Failed to rebuild WorkSpaces"
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
    report = run_action(client, REBUILD, options)
    assert [(o.workspace_id, o.outcome, o.final_state) for o in report.outcomes] == [
        (first, "rebuilt", "AVAILABLE"),
        (second, "rebuilt", "AVAILABLE"),
    ]


def test_a_failed_request_without_workspace_id_is_the_requested_workspaces(client: t.Any, stubber: Stubber) -> None:
    """One WorkSpace per call: whatever FailedRequests says, it is about that WorkSpace."""
    stubber.add_response("describe_workspaces", {"Workspaces": [workspace(ws_id(1))]}, {"WorkspaceIds": [ws_id(1)]})
    stubber.add_response(
        "rebuild_workspaces",
        {"FailedRequests": [{"ErrorCode": "ResourceLimitExceeded.Workspace", "ErrorMessage": "Too many rebuilds."}]},
        {"RebuildWorkspaceRequests": [{"WorkspaceId": ws_id(1)}]},
    )
    # A refused WorkSpace is read once more: still AVAILABLE, so the refusal stands.
    stubber.add_response("describe_workspaces", {"Workspaces": [workspace(ws_id(1))]}, {"WorkspaceIds": [ws_id(1)]})
    options = ActionOptions.from_params(
        dict(workspace_ids=[ws_id(1)], states=list(REBUILD.allowed_states), max_workspaces=10, max_concurrency=1, wait=False, wait_timeout=600, wait_delay=10),
        check_mode=False,
    )
    [outcome] = run_action(client, REBUILD, options).outcomes
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
    [result] = describe_selected(client, options)
    assert (result["tags"], result["connection_state"]) == ({"team": "hr"}, "DISCONNECTED")


Call = t.Callable[[], t.Any]


def _rebuild_throttled(fake: FakeWorkspacesClient, times: int) -> Call:
    fake.rebuild_errors[ws_id(1)] = [throttled() for _attempt in range(times)]
    return lambda: api.rebuild_workspaces(fake, [ws_id(1)])


def _tags_throttled(fake: FakeWorkspacesClient, times: int) -> Call:
    fake.errors["DescribeTags"] = [throttled("DescribeTags") for _attempt in range(times)]
    fake.tags[ws_id(1)] = {"team": "finance"}
    return lambda: api.describe_tags(fake, ws_id(1))


def _snapshots_throttled(fake: FakeWorkspacesClient, times: int) -> Call:
    fake.errors["DescribeWorkspaceSnapshots"] = [throttled("DescribeWorkspaceSnapshots") for _attempt in range(times)]
    return lambda: api.describe_workspace_snapshots(fake, ws_id(1))


def _describe_throttled(fake: FakeWorkspacesClient, times: int) -> Call:
    fake.errors["DescribeWorkspaces"] = [throttled("DescribeWorkspaces") for _attempt in range(times)]
    return lambda: _ids(api.describe_workspaces_by_ids(fake, [ws_id(1)]))


def _connection_status_throttled(fake: FakeWorkspacesClient, times: int) -> Call:
    fake.errors["DescribeWorkspacesConnectionStatus"] = [throttled("DescribeWorkspacesConnectionStatus") for _attempt in range(times)]
    return lambda: api.describe_connection_status(fake, [ws_id(1)])


@pytest.fixture
def no_jitter(monkeypatch: pytest.MonkeyPatch) -> None:
    """amazon.aws's jitter draws each delay in [0, delay]: always the top makes delays exact."""
    monkeypatch.setattr(cloud, "random", types.SimpleNamespace(uniform=lambda _low, high: high))


@pytest.mark.usefixtures("no_jitter")
@pytest.mark.parametrize(
    ("throttled_call", "answer"),
    [
        pytest.param(_rebuild_throttled, [], id="rebuild"),
        pytest.param(_tags_throttled, {"team": "finance"}, id="tags"),
        pytest.param(_snapshots_throttled, {"RebuildSnapshots": [], "RestoreSnapshots": []}, id="snapshots"),
        pytest.param(_describe_throttled, [ws_id(1)], id="describe"),
        pytest.param(_connection_status_throttled, [{"WorkspaceId": ws_id(1), "ConnectionState": "UNKNOWN"}], id="connection-status"),
    ],
)
def test_each_call_has_its_own_backoff(monkeypatch: pytest.MonkeyPatch, throttled_call: t.Callable[[FakeWorkspacesClient, int], Call], answer: t.Any) -> None:
    """Calls share one client across threads; one call's backoff must not depend on the others.

    A retried call must wait longer and longer (3 s, 6 s, 12 s without jitter) whatever
    other calls do meanwhile: neither be reset to 3 s when another call starts, nor jump
    towards the 60 s cap because other calls are retrying too. Here, as another thread of
    the same task would, a second call starts while the throttled one sleeps.
    """
    fake = FakeWorkspacesClient([workspace(ws_id(1)), workspace(ws_id(2))])
    call = throttled_call(fake, 3)
    delays: list[float] = []

    def sleep(seconds: float) -> None:
        delays.append(seconds)
        # Other workers' calls of every kind, answered at once, during the sleep.
        scripted, fake.errors = fake.errors, {}
        api.describe_tags(fake, ws_id(2))
        api.describe_workspace_snapshots(fake, ws_id(2))
        api.describe_workspaces_by_ids(fake, [ws_id(2)])
        api.describe_connection_status(fake, [ws_id(2)])
        fake.errors = scripted

    monkeypatch.setattr(cloud, "time", types.SimpleNamespace(sleep=sleep))
    assert call() == answer
    assert delays == [3, 6, 12]


@pytest.mark.usefixtures("no_jitter")
def test_concurrent_throttled_calls_each_have_their_own_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Eight threads, each rebuild throttled five times, all retrying at once: each thread
    sleeps its own 3, 6, 12, 24, 48 s, as if it were alone, and each WorkSpace is accepted once."""
    workers = 8
    ids = [ws_id(n) for n in range(workers)]
    fake = FakeWorkspacesClient([workspace(wid) for wid in ids])
    for wid in ids:
        fake.rebuild_errors[wid] = [throttled() for _attempt in range(5)]
    # Every thread sleeps at the same time as all the others, so their backoffs interleave.
    in_step = threading.Barrier(workers, timeout=10)
    delays: dict[str, list[float]] = {wid: [] for wid in ids}
    answers: dict[str, t.Any] = {}

    def sleep(seconds: float) -> None:
        delays[threading.current_thread().name].append(seconds)
        in_step.wait()

    def rebuild(wid: str) -> None:
        answers[wid] = api.rebuild_workspaces(fake, [wid])

    monkeypatch.setattr(cloud, "time", types.SimpleNamespace(sleep=sleep))
    threads = [threading.Thread(target=rebuild, args=(wid,), name=wid) for wid in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    assert answers == {wid: [] for wid in ids}
    assert delays == {wid: [3, 6, 12, 24, 48] for wid in ids}
    assert sorted(fake.accepted) == ids
    assert len(fake.rebuild_calls) == workers * 6


def test_retry_decorator_is_a_new_one_each_time() -> None:
    """No decorator, and so no backoff position, is shared between two calls."""
    assert api.retry_decorator() is not api.retry_decorator()

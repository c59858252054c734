# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The engine's safety rules under faults: fresh state right before each request, requests whose
answer was lost, the run-wide outage bound, dead ends while waiting, connected users, snapshots,
exclude_tags, idempotency_token, and runs that stop before any change.

Each test asserts what the task reports and the calls that led to it (``fake.calls``).
"""

from __future__ import annotations

import collections
import typing as t

import pytest

from ansible_collections.euc.workspaces.plugins.module_utils._workspaces import actions
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.actions import CONFIRM_SECONDS
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.actions import FRESH_STATE_SECONDS
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.actions import REBUILD
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.actions import ActionFailed
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.actions import ActionReport
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.api import WorkspacesApi
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.retry import BACKOFF_DELAY
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.retry import BACKOFF_MAX_DELAY
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.retry import OUTAGE_MAX_CONSECUTIVE_FAILURES
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.retry import OUTAGE_MAX_SECONDS

from ....helpers.fake_workspaces import DIRECTORY
from ....helpers.fake_workspaces import FakeClock
from ....helpers.fake_workspaces import FakeWorkspacesClient
from ....helpers.fake_workspaces import access_denied
from ....helpers.fake_workspaces import client_error
from ....helpers.fake_workspaces import connection_closed
from ....helpers.fake_workspaces import read_timeout
from ....helpers.fake_workspaces import server_error
from ....helpers.fake_workspaces import throttled
from ....helpers.fake_workspaces import when
from ....helpers.fake_workspaces import workspace
from ....helpers.fake_workspaces import ws_id
from .test_actions import fleet
from .test_actions import make_options
from .test_actions import outcomes
from .test_actions import rebuild

W0 = ws_id(0)
MARKER = REBUILD.token_tag_key
INVALID_STATE = ("InvalidResourceState", "The specified WorkSpace has an invalid state for this operation.")
READS = ("DescribeWorkspaces", "DescribeTags", "DescribeWorkspaceSnapshots", "DescribeWorkspacesConnectionStatus")
# The longest backoff before the outage bound stops a run failing with server errors: 1, 2, 4, 8, 8 s.
LONGEST_BACKOFF = sum(min(BACKOFF_DELAY * 2**n, BACKOFF_MAX_DELAY) for n in range(OUTAGE_MAX_CONSECUTIVE_FAILURES - 1))


def result_of(report: ActionReport) -> dict[str, t.Any]:
    return report.as_result(with_diff=True)


def rebuild_or_failure(fake: FakeWorkspacesClient, **params: t.Any) -> tuple[ActionReport, ActionFailed | None]:
    try:
        return rebuild(fake, **params), None
    except ActionFailed as failure:
        return failure.report, failure


def selection_reads(fake: FakeWorkspacesClient) -> int:
    return len(fake.calls_of("DescribeWorkspaces"))


def after_first(fake: FakeWorkspacesClient, operation: str) -> list[str]:
    """The operations after the first call of operation."""
    return fake.operations[fake.operations.index(operation) + 1 :]


# ---------------------------------------------------------------------- fresh state


@pytest.mark.usefixtures("no_jitter")
@pytest.mark.parametrize(
    ("read_again", "connection", "outcome", "detail", "rebuild_calls"),
    [
        pytest.param(
            "AVAILABLE",
            "UNKNOWN",
            "skipped",
            "not requested: read again right before the request, it was AVAILABLE (it was ERROR when selected), not one of states (ERROR)",
            3,
            id="turned-available-is-skipped",
        ),
        pytest.param(
            "SUSPENDED",
            "UNKNOWN",
            "skipped",
            "not requested: read again right before the request, it was SUSPENDED (it was ERROR when selected), not one of states (ERROR)",
            3,
            id="turned-suspended-is-skipped",
        ),
        pytest.param(
            "REBUILDING", "UNKNOWN", "in_progress", "not requested: it was already REBUILDING when read again right before the request", 3, id="rebuilding"
        ),
        pytest.param(None, "UNKNOWN", "failed", "the WorkSpace could no longer be found right before the request", 3, id="gone"),
        pytest.param(
            "ERROR",
            "CONNECTED",
            "skipped",
            "not requested: its user is connected (ConnectionState CONNECTED right before the request); skip_connected: false acts on it anyway",
            3,
            id="user-connected-meanwhile",
        ),
        pytest.param("ERROR", "DISCONNECTED", "rebuild_requested", None, 4, id="still-eligible-is-requested"),
    ],
)
def test_a_plan_older_than_5_s_is_read_again_right_before_the_request(
    wait_clock: FakeClock, read_again: str | None, connection: str, outcome: str, detail: str | None, rebuild_calls: int
) -> None:
    """Throttled three times (the pace then gives a slot every 2 s), the plan is 6 s old at the fourth
    attempt: the state and the connection are read again after its wait and before it, and only a
    WorkSpace still eligible is sent."""
    fake = fleet("ERROR")
    fake.action_errors[W0] = [throttled() for _attempt in range(3)]
    fake.script(W0, "ERROR", read_again)
    fake.hooks["DescribeWorkspacesConnectionStatus"] = [None, lambda fake: fake.set_connection_state(W0, connection)]
    report = rebuild(fake, workspace_ids=[W0], states=["ERROR"])
    entry = outcomes(report)[W0]
    assert entry["outcome"] == outcome
    assert entry.get("reason", entry.get("error_message")) == detail
    assert wait_clock.sleeps == [2, 2, 2]
    assert len(fake.rebuild_calls) == rebuild_calls
    # The fresh read comes after the third (throttled) attempt, at 6 s: not before the second (2 s) nor the third (4 s).
    rebuilds_before = [index for index, op in enumerate(fake.operations) if op == "RebuildWorkspaces"][:3]
    assert fake.operations[rebuilds_before[2] + 1 : rebuilds_before[2] + 3] == ["DescribeWorkspaces", "DescribeWorkspacesConnectionStatus"]
    assert fake.calls_of("DescribeWorkspaces") == [{"WorkspaceIds": [W0]}] * 2
    assert report.as_result(False)["rebuild_requested"] == ([W0] if outcome == "rebuild_requested" else [])


@pytest.mark.parametrize(
    ("age", "read_again"),
    [pytest.param(FRESH_STATE_SECONDS - 0.1, False, id="4.9-s-is-fresh"), pytest.param(FRESH_STATE_SECONDS + 0.1, True, id="5.1-s-is-stale")],
)
def test_only_a_read_older_than_5_s_is_read_again(wait_clock: FakeClock, age: float, read_again: bool) -> None:
    """The plan's read is trusted for 5 s (engine clock): here a slow snapshot read ages it."""
    fake = fleet("ERROR")
    fake.script(W0, "ERROR", "AVAILABLE")
    fake.hooks["DescribeWorkspaceSnapshots"] = [lambda _fake: wait_clock.advance(age)]
    entry = outcomes(rebuild(fake, workspace_ids=[W0], states=["ERROR"]))[W0]
    assert selection_reads(fake) == (2 if read_again else 1)
    assert (entry["outcome"], fake.rebuild_calls) == (("skipped", []) if read_again else ("rebuild_requested", [W0]))


@pytest.mark.parametrize("max_concurrency", [1, 4])
def test_stale_states_are_read_again_25_ids_a_call(wait_clock: FakeClock, max_concurrency: int) -> None:
    """30 WorkSpaces whose plan went stale: the fresh reads (state and connection) take 25 ids a call,
    the WorkSpaces still queued filling the first call, not one call per request."""
    fake = fleet(*["ERROR"] * 30)
    fake.hooks["DescribeWorkspaceSnapshots"] = [lambda _fake: wait_clock.advance(FRESH_STATE_SECONDS + 1)]
    report = rebuild(fake, directory_id=DIRECTORY, max_workspaces=30, max_concurrency=max_concurrency)
    fresh = [params["WorkspaceIds"] for params in fake.calls_of("DescribeWorkspaces") if "WorkspaceIds" in params]
    connections = [params["WorkspaceIds"] for params in fake.calls_of("DescribeWorkspacesConnectionStatus")]
    for reads in (fresh, connections):
        if max_concurrency == 1:
            assert [len(ids) for ids in reads] == [25, 5]
        else:
            # Senders that started before the first fresh read hold their WorkSpace: one more small call each at most.
            assert all(len(ids) <= 25 for ids in reads) and len(reads) <= 2 + max_concurrency - 1
        assert sorted(wid for ids in reads for wid in ids) == [ws_id(n) for n in range(30)], "each WorkSpace read again once"
    assert len(report.as_result(False)["rebuild_requested"]) == 30
    first_rebuild = fake.operations.index("RebuildWorkspaces")
    assert "DescribeWorkspaces" in fake.operations[:first_rebuild], "read again before the first request"


def test_a_fresh_plan_costs_no_read_before_the_request() -> None:
    """With no time passed since the selection, no DescribeWorkspaces is made before the request;
    connections are read once (skip_connected), for up to 25 WorkSpaces a call."""
    fake = fleet("ERROR", "UNHEALTHY")
    rebuild(fake, directory_id=DIRECTORY)
    assert fake.operations == [
        "DescribeWorkspaces",
        "DescribeWorkspaceSnapshots",
        "DescribeWorkspaceSnapshots",
        "DescribeWorkspacesConnectionStatus",
        "RebuildWorkspaces",
        "RebuildWorkspaces",
    ]


# ---------------------------------------------------------------------- answers lost


AMBIGUOUS_ERRORS = [
    pytest.param(server_error, "InternalServerError", id="500"),
    pytest.param(lambda: server_error(code="ServiceUnavailable", status=503), "ServiceUnavailable", id="503"),
    pytest.param(connection_closed, "ConnectionClosedError", id="connection-closed"),
    pytest.param(read_timeout, "ReadTimeoutError", id="read-timeout"),
]


@pytest.mark.parametrize(("make_error", "code"), AMBIGUOUS_ERRORS)
def test_a_lost_answer_with_a_stale_read_ends_accepted_and_waited_on(make_error: t.Callable[[], BaseException], code: str) -> None:
    """AWS accepted the rebuild but the answer was lost; the forced read still shows the old state
    (stale), so the request is sent again and refused (the WorkSpace is REBUILDING). That refusal may be
    the first request's doing: the WorkSpace is watched, seen REBUILDING, taken as accepted, waited on
    to its end. Accepted once, a change, not failed."""
    fake = fleet("AVAILABLE")
    fake.errors_after_accepting[W0] = [make_error()]
    fake.reads_after_action[W0] = ("AVAILABLE", "REBUILDING", "AVAILABLE")
    report = rebuild(fake, workspace_ids=[W0], wait=True)
    result = result_of(report)
    [entry] = result["workspaces"]
    assert (entry["outcome"], entry["final_state"]) == ("rebuilt", "AVAILABLE")
    assert entry["reason"].startswith(f"its RebuildWorkspaces call reported {code} (")
    assert f"; a retry was then refused with {INVALID_STATE[0]}: {INVALID_STATE[1]}), but it was seen REBUILDING after: taken as accepted" in entry["reason"]
    assert (result["changed"], result["rebuild_requested"], result["failed_requests"], report.failed) == (True, [W0], [], False)
    assert fake.accepted == [W0]
    assert fake.calls_about(W0) == [
        "DescribeWorkspaces",  # the selection
        "DescribeWorkspaceSnapshots",
        "DescribeWorkspacesConnectionStatus",
        "RebuildWorkspaces",  # accepted, answer lost
        "DescribeWorkspaces",  # forced read before any resend: stale AVAILABLE
        "DescribeWorkspacesConnectionStatus",
        "RebuildWorkspaces",  # refused: REBUILDING
        "DescribeWorkspaces",  # poll after 1 s: REBUILDING, confirmed
        "DescribeWorkspaces",  # poll after 2 s more: AVAILABLE, rebuilt
    ]


@pytest.mark.parametrize(("make_error", "code"), AMBIGUOUS_ERRORS)
@pytest.mark.parametrize("wait", [False, True])
def test_a_refusal_after_an_ambiguous_error_is_watched_and_never_moved_is_unknown(
    wait_clock: FakeClock, make_error: t.Callable[[], BaseException], code: str, wait: bool
) -> None:
    """The first attempt failed ambiguously (it was in fact not accepted), the resend is refused: the
    WorkSpace is watched for CONFIRM_SECONDS (with or without wait), never moves: outcome unknown, a
    change, the task fails, listed in failed_requests (and the diff), not in rebuild_requested."""
    fake = fleet("ERROR")
    fake.action_errors[W0] = [make_error()]
    fake.action_failures[W0] = ("InvalidResourceState", "Not now.")
    report = rebuild(fake, workspace_ids=[W0], wait=wait, wait_timeout=3600)
    result = result_of(report)
    [entry] = result["workspaces"]
    assert (entry["outcome"], entry["error_code"], entry["final_state"]) == ("unknown", code, "ERROR")
    assert entry["error_message"].startswith("the RebuildWorkspaces request may have been accepted (")
    assert "; a retry was then refused with InvalidResourceState: Not now.)" in entry["error_message"]
    assert entry["error_message"].endswith(f"but the WorkSpace did not move from ERROR within {CONFIRM_SECONDS:.0f} s: check it before running again")
    assert (result["changed"], report.failed, result["rebuild_requested"]) == (True, True, [])
    assert result["failed_requests"] == [{"workspace_id": W0, "error_code": code, "error_message": entry["error_message"]}]
    assert result["diff"] == {"before": {W0: "ERROR"}, "after": {W0: "ERROR"}}
    assert result["msg"] == "1 WorkSpace: 1 unknown"
    assert fake.rebuild_calls == [W0, W0] and fake.accepted == []
    # Watched from the refusal for CONFIRM_SECONDS, not for wait_timeout.
    polls = after_first(fake, "RebuildWorkspaces")[3:]
    assert set(polls) == {"DescribeWorkspaces"}
    assert CONFIRM_SECONDS <= wait_clock.slept <= CONFIRM_SECONDS + 1


@pytest.mark.parametrize(
    "setup",
    [
        pytest.param(lambda fake: fake.action_errors.__setitem__(W0, [server_error()] * 10), id="server-errors-until-the-outage"),
        pytest.param(lambda fake: fake.action_errors.__setitem__(W0, [server_error(), access_denied()]), id="access-denied-after-a-500"),
        pytest.param(
            lambda fake: fake.action_errors.__setitem__(W0, [read_timeout(), client_error("OperationNotSupportedException", "No.")]),
            id="refused-after-a-timeout",
        ),
    ],
)
def test_every_way_to_end_without_knowing_is_unknown(setup: t.Callable[[FakeWorkspacesClient], None]) -> None:
    """Whatever ends the attempts after an ambiguous one (the outage bound, a caller error, a final
    refusal), a WorkSpace whose request may have been accepted and that never moved is unknown: never
    failed, never skipped, never 'not changed'."""
    fake = fleet("ERROR")
    setup(fake)
    report, _failure = rebuild_or_failure(fake, workspace_ids=[W0])
    result = result_of(report)
    assert [e["outcome"] for e in result["workspaces"]] == ["unknown"]
    assert (result["changed"], report.failed, result["rebuild_requested"], len(result["failed_requests"])) == (True, True, [], 1)


@pytest.mark.parametrize("max_concurrency", [1, 3])
def test_rebuild_failing_with_5xx_on_every_call_stops_within_the_outage_bound(wait_clock: FakeClock, max_concurrency: int) -> None:
    """100 % 500s on RebuildWorkspaces for 3 WorkSpaces: after 6 failed attempts in a row no new request
    is sent; the WorkSpaces attempted are unknown (watched CONFIRM_SECONDS), the others skipped with the
    outage reason; the run fails; the time spent is bounded by the backoffs plus the watch, well under
    a minute, and no request is sent after the bound is reached."""
    fake = fleet("ERROR", "ERROR", "ERROR")
    fake.errors["RebuildWorkspaces"] = [server_error() for _attempt in range(100)]
    sent_at: list[float] = []
    fake.hooks["RebuildWorkspaces"] = [lambda _fake: sent_at.append(wait_clock.now)] * 100
    with pytest.raises(ActionFailed) as failure:
        rebuild(fake, directory_id=DIRECTORY, max_concurrency=max_concurrency)
    assert str(failure.value).startswith(
        f"Stopped sending RebuildWorkspaces requests: RebuildWorkspaces kept failing: {OUTAGE_MAX_CONSECUTIVE_FAILURES} failed attempts in a row"
    )
    assert failure.value.error is None
    calls = fake.rebuild_calls
    assert OUTAGE_MAX_CONSECUTIVE_FAILURES <= len(calls) <= OUTAGE_MAX_CONSECUTIVE_FAILURES + max_concurrency - 1
    assert max(sent_at) <= LONGEST_BACKOFF
    assert wait_clock.slept <= LONGEST_BACKOFF + CONFIRM_SECONDS < OUTAGE_MAX_SECONDS
    result = failure.value.report.as_result(with_diff=False)
    by_outcome = collections.defaultdict(list)
    for entry in result["workspaces"]:
        by_outcome[entry["outcome"]].append(entry)
    assert {e["workspace_id"] for e in by_outcome["unknown"]} == set(calls)
    assert len(by_outcome["unknown"]) + len(by_outcome["skipped"]) == 3
    for skipped in by_outcome["skipped"]:
        assert skipped["reason"].startswith("not requested: the task stopped sending requests: RebuildWorkspaces kept failing")
    assert (result["changed"], result["rebuild_requested"]) == (True, [])
    assert len(result["failed_requests"]) == len(by_outcome["unknown"])
    assert fake.accepted == []


def test_a_user_connecting_after_a_lost_answer_does_not_hide_the_accepted_rebuild() -> None:
    """A request that may have reached AWS is never reported as 'not requested' nor 'not changed'."""
    fake = fleet("ERROR")
    fake.errors_after_accepting[W0] = [server_error()]
    fake.reads_after_action[W0] = ("ERROR", "REBUILDING", "AVAILABLE")  # the forced read is stale
    fake.hooks["DescribeWorkspacesConnectionStatus"] = [None, lambda fake: fake.set_connection_state(W0, "CONNECTED")]
    report = rebuild(fake, workspace_ids=[W0], idempotency_token="INC-1")
    result = result_of(report)
    assert fake.accepted == [W0]
    assert result["workspaces"][0]["outcome"] in ("unknown", "rebuild_requested")
    assert result["changed"] is True
    assert fake.tags[W0].get(MARKER) == "INC-1", "the marker of a possibly accepted request must stay"


# ---------------------------------------------------------------------- waiting


@pytest.mark.parametrize("dead_end", ["TERMINATED", "TERMINATING", "SUSPENDED", "STOPPING", "STOPPED"])
def test_a_dead_end_mid_wait_ends_the_wait_at_the_next_poll(wait_clock: FakeClock, dead_end: str) -> None:
    """Read in a state from which the rebuild can no longer end in AVAILABLE: failed at once
    (RebuildFailed), not polled until wait_timeout."""
    fake = fleet("ERROR")
    fake.reads_after_action[W0] = ("REBUILDING", dead_end)
    entry = outcomes(rebuild(fake, workspace_ids=[W0], wait=True, wait_timeout=3600))[W0]
    assert (entry["outcome"], entry["error_code"], entry["final_state"]) == ("failed", "RebuildFailed", dead_end)
    assert entry["error_message"] == f"the WorkSpace became {dead_end} while waiting: the rebuild can no longer end in AVAILABLE"
    assert wait_clock.sleeps == [1, 2]
    assert fake.operations[-3:] == ["RebuildWorkspaces", "DescribeWorkspaces", "DescribeWorkspaces"]


@pytest.mark.parametrize(
    ("state", "reads_after", "sleeps"),
    [
        pytest.param("AVAILABLE", ("REBUILDING", "AVAILABLE"), [1, 2], id="three-second-rebuild-seen-rebuilding-at-1-s"),
        pytest.param("ERROR", ("AVAILABLE",), [1], id="over-before-the-first-poll-from-error"),
        pytest.param("UNHEALTHY", ("UNHEALTHY", "AVAILABLE"), [1, 2], id="one-stale-read-then-over"),
    ],
)
def test_a_fast_rebuild_between_polls_ends_rebuilt_with_the_default_wait_delay(
    wait_clock: FakeClock, state: str, reads_after: tuple[str, ...], sleeps: list[float]
) -> None:
    """With the default wait_delay (15 s), polls come after 1, 2, 4 and 8 s, and a move from the state
    at request counts: a rebuild of a few seconds ends rebuilt, in seconds, not WaitTimeout."""
    fake = fleet(state)
    fake.reads_after_action[W0] = reads_after
    entry = outcomes(rebuild(fake, workspace_ids=[W0], wait=True))[W0]
    assert (entry["outcome"], entry["final_state"]) == ("rebuilt", "AVAILABLE")
    assert wait_clock.sleeps == sleeps


def test_a_workspace_found_rebuilding_that_ends_available_is_rebuilt_without_a_change() -> None:
    """in_progress at the plan, waited on, ends AVAILABLE: rebuilt, not requested, not a change."""
    fake = fleet("REBUILDING")
    fake.script(W0, "REBUILDING", "AVAILABLE")
    report = rebuild(fake, workspace_ids=[W0], wait=True)
    result = result_of(report)
    assert [(e["outcome"], e["final_state"]) for e in result["workspaces"]] == [("rebuilt", "AVAILABLE")]
    assert (result["changed"], result["rebuild_requested"], result["diff"], fake.rebuild_calls) == (False, [], {"before": {}, "after": {}}, [])


# ---------------------------------------------------------------------- connected users and snapshots


@pytest.mark.parametrize("skip_connected", [True, False])
def test_connected_users_are_skipped_unless_skip_connected_is_false(skip_connected: bool) -> None:
    """skip_connected (default true): the connections are read right before the requests, 25 ids a call,
    and a CONNECTED user's WorkSpace is skipped; skip_connected: false reads no connection and requests it."""
    fake = fleet("ERROR", "ERROR", "UNHEALTHY")
    fake.set_connection_state(ws_id(0), "CONNECTED")
    fake.set_connection_state(ws_id(1), "DISCONNECTED")
    fake.set_connection_state(ws_id(2), None)  # AWS has no entry for it
    report = rebuild(fake, directory_id=DIRECTORY, skip_connected=skip_connected)
    entries = outcomes(report)
    if skip_connected:
        assert [(wid, e["outcome"], e["connection_state"]) for wid, e in entries.items()] == [
            (ws_id(0), "skipped", "CONNECTED"),
            (ws_id(1), "rebuild_requested", "DISCONNECTED"),
            (ws_id(2), "rebuild_requested", None),
        ]
        assert "connected" in entries[ws_id(0)]["reason"]
        assert fake.calls_of("DescribeWorkspacesConnectionStatus") == [{"WorkspaceIds": [ws_id(0), ws_id(1), ws_id(2)]}]
        assert fake.operations.index("DescribeWorkspacesConnectionStatus") < fake.operations.index("RebuildWorkspaces")
        assert fake.rebuild_calls == [ws_id(1), ws_id(2)]
    else:
        assert [e["outcome"] for e in entries.values()] == ["rebuild_requested"] * 3
        assert [e["connection_state"] for e in entries.values()] == [None] * 3
        assert "DescribeWorkspacesConnectionStatus" not in fake.operations
        assert fake.rebuild_calls == [ws_id(0), ws_id(1), ws_id(2)]


@pytest.mark.parametrize("check_mode", [False, True])
@pytest.mark.parametrize("require_snapshot", [True, False])
def test_workspaces_without_a_rebuild_snapshot_are_skipped_unless_require_snapshot_is_false(check_mode: bool, require_snapshot: bool) -> None:
    """DescribeWorkspaceSnapshots for each WorkSpace to be rebuilt (only those); snapshot_time is the
    latest rebuild snapshot (restore snapshots do not count), in check mode too; without one, skipped
    when require_snapshot (the default), requested otherwise."""
    fake = fleet("ERROR", "ERROR", "AVAILABLE")
    fake.add_snapshot(ws_id(0), when(2), when(14), when(8))
    fake.add_snapshot(ws_id(1), when(23), kind="RestoreSnapshots")
    fake.add_snapshot(ws_id(2), when(5))
    report = rebuild(fake, check_mode, directory_id=DIRECTORY, states=["ERROR"], require_snapshot=require_snapshot)
    entries = outcomes(report)
    assert [entries[wid]["snapshot_time"] for wid in (ws_id(0), ws_id(1), ws_id(2))] == ["2024-11-28T14:00:00+00:00", None, None]
    assert sorted(params["WorkspaceId"] for params in fake.calls_of("DescribeWorkspaceSnapshots")) == [ws_id(0), ws_id(1)]
    assert entries[ws_id(0)]["outcome"] == "rebuild_requested"
    assert entries[ws_id(2)]["outcome"] == "skipped" and "not in states" in entries[ws_id(2)]["reason"]
    if require_snapshot:
        assert entries[ws_id(1)]["outcome"] == "skipped"
        assert "snapshot" in entries[ws_id(1)]["reason"]
    else:
        assert entries[ws_id(1)]["outcome"] == "rebuild_requested"
    assert fake.rebuild_calls == ([] if check_mode else [ws_id(0)] + ([] if require_snapshot else [ws_id(1)]))


def test_every_entry_has_snapshot_time_and_connection_state(wait_clock: FakeClock) -> None:
    """Both keys are in every entry, whatever the outcome: None when not read."""
    fake = FakeWorkspacesClient([workspace(ws_id(0), "ERROR"), workspace(ws_id(1), "PENDING"), workspace(ws_id(2), "REBUILDING")])
    report = rebuild(fake, workspace_ids=[ws_id(0), ws_id(1), ws_id(2), "ws-missing01"])
    for entry in result_of(report)["workspaces"]:
        assert {"snapshot_time", "connection_state"} <= set(entry)
        assert entry["snapshot_time"] is None


# ---------------------------------------------------------------------- exclude_tags


@pytest.mark.parametrize("check_mode", [False, True])
def test_exclude_tags_named_by_id_are_skipped_and_by_filter_not_listed(check_mode: bool) -> None:
    """A WorkSpace carrying an exclude_tags pair is never acted on: named by id, it is skipped with the
    reason; selected by a filter, it is not listed at all. One DescribeTags per WorkSpace, no other call for it."""
    fake = fleet("ERROR", "ERROR", "ERROR")
    fake.tags = {ws_id(0): {"NoRebuild": "true"}, ws_id(1): {"NoRebuild": "false"}}
    by_id = rebuild(fake, check_mode, workspace_ids=[ws_id(0), ws_id(1)], exclude_tags={"NoRebuild": "true"})
    entries = outcomes(by_id)
    assert (entries[ws_id(0)]["outcome"], entries[ws_id(0)]["reason"]) == (
        "skipped",
        "not selected: excluded by exclude_tags: it carries the tag 'NoRebuild' = 'true'",
    )
    assert entries[ws_id(1)]["outcome"] == "rebuild_requested"
    assert fake.calls_about(ws_id(0)) == ["DescribeWorkspaces", "DescribeTags"]

    fake.calls.clear()
    fake.script(ws_id(1), "ERROR")
    by_filter = rebuild(fake, check_mode, directory_id=DIRECTORY, exclude_tags={"NoRebuild": "true"})
    assert list(outcomes(by_filter)) == [ws_id(1), ws_id(2)]
    assert sorted(params["ResourceId"] for params in fake.calls_of("DescribeTags")) == [ws_id(0), ws_id(1), ws_id(2)]
    assert ws_id(0) not in fake.rebuild_calls


# ---------------------------------------------------------------------- idempotency_token


def token_run(fake: FakeWorkspacesClient, token: str = "INC0012345", **params: t.Any) -> tuple[ActionReport, ActionFailed | None]:
    params.setdefault("workspace_ids", [W0])
    return rebuild_or_failure(fake, idempotency_token=token, **params)


def test_the_marker_is_written_before_the_request() -> None:
    """The tag euc.workspaces:rebuild-token=<token> is written (CreateTags) right before the request,
    after the fresh checks, and stays once AWS accepted it."""
    fake = fleet("ERROR")
    report, _failure = token_run(fake)
    assert outcomes(report)[W0]["outcome"] == "rebuild_requested"
    assert fake.calls_about(W0) == [
        "DescribeWorkspaces",
        "DescribeTags",  # the plan: is it marked already?
        "DescribeWorkspaceSnapshots",
        "DescribeWorkspacesConnectionStatus",
        "CreateTags",
        "RebuildWorkspaces",
    ]
    assert fake.calls_of("CreateTags") == [{"ResourceId": W0, "Tags": [{"Key": MARKER, "Value": "INC0012345"}]}]
    assert fake.tags[W0] == {MARKER: "INC0012345"}


def test_a_second_run_with_the_same_token_requests_nothing_again() -> None:
    """A relaunch (the WorkSpace back in ERROR, say the rebuild failed): skipped, naming idempotency_token,
    no CreateTags nor RebuildWorkspaces; another token requests it again."""
    fake = fleet("ERROR")
    token_run(fake)
    fake.script(W0, "ERROR")
    fake.calls.clear()
    report, _failure = token_run(fake)
    entry = outcomes(report)[W0]
    assert entry["outcome"] == "skipped" and "idempotency_token" in entry["reason"] and "INC0012345" in entry["reason"]
    assert result_of(report)["changed"] is False
    assert set(fake.operations) <= set(READS)
    fake.script(W0, "ERROR")
    other, _failure = token_run(fake, token="INC0099999")
    assert outcomes(other)[W0]["outcome"] == "rebuild_requested"
    assert fake.accepted == [W0, W0]
    assert fake.tags[W0] == {MARKER: "INC0099999"}


@pytest.mark.parametrize(
    "setup",
    [
        pytest.param(lambda fake: fake.action_failures.__setitem__(W0, INVALID_STATE), id="failed-requests"),
        pytest.param(lambda fake: fake.action_errors.__setitem__(W0, [client_error("OperationNotSupportedException", "No.")]), id="final-error"),
        pytest.param(lambda fake: fake.action_errors.__setitem__(W0, [throttled()] * 50), id="throttled-until-the-outage"),
        pytest.param(lambda fake: fake.action_errors.__setitem__(W0, [access_denied()]), id="access-denied"),
    ],
)
def test_a_request_aws_did_not_take_leaves_no_marker(setup: t.Callable[[FakeWorkspacesClient], None]) -> None:
    """Refused, or never processed: the marker is removed (DeleteTags after the last RebuildWorkspaces), so
    a relaunch with the same token requests it again."""
    fake = fleet("ERROR")
    setup(fake)
    report, _failure = token_run(fake)
    assert outcomes(report)[W0]["outcome"] in ("failed", "skipped")
    assert fake.accepted == []
    assert fake.operations[-2:] == ["RebuildWorkspaces", "DeleteTags"]
    assert fake.calls_of("DeleteTags") == [{"ResourceId": W0, "TagKeys": [MARKER]}]
    assert MARKER not in fake.tags[W0]
    fake.action_failures.clear()
    fake.action_errors.clear()
    relaunch, _failure = token_run(fake)
    assert outcomes(relaunch)[W0]["outcome"] == "rebuild_requested"


def test_a_request_that_may_have_been_accepted_keeps_its_marker() -> None:
    """unknown: the marker stays (never two rebuilds is the promise), so a relaunch skips it."""
    fake = fleet("ERROR")
    fake.action_errors[W0] = [server_error()]
    fake.action_failures[W0] = ("InvalidResourceState", "Not now.")
    report, _failure = token_run(fake)
    assert outcomes(report)[W0]["outcome"] == "unknown"
    assert "DeleteTags" not in fake.operations
    assert fake.tags[W0] == {MARKER: "INC0012345"}
    relaunch, _failure = token_run(fake)
    assert outcomes(relaunch)[W0]["outcome"] == "skipped"


def test_check_mode_skips_marked_workspaces_and_writes_nothing() -> None:
    """Check mode reads the markers (DescribeTags) and predicts the skip; no CreateTags, DeleteTags or rebuild."""
    fake = fleet("ERROR", "ERROR")
    fake.tags[W0] = {MARKER: "INC0012345"}
    report, _failure = token_run(fake, check_mode=True, workspace_ids=[ws_id(0), ws_id(1)])
    entries = outcomes(report)
    assert entries[ws_id(0)]["outcome"] == "skipped" and "idempotency_token" in entries[ws_id(0)]["reason"]
    assert entries[ws_id(1)]["outcome"] == "rebuild_requested"
    assert set(fake.operations) <= set(READS)
    assert sorted(params["ResourceId"] for params in fake.calls_of("DescribeTags")) == [ws_id(0), ws_id(1)]
    assert fake.tags == {W0: {MARKER: "INC0012345"}}


def test_tags_read_by_the_tags_selector_are_not_read_again_for_the_marker() -> None:
    """The tags selector already read each WorkSpace's tags: the marker check costs no other DescribeTags."""
    fake = fleet("ERROR", "ERROR")
    fake.tags = {ws_id(0): {"team": "red", MARKER: "INC0012345"}, ws_id(1): {"team": "red"}}
    report, _failure = token_run(fake, workspace_ids=None, tags={"team": "red"})
    assert [e["outcome"] for e in outcomes(report).values()] == ["skipped", "rebuild_requested"]
    assert len(fake.calls_of("DescribeTags")) == 2


# ---------------------------------------------------------------------- stopping before any change


@pytest.mark.parametrize(
    ("setup", "named"),
    [
        pytest.param(
            lambda fake: fake.errors.__setitem__("DescribeWorkspaces", [access_denied("DescribeWorkspaces")]), [ws_id(3), ws_id(1)], id="access-denied"
        ),
        pytest.param(
            lambda fake: fake.errors.__setitem__("DescribeWorkspaces", [server_error("DescribeWorkspaces")] * OUTAGE_MAX_CONSECUTIVE_FAILURES),
            [ws_id(1), "ws-missing01", ws_id(1)],
            id="outage-with-a-duplicate",
        ),
        pytest.param(
            lambda fake: fake.errors.__setitem__("DescribeWorkspaces", [None, access_denied("DescribeWorkspaces")]),
            [ws_id(n) for n in range(30)],
            id="second-batch-of-25",
        ),
        pytest.param(lambda fake: fake.errors.__setitem__("DescribeTags", [access_denied("DescribeTags")]), [ws_id(1), ws_id(2)], id="tags-selector"),
    ],
)
def test_a_selection_that_fails_reports_every_named_id_once_as_skipped(setup: t.Callable[[FakeWorkspacesClient], None], named: list[str]) -> None:
    """The WorkSpaces could not be read: nothing is requested, and every id named is reported once,
    skipped, 'not acted on'; the run fails with the read's error."""
    fake = fleet(*["ERROR"] * 30)
    setup(fake)
    params: dict[str, t.Any] = {"workspace_ids": named}
    if "DescribeTags" in fake.errors:
        params["tags"] = {"team": "red"}
    with pytest.raises(ActionFailed) as failure:
        rebuild(fake, **params)
    assert str(failure.value) == "Stopped before any change: the WorkSpaces could not be read"
    assert failure.value.error is not None
    result = result_of(failure.value.report)
    assert collections.Counter(e["workspace_id"] for e in result["workspaces"]) == collections.Counter(dict.fromkeys(named, 1))
    for entry in result["workspaces"]:
        assert entry["outcome"] == "skipped"
        assert entry["reason"] == "not acted on: the task stopped before it could read the WorkSpaces"
    assert (result["changed"], result["rebuild_requested"], result["failed_requests"]) == (False, [], [])
    assert set(fake.operations) <= set(READS)


def test_a_selection_that_fails_still_reports_the_ids_sorted() -> None:
    fake = fleet("ERROR")
    fake.errors["DescribeWorkspaces"] = [access_denied("DescribeWorkspaces")]
    with pytest.raises(ActionFailed) as failure:
        rebuild(fake, workspace_ids=["ws-zzzzzzzz", W0])
    assert [o.workspace_id for o in failure.value.report.outcomes] == [W0, "ws-zzzzzzzz"]


def test_a_read_failing_after_the_plan_skips_every_planned_workspace() -> None:
    """DescribeWorkspaceSnapshots refused: the planned WorkSpaces are skipped saying so, the others keep
    their outcome, nothing is requested."""
    fake = fleet("ERROR", "PENDING", "ERROR")
    fake.errors["DescribeWorkspaceSnapshots"] = [access_denied("DescribeWorkspaceSnapshots")]
    with pytest.raises(ActionFailed) as failure:
        rebuild(fake, workspace_ids=[ws_id(0), ws_id(1), ws_id(2), "ws-missing01"])
    assert str(failure.value) == "Stopped before any change: a read failed"
    entries = outcomes(failure.value.report)
    assert [e["outcome"] for e in entries.values()] == ["skipped", "failed", "skipped", "failed"]
    assert entries[ws_id(0)]["reason"].startswith("not requested: the task stopped before sending any request (")
    assert fake.rebuild_calls == []


@pytest.mark.parametrize(("make_error", "code"), AMBIGUOUS_ERRORS)
def test_an_ambiguous_error_is_resent_only_after_a_fresh_read_shows_the_workspace_unchanged(make_error: t.Callable[[], BaseException], code: str) -> None:
    """The first attempt failed ambiguously and was in fact not accepted: the WorkSpace is read again
    (forced, though the plan is fresh), found unchanged, and sent once more; accepted, the reason names
    the earlier error."""
    fake = fleet("ERROR")
    fake.action_errors[W0] = [make_error()]
    report = rebuild(fake, workspace_ids=[W0])
    entry = outcomes(report)[W0]
    assert entry["outcome"] == "rebuild_requested"
    assert entry["reason"].startswith("accepted ") and code in entry["reason"]
    assert "error_code" not in entry
    assert after_first(fake, "RebuildWorkspaces") == ["DescribeWorkspaces", "DescribeWorkspacesConnectionStatus", "RebuildWorkspaces"]
    assert (fake.rebuild_calls, fake.accepted) == ([W0, W0], [W0])
    assert (report.failed, result_of(report)["rebuild_requested"]) == (False, [W0])


def test_a_fresh_read_covers_a_batch_per_thread_before_the_first_request(wait_clock: FakeClock) -> None:
    """100 WorkSpaces whose plan went stale, 4 threads: before the first request one fresh read covers
    all of them, 4 calls of 25 ids (states, and connections), instead of a read of 25 per request
    that every thread would wait on in turn."""
    fake = fleet(*["ERROR"] * 100)
    fake.hooks["DescribeWorkspaceSnapshots"] = [lambda _fake: wait_clock.advance(FRESH_STATE_SECONDS + 1)]
    report = rebuild(fake, directory_id=DIRECTORY, max_workspaces=100, max_concurrency=4)
    first_rebuild = fake.operations.index("RebuildWorkspaces")
    before = fake.calls[:first_rebuild]
    for operation in ("DescribeWorkspaces", "DescribeWorkspacesConnectionStatus"):
        reads = [call.params["WorkspaceIds"] for call in before if call.operation == operation and "WorkspaceIds" in call.params]
        assert [len(ids) for ids in reads] == [25] * 4, operation
        assert sorted(wid for ids in reads for wid in ids) == [ws_id(n) for n in range(100)]
    assert len(report.as_result(False)["rebuild_requested"]) == 100


@pytest.mark.parametrize(
    ("sent", "elapsed", "read_ahead"),
    [
        pytest.param(0, 0.0, 200, id="before-any-request-a-batch-per-thread"),
        pytest.param(20, 10.0, 25, id="slow-pace-one-batch"),
        pytest.param(200, 10.0, 100, id="what-5-s-at-20-a-second-sends"),
        pytest.param(1000, 10.0, 200, id="fast-pace-a-batch-per-thread-at-most"),
    ],
)
def test_a_fresh_read_reads_ahead_what_the_pace_sends_before_it_goes_stale(sent: int, elapsed: float, read_ahead: int) -> None:
    """Read further ahead than the task sends within FRESH_STATE_SECONDS, and the WorkSpaces read
    would be stale, and read again, by the time their request goes: a throttled task reads less."""
    clock = FakeClock()
    sender = actions._Sender(WorkspacesApi(fleet(), clock), REBUILD, make_options(max_concurrency=8))
    sender._sent = sent
    clock.advance(elapsed)
    assert sender._read_ahead() == read_ahead

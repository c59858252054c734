# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one retry layer: how a failed attempt is classified, when a read gives up, and the run-wide outage bound."""

from __future__ import annotations

import typing as t

import pytest
from botocore.exceptions import ConnectTimeoutError

from ansible_collections.euc.workspaces.plugins.module_utils._workspaces import retry
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.api import WorkspacesApi
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.common import WorkspacesError
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.retry import AMBIGUOUS
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.retry import FINAL
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.retry import NOT_SENT
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.retry import THROTTLED
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.retry import Clock
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.retry import Outage
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.retry import failure_kind

from ....helpers.fake_workspaces import ENDPOINT
from ....helpers.fake_workspaces import FakeClock
from ....helpers.fake_workspaces import FakeWorkspacesClient
from ....helpers.fake_workspaces import access_denied
from ....helpers.fake_workspaces import client_error
from ....helpers.fake_workspaces import connection_closed
from ....helpers.fake_workspaces import connection_lost
from ....helpers.fake_workspaces import read_timeout
from ....helpers.fake_workspaces import server_error
from ....helpers.fake_workspaces import throttled
from ....helpers.fake_workspaces import workspace
from ....helpers.fake_workspaces import ws_id


@pytest.mark.parametrize(
    ("exception", "kind"),
    [
        pytest.param(throttled(), THROTTLED, id="ThrottlingException"),
        pytest.param(client_error("Throttling"), THROTTLED, id="Throttling"),
        pytest.param(client_error("RequestLimitExceeded"), THROTTLED, id="RequestLimitExceeded"),
        pytest.param(client_error("TooManyRequestsException", status=429), THROTTLED, id="429-is-throttling"),
        pytest.param(client_error("ThrottlingException", status=503), THROTTLED, id="throttling-code-wins-over-5xx"),
        pytest.param(server_error(), AMBIGUOUS, id="InternalServerError-500"),
        pytest.param(server_error(code="ServiceUnavailable", status=503), AMBIGUOUS, id="ServiceUnavailable-503"),
        pytest.param(client_error("InternalFailure", status=400), AMBIGUOUS, id="server-code-without-5xx"),
        pytest.param(client_error("ServiceUnavailable", status=400), AMBIGUOUS, id="ServiceUnavailable-code"),
        pytest.param(client_error("SomethingNew", status=502), AMBIGUOUS, id="any-5xx"),
        pytest.param(connection_closed(), AMBIGUOUS, id="ConnectionClosedError"),
        pytest.param(read_timeout(), AMBIGUOUS, id="ReadTimeoutError"),
        pytest.param(connection_lost(), NOT_SENT, id="EndpointConnectionError"),
        pytest.param(ConnectTimeoutError(endpoint_url=ENDPOINT), NOT_SENT, id="ConnectTimeoutError"),
        pytest.param(access_denied(), FINAL, id="AccessDenied"),
        pytest.param(client_error("ValidationException"), FINAL, id="ValidationException"),
        pytest.param(client_error("InvalidResourceStateException"), FINAL, id="InvalidResourceStateException"),
        pytest.param(ValueError("boom"), FINAL, id="not-an-aws-error"),
    ],
)
def test_failure_kinds(exception: BaseException, kind: str) -> None:
    """Throttling and a connection never made were not processed (safe to send again); server
    errors and a connection lost after sending may have been accepted; the rest is final."""
    assert failure_kind(exception) == kind


def reader(fake: FakeWorkspacesClient) -> tuple[WorkspacesApi, FakeClock]:
    clock = FakeClock()
    return WorkspacesApi(fake, Clock(sleep=clock.sleep, monotonic=clock.monotonic)), clock


def describe_errors(make: t.Callable[[], BaseException]) -> list[BaseException | None]:
    return [make() for _attempt in range(40)]


@pytest.mark.usefixtures("no_jitter")
@pytest.mark.parametrize(
    ("make_error", "attempts", "sleeps", "streak"),
    [
        # 6 server or connection errors in a row reach the outage bound before MAX_ATTEMPTS (7).
        pytest.param(lambda: server_error("DescribeWorkspaces"), 6, [1, 2, 4, 8, 8], "6 of them server or connection errors", id="server-errors"),
        pytest.param(connection_lost, 6, [1, 2, 4, 8, 8], "6 of them server or connection errors", id="connection-not-made"),
        pytest.param(connection_closed, 6, [1, 2, 4, 8, 8], "6 of them server or connection errors", id="connection-closed"),
        pytest.param(read_timeout, 6, [1, 2, 4, 8, 8], "6 of them server or connection errors", id="read-timeout"),
        # Throttling is not processed: it goes on, in the slowest pace's slots, until 60 s of failures without a success.
        pytest.param(lambda: throttled("DescribeWorkspaces"), 31, [2] * 30, "0 of them server or connection errors", id="throttling"),
    ],
)
def test_a_read_failing_on_every_attempt_gives_up_at_the_outage_bound(
    make_error: t.Callable[[], BaseException], attempts: int, sleeps: list[float], streak: str
) -> None:
    """A read failing every time gives up with WorkspacesError saying how many attempts over how
    long, the outage reason and the last error; backoff 1 s doubling to 8 s.
    (Rewritten: AWSRetry's 10 tries, 3 s doubling to 60 s, are gone with the decorator.)"""
    fake = FakeWorkspacesClient([workspace(ws_id(1))])
    fake.errors["DescribeWorkspaces"] = describe_errors(make_error)
    workspaces, clock = reader(fake)
    with pytest.raises(WorkspacesError) as error:
        workspaces.describe_workspaces()
    assert len(fake.calls) == attempts
    assert clock.sleeps == sleeps
    elapsed = f"{sum(sleeps):.0f} s"
    assert error.value.message == (
        f"Failed to describe WorkSpaces after {attempts} attempts over {elapsed} (describe WorkSpaces kept failing: "
        f"{attempts} failed attempts in a row over {elapsed} ({streak}; the last one "
        f"{retry.error_code(error.value.exception) or type(error.value.exception).__name__}), so no new request was sent)"
    )
    assert type(error.value.exception) is type(make_error())
    assert workspaces.outage.reason is not None


@pytest.mark.usefixtures("no_jitter")
def test_a_throttled_read_gives_up_within_its_documented_bounds() -> None:
    """workspace_rebuild's notes: a call gives up after 32 throttled attempts, or sooner at the outage bound (60 s)."""
    fake = FakeWorkspacesClient([workspace(ws_id(1))])
    fake.errors["DescribeWorkspaces"] = describe_errors(lambda: throttled("DescribeWorkspaces"))
    workspaces, clock = reader(fake)
    with pytest.raises(WorkspacesError):
        workspaces.describe_workspaces()
    assert len(fake.calls) <= retry.MAX_THROTTLED_ATTEMPTS
    assert clock.slept <= retry.OUTAGE_MAX_SECONDS + retry.BACKOFF_MAX_DELAY


@pytest.mark.parametrize("seed", range(20))
def test_jittered_backoff_stays_within_its_bounds(seed: int) -> None:
    """With jitter, the k-th delay is drawn in [0, min(2**k, 8)] s: never above the cap."""
    import random

    random.seed(seed)
    fake = FakeWorkspacesClient([workspace(ws_id(1))])
    fake.errors["DescribeWorkspaces"] = describe_errors(lambda: server_error("DescribeWorkspaces"))
    workspaces, clock = reader(fake)
    with pytest.raises(WorkspacesError):
        workspaces.describe_workspaces()
    caps = [1, 2, 4, 8, 8]
    assert len(clock.sleeps) == len(caps)
    assert all(0 <= slept <= cap for slept, cap in zip(clock.sleeps, caps, strict=True))


@pytest.mark.parametrize(
    "errors",
    [
        pytest.param([throttled("DescribeWorkspaces")] * 3, id="throttled"),
        pytest.param([server_error("DescribeWorkspaces"), connection_lost(), connection_closed()], id="mixed-transient"),
        pytest.param([server_error("DescribeWorkspaces")] * 5, id="five-server-errors-stay-under-the-bound"),
    ],
)
def test_a_read_that_succeeds_in_the_end_returns_and_resets_the_streak(errors: list[BaseException]) -> None:
    """Transient failures then an answer: the answer is returned, one sleep per failure, no outage."""
    fake = FakeWorkspacesClient([workspace(ws_id(1))])
    fake.errors["DescribeWorkspaces"] = list(errors)
    workspaces, clock = reader(fake)
    assert [ws["WorkspaceId"] for ws in workspaces.describe_workspaces()] == [ws_id(1)]
    assert len(clock.sleeps) == len(errors)
    assert workspaces.outage.reason is None
    # The streak was reset by the success: five more server errors still do not reach the bound.
    fake.errors["DescribeWorkspaces"] = [server_error("DescribeWorkspaces")] * 5
    workspaces.describe_workspaces()
    assert workspaces.outage.reason is None


def test_a_final_read_error_is_not_retried_and_does_not_count_towards_the_outage() -> None:
    fake = FakeWorkspacesClient([workspace(ws_id(1))])
    fake.errors["DescribeWorkspaces"] = [access_denied("DescribeWorkspaces")] * 7
    workspaces, clock = reader(fake)
    for _run in range(7):
        with pytest.raises(WorkspacesError):
            workspaces.describe_workspaces()
    assert (len(fake.calls), clock.sleeps, workspaces.outage.reason) == (7, [], None)


Event = tuple[str, str, float]  # (operation, "ok" or a failure kind, time)


def outage_after(events: t.Sequence[Event]) -> str | None:
    clock = FakeClock()
    outage = Outage(Clock(sleep=clock.sleep, monotonic=clock.monotonic))
    for operation, what, at in events:
        clock.now = at
        if what == "ok":
            outage.record_success(operation)
        else:
            outage.record_failure(operation, what, server_error() if what == AMBIGUOUS else throttled())
    return outage.reason


R = "RebuildWorkspaces"
D = "describe WorkSpaces"


@pytest.mark.parametrize(
    ("events", "reached"),
    [
        pytest.param([(R, AMBIGUOUS, n) for n in range(6)], True, id="six-server-errors-in-a-row"),
        pytest.param([(R, AMBIGUOUS, n) for n in range(5)], False, id="five-server-errors"),
        pytest.param([(R, NOT_SENT, n) for n in range(6)], True, id="six-connection-errors"),
        pytest.param([(R, AMBIGUOUS, 0), (R, NOT_SENT, 1), (R, AMBIGUOUS, 2), (R, NOT_SENT, 3), (R, AMBIGUOUS, 4), (R, NOT_SENT, 5)], True, id="mixed"),
        pytest.param([(R, AMBIGUOUS, n) for n in range(5)] + [(R, "ok", 5)] + [(R, AMBIGUOUS, n) for n in range(6, 11)], False, id="reset-by-a-success"),
        pytest.param([(R, THROTTLED, 0), (R, THROTTLED, 30), (R, THROTTLED, 59.9)], False, id="throttled-for-59.9-s"),
        pytest.param([(R, THROTTLED, 0), (R, THROTTLED, 30), (R, THROTTLED, 60)], True, id="throttled-for-60-s"),
        pytest.param([(R, THROTTLED, 0), (R, "ok", 30), (R, THROTTLED, 31), (R, THROTTLED, 90)], False, id="a-success-restarts-the-60-s"),
        # Streaks are per operation: reads succeeding between failing rebuilds do not hide an outage.
        pytest.param([item for n in range(6) for item in ((R, AMBIGUOUS, n), (D, "ok", n + 0.5))], True, id="reads-succeeding-in-between"),
        pytest.param([(R, AMBIGUOUS, n) for n in range(3)] + [(D, AMBIGUOUS, n) for n in range(3, 6)], False, id="three-and-three-on-two-operations"),
    ],
)
def test_the_outage_bound(events: list[Event], reached: bool) -> None:
    """6 server or connection failures in a row, or 60 s of failures without a success, per operation."""
    assert (outage_after(events) is not None) is reached


def test_the_outage_reason_is_sticky_and_says_what_failed() -> None:
    """Once reached, the bound holds for the rest of the run, whatever succeeds after."""
    events: list[Event] = [(R, AMBIGUOUS, n * 2) for n in range(6)] + [(R, "ok", 20)]
    assert outage_after(events) == (
        "RebuildWorkspaces kept failing: 6 failed attempts in a row over 10 s (6 of them server or connection errors; "
        "the last one InternalServerError), so no new request was sent"
    )

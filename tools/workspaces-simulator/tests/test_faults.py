"""Fault injection: throttling, 5xx, latency, forced failures, unsupported, access denied."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from botocore.exceptions import ClientError

from workspaces_simulator.control import SimulatorControlError
from workspaces_simulator.server import SimulatorServer

from .conftest import ClientFactory, Seeder
from .helpers import error_code, http_status, true_state


def describe_outcomes(client: Any, count: int) -> list[str]:
    """Call DescribeWorkspaces ``count`` times; "ok" or the error code for each call."""
    outcomes = []
    for _attempt in range(count):
        try:
            client.describe_workspaces()
            outcomes.append("ok")
        except ClientError as exc:
            outcomes.append(error_code(exc))
    return outcomes


def test_throttling_without_retries(simulator: SimulatorServer, client: Any) -> None:
    """Past the burst, calls fail with a ThrottlingException that botocore parses as such."""
    simulator.control.set_faults({"DescribeWorkspaces": {"throttle": {"rate": 0, "burst": 2}}})
    assert describe_outcomes(client, 4) == [
        "ok",
        "ok",
        "ThrottlingException",
        "ThrottlingException",
    ]
    with pytest.raises(ClientError) as caught:
        client.describe_workspaces()
    assert http_status(caught.value) == 400
    assert caught.value.response["Error"]["Message"] == "Rate exceeded"
    faults = simulator.control.calls()["faults"]["DescribeWorkspaces"]
    assert faults == {
        "dropped": 0,
        "access_denied": 0,
        "throttled": 3,
        "server_error": 0,
        "answer_lost": 0,
    }


def test_throttling_is_per_operation(simulator: SimulatorServer, client: Any) -> None:
    """A throttled operation does not throttle the others."""
    simulator.control.set_faults({"DescribeWorkspaces": {"throttle": {"rate": 0, "burst": 0}}})
    assert describe_outcomes(client, 1) == ["ThrottlingException"]
    client.describe_workspaces_connection_status()


def test_throttling_refills(simulator: SimulatorServer, client: Any) -> None:
    """The bucket refills at ``rate`` tokens per second."""
    simulator.control.set_faults({"DescribeWorkspaces": {"throttle": {"rate": 2, "burst": 1}}})
    assert describe_outcomes(client, 2) == ["ok", "ThrottlingException"]
    time.sleep(0.6)
    assert describe_outcomes(client, 1) == ["ok"]


def test_retrying_client_rides_out_throttling(
    simulator: SimulatorServer, make_client: ClientFactory
) -> None:
    """botocore's standard retries treat the ThrottlingException as retryable and succeed."""
    simulator.control.set_faults({"DescribeWorkspaces": {"throttle": {"rate": 5, "burst": 1}}})
    client = make_client(retries=True)
    for _attempt in range(3):
        response = client.describe_workspaces()
        assert response["Workspaces"] == []
    calls = simulator.control.calls()
    assert calls["faults"]["DescribeWorkspaces"]["throttled"] >= 1
    assert calls["accepted"]["DescribeWorkspaces"] == 3


@pytest.mark.parametrize(
    ("status", "code"), [(503, "ServiceUnavailable"), (500, "InternalServerError")]
)
def test_server_errors(simulator: SimulatorServer, client: Any, status: int, code: str) -> None:
    """A server-error rate of 1 fails every call with the chosen 5xx status."""
    simulator.control.set_faults(
        {"DescribeWorkspaces": {"server_errors": {"rate": 1.0, "status": status}}}
    )
    with pytest.raises(ClientError) as caught:
        client.describe_workspaces()
    assert error_code(caught.value) == code
    assert http_status(caught.value) == status
    assert simulator.control.calls()["faults"]["DescribeWorkspaces"]["server_error"] == 1


def test_server_errors_are_deterministic(simulator: SimulatorServer, client: Any) -> None:
    """The same seed gives the same sequence of failures; another seed gives another."""

    def run(seed: int) -> list[str]:
        simulator.control.set_faults(
            {"DescribeWorkspaces": {"server_errors": {"rate": 0.5, "seed": seed}}}
        )
        return describe_outcomes(client, 16)

    first = run(7)
    assert "ok" in first
    assert "ServiceUnavailable" in first
    assert run(7) == first
    assert run(8) != first


def test_retrying_client_rides_out_server_errors(
    simulator: SimulatorServer, make_client: ClientFactory
) -> None:
    """With a 50 % error rate a retrying client still gets its answer."""
    simulator.control.set_faults(
        {"DescribeWorkspaces": {"server_errors": {"rate": 0.5, "seed": 3}}}
    )
    client = make_client(retries=True)
    for _attempt in range(4):
        client.describe_workspaces()
    assert simulator.control.calls()["accepted"]["DescribeWorkspaces"] == 4


def test_latency(simulator: SimulatorServer, client: Any) -> None:
    """Added latency delays each call by at least the configured time."""
    simulator.control.set_faults({"DescribeWorkspaces": {"latency": 0.3}})
    started = time.monotonic()
    client.describe_workspaces()
    assert time.monotonic() - started >= 0.3


def test_latency_overlaps_for_concurrent_calls(
    simulator: SimulatorServer, make_client: ClientFactory, seed: Seeder
) -> None:
    """Latency is applied outside the backend lock, so concurrent slow calls overlap."""
    seed("AVAILABLE")
    simulator.control.set_faults({"DescribeWorkspaces": {"latency": 0.4}})
    client = make_client()
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda _index: client.describe_workspaces(), range(6)))
    elapsed = time.monotonic() - started
    assert all(len(r["Workspaces"]) == 1 for r in results)
    assert 0.4 <= elapsed < 1.2


def test_forced_failed_requests(simulator: SimulatorServer, client: Any, seed: Seeder) -> None:
    """Chosen WorkSpaces get the chosen FailedRequests entry and stay untouched."""
    forced, normal = seed("AVAILABLE", "AVAILABLE")
    simulator.control.set_faults(
        {
            "RebootWorkspaces": {
                "failed_requests": {forced: {"code": "InternalError", "message": "try again"}}
            }
        }
    )
    response = client.reboot_workspaces(
        RebootWorkspaceRequests=[{"WorkspaceId": forced}, {"WorkspaceId": normal}]
    )
    assert response["FailedRequests"] == [
        {"WorkspaceId": forced, "ErrorCode": "InternalError", "ErrorMessage": "try again"}
    ]
    assert true_state(simulator.control, forced) == "AVAILABLE"
    assert true_state(simulator.control, normal) == "REBOOTING"
    calls = simulator.control.calls()
    assert calls["by_workspace"]["RebootWorkspaces"] == {forced: 1, normal: 1}
    assert calls["accepted_by_workspace"]["RebootWorkspaces"] == {normal: 1}


def test_forced_failure_on_restore_fails_the_call(
    simulator: SimulatorServer, client: Any, seed: Seeder
) -> None:
    """RestoreWorkspace has no FailedRequests, so a forced failure becomes the call's error."""
    (workspace_id,) = seed("ERROR")
    simulator.control.set_faults(
        {"RestoreWorkspace": {"failed_requests": {workspace_id: {"code": "Throttled.Restore"}}}}
    )
    with pytest.raises(ClientError) as caught:
        client.restore_workspace(WorkspaceId=workspace_id)
    assert error_code(caught.value) == "Throttled.Restore"
    assert true_state(simulator.control, workspace_id) == "ERROR"


def test_forced_failure_on_terminate(simulator: SimulatorServer, client: Any, seed: Seeder) -> None:
    """TerminateWorkspaces honours forced failures too."""
    kept, gone = seed("AVAILABLE", "AVAILABLE")
    simulator.control.set_faults({"TerminateWorkspaces": {"failed_requests": [kept]}})
    response = client.terminate_workspaces(
        TerminateWorkspaceRequests=[{"WorkspaceId": kept}, {"WorkspaceId": gone}]
    )
    assert [f["WorkspaceId"] for f in response["FailedRequests"]] == [kept]
    assert [w["WorkspaceId"] for w in simulator.control.workspaces()] == [kept]


def test_operation_not_supported(simulator: SimulatorServer, client: Any, seed: Seeder) -> None:
    """A call naming a chosen WorkSpace is rejected whole and changes nothing."""
    unsupported, other = seed("AVAILABLE", "AVAILABLE")
    simulator.control.set_faults({"StopWorkspaces": {"unsupported": [unsupported]}})
    with pytest.raises(ClientError) as caught:
        client.stop_workspaces(
            StopWorkspaceRequests=[{"WorkspaceId": other}, {"WorkspaceId": unsupported}]
        )
    assert error_code(caught.value) == "OperationNotSupportedException"
    assert http_status(caught.value) == 400
    assert true_state(simulator.control, other) == "AVAILABLE"
    client.stop_workspaces(StopWorkspaceRequests=[{"WorkspaceId": other}])
    assert true_state(simulator.control, other) == "STOPPING"
    assert simulator.control.calls()["accepted"]["StopWorkspaces"] == 1


def test_access_denied(simulator: SimulatorServer, client: Any, seed: Seeder) -> None:
    """An operation can be denied as a whole; other operations still work."""
    (workspace_id,) = seed("AVAILABLE")
    simulator.control.set_faults({"RebuildWorkspaces": {"access_denied": True}})
    with pytest.raises(ClientError) as caught:
        client.rebuild_workspaces(RebuildWorkspaceRequests=[{"WorkspaceId": workspace_id}])
    assert error_code(caught.value) == "AccessDeniedException"
    assert http_status(caught.value) == 400
    assert true_state(simulator.control, workspace_id) == "AVAILABLE"
    client.reboot_workspaces(RebootWorkspaceRequests=[{"WorkspaceId": workspace_id}])
    calls = simulator.control.calls()
    assert calls["faults"]["RebuildWorkspaces"]["access_denied"] == 1
    assert calls["accepted"]["RebuildWorkspaces"] == 0
    assert "RebuildWorkspaces" not in calls["accepted_by_workspace"]


def test_wildcard_applies_to_operations_without_their_own_entry(
    simulator: SimulatorServer, client: Any
) -> None:
    """``*`` covers every operation that has no entry of its own."""
    simulator.control.set_faults(
        {"*": {"access_denied": True}, "DescribeWorkspaces": {"latency": 0.01}}
    )
    client.describe_workspaces()
    with pytest.raises(ClientError) as caught:
        client.describe_workspaces_connection_status()
    assert error_code(caught.value) == "AccessDeniedException"


def test_clearing_faults(simulator: SimulatorServer, client: Any) -> None:
    """set_faults({}) removes every fault."""
    simulator.control.set_faults({"DescribeWorkspaces": {"access_denied": True}})
    assert simulator.control.faults() == {"DescribeWorkspaces": {"access_denied": True}}
    simulator.control.set_faults({})
    client.describe_workspaces()
    assert simulator.control.faults() == {}


@pytest.mark.parametrize(
    "faults",
    [
        {"DescribeWorkspace": {"latency": 1}},
        {"DescribeWorkspaces": {"latency": -1}},
        {"DescribeWorkspaces": {"server_errors": {"rate": 2}}},
        {"DescribeWorkspaces": {"server_errors": {"rate": 0.1, "status": 502}}},
        {"DescribeWorkspaces": {"throttle": {"rate": 1, "burst": 1, "extra": 1}}},
        {"DescribeWorkspaces": {"unsupported": "ws-notalist0"}},
    ],
)
def test_invalid_fault_configuration_is_refused(
    simulator: SimulatorServer, faults: dict[str, Any]
) -> None:
    """A bad fault mapping is refused with HTTP 400 and the previous faults stay."""
    simulator.control.set_faults({"DescribeWorkspaces": {"latency": 0.01}})
    with pytest.raises(SimulatorControlError) as caught:
        simulator.control.set_faults(faults)
    assert caught.value.status == 400
    assert simulator.control.faults() == {"DescribeWorkspaces": {"latency": 0.01}}

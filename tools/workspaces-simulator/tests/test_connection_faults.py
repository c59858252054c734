"""Faults on the way back and on the wire: lost answers and dropped connections."""

from __future__ import annotations

import json
import socket
from typing import Any
from urllib.parse import urlsplit

import pytest
from botocore.exceptions import ClientError, ConnectionClosedError

from workspaces_simulator.control import SimulatorControlError
from workspaces_simulator.server import SimulatorServer

from .conftest import ClientFactory, Seeder
from .helpers import error_code, http_status, true_state


def reboot(client: Any, workspace_id: str) -> list[dict[str, str]]:
    """Reboot one WorkSpace; its FailedRequests."""
    response = client.reboot_workspaces(RebootWorkspaceRequests=[{"WorkspaceId": workspace_id}])
    return list(response["FailedRequests"])


def rebuild(client: Any, workspace_id: str) -> list[dict[str, str]]:
    """Rebuild one WorkSpace; its FailedRequests."""
    response = client.rebuild_workspaces(RebuildWorkspaceRequests=[{"WorkspaceId": workspace_id}])
    return list(response["FailedRequests"])


def faults_of(simulator: SimulatorServer, operation: str) -> dict[str, int]:
    """The fault counts of one operation."""
    return dict(simulator.control.calls()["faults"][operation])


# ------------------------------------------------------------------- lost answers


def test_lost_answers_for_the_first_calls(
    simulator: SimulatorServer, client: Any, seed: Seeder
) -> None:
    """The first ``count`` calls are carried out, yet their callers get a 500."""
    first, second, third = seed("AVAILABLE", "AVAILABLE", "AVAILABLE")
    simulator.control.set_faults({"RebootWorkspaces": {"lose_answers": {"count": 2}}})
    for workspace_id in (first, second):
        with pytest.raises(ClientError) as caught:
            reboot(client, workspace_id)
        assert error_code(caught.value) == "InternalServerError"
        assert http_status(caught.value) == 500
    assert reboot(client, third) == []
    assert [true_state(simulator.control, ws) for ws in (first, second, third)] == ["REBOOTING"] * 3
    calls = simulator.control.calls()
    assert calls["by_operation"]["RebootWorkspaces"] == 3
    assert calls["accepted"]["RebootWorkspaces"] == 3
    assert calls["accepted_by_workspace"]["RebootWorkspaces"] == {first: 1, second: 1, third: 1}
    assert calls["faults"]["RebootWorkspaces"]["answer_lost"] == 2


def test_lost_answers_for_chosen_workspaces_once_each(
    simulator: SimulatorServer, client: Any, seed: Seeder
) -> None:
    """Only calls naming a chosen WorkSpace lose their answer, and only the first one."""
    chosen, other = seed("ERROR", "ERROR")
    simulator.control.set_faults({"RebuildWorkspaces": {"lose_answers": {"workspaces": [chosen]}}})
    assert rebuild(client, other) == []
    with pytest.raises(ClientError) as caught:
        rebuild(client, chosen)
    assert error_code(caught.value) == "InternalServerError"
    assert true_state(simulator.control, chosen) == "REBUILDING"
    # Asked again, the caller now hears the service: the rebuild is already running.
    (failure,) = rebuild(client, chosen)
    assert failure["ErrorCode"] == "InvalidResourceState.Workspace"
    calls = simulator.control.calls()
    assert calls["by_workspace"]["RebuildWorkspaces"] == {other: 1, chosen: 2}
    assert calls["accepted_by_workspace"]["RebuildWorkspaces"] == {other: 1, chosen: 2}
    assert calls["faults"]["RebuildWorkspaces"]["answer_lost"] == 1


@pytest.mark.parametrize(
    ("setting", "status", "code"),
    [
        ({}, 500, "InternalServerError"),
        ({"status": 503}, 503, "ServiceUnavailable"),
        ({"status": 502, "code": "BadGateway"}, 502, "BadGateway"),
        ({"code": "InternalFailure"}, 500, "InternalFailure"),
    ],
)
def test_lost_answer_status_and_code(
    simulator: SimulatorServer,
    client: Any,
    seed: Seeder,
    setting: dict[str, Any],
    status: int,
    code: str,
) -> None:
    """The error sent instead of the answer has the chosen status and code."""
    (workspace_id,) = seed("STOPPED")
    simulator.control.set_faults({"StartWorkspaces": {"lose_answers": {"count": 1, **setting}}})
    with pytest.raises(ClientError) as caught:
        client.start_workspaces(StartWorkspaceRequests=[{"WorkspaceId": workspace_id}])
    assert (http_status(caught.value), error_code(caught.value)) == (status, code)
    assert true_state(simulator.control, workspace_id) == "STARTING"


def test_a_retried_lost_answer_reaches_the_service_twice(
    simulator: SimulatorServer, make_client: ClientFactory, seed: Seeder
) -> None:
    """botocore retries the 500; the retry finds the rebuild already running.

    The retry reaches the backend and is refused: two accepted, one started.
    """
    (workspace_id,) = seed("ERROR")
    simulator.control.set_faults(
        {"RebuildWorkspaces": {"lose_answers": {"workspaces": [workspace_id]}}}
    )
    (failure,) = rebuild(make_client(retries=True), workspace_id)
    assert failure["ErrorCode"] == "InvalidResourceState.Workspace"
    assert true_state(simulator.control, workspace_id) == "REBUILDING"
    calls = simulator.control.calls()
    assert calls["by_workspace"]["RebuildWorkspaces"] == {workspace_id: 2}
    assert calls["accepted_by_workspace"]["RebuildWorkspaces"] == {workspace_id: 2}
    assert calls["started_by_workspace"]["RebuildWorkspaces"] == {workspace_id: 1}
    assert calls["faults"]["RebuildWorkspaces"]["answer_lost"] == 1


def test_rejected_calls_do_not_use_up_lost_answers(
    simulator: SimulatorServer, client: Any, seed: Seeder
) -> None:
    """A call another fault rejects never reaches the service, so it loses no answer."""
    unsupported, normal = seed("AVAILABLE", "AVAILABLE")
    simulator.control.set_faults(
        {"StopWorkspaces": {"unsupported": [unsupported], "lose_answers": {"count": 1}}}
    )
    with pytest.raises(ClientError) as caught:
        client.stop_workspaces(StopWorkspaceRequests=[{"WorkspaceId": unsupported}])
    assert error_code(caught.value) == "OperationNotSupportedException"
    with pytest.raises(ClientError) as caught:
        client.stop_workspaces(StopWorkspaceRequests=[{"WorkspaceId": normal}])
    assert error_code(caught.value) == "InternalServerError"
    assert true_state(simulator.control, unsupported) == "AVAILABLE"
    assert true_state(simulator.control, normal) == "STOPPING"
    assert faults_of(simulator, "StopWorkspaces")["answer_lost"] == 1


# --------------------------------------------------------- answers lost by a drop


def raw_call(simulator: SimulatorServer, operation: str, params: dict[str, Any]) -> bytes:
    """Send one AWS JSON request on a fresh socket; every byte the server sent back."""
    url = urlsplit(simulator.endpoint_url)
    body = json.dumps(params).encode()
    request = (
        "POST / HTTP/1.1\r\n"
        f"Host: {url.netloc}\r\n"
        f"X-Amz-Target: WorkspacesService.{operation}\r\n"
        "Content-Type: application/x-amz-json-1.1\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n"
        "\r\n"
    ).encode() + body
    with socket.create_connection((url.hostname, url.port), timeout=5) as conn:
        conn.sendall(request)
        received = b""
        while chunk := conn.recv(4096):
            received += chunk
    return received


def test_a_dropped_answer_is_carried_out_then_closed(
    simulator: SimulatorServer, client: Any, seed: Seeder
) -> None:
    """With drop, the first ``count`` calls act, then the caller sees ConnectionClosedError."""
    first, second = seed("ERROR", "ERROR")
    simulator.control.set_faults(
        {"RebuildWorkspaces": {"lose_answers": {"count": 1, "drop": True}}}
    )
    with pytest.raises(ConnectionClosedError):
        rebuild(client, first)
    assert true_state(simulator.control, first) == "REBUILDING"
    assert rebuild(client, second) == []
    calls = simulator.control.calls()
    assert calls["accepted"]["RebuildWorkspaces"] == 2
    assert calls["started_by_workspace"]["RebuildWorkspaces"] == {first: 1, second: 1}
    faults = calls["faults"]["RebuildWorkspaces"]
    assert (faults["answer_lost"], faults["dropped"]) == (1, 0)


def test_a_dropped_answer_sends_no_bytes(simulator: SimulatorServer, seed: Seeder) -> None:
    """Not even a status line, although the reboot happened."""
    (workspace_id,) = seed("AVAILABLE")
    simulator.control.set_faults({"RebootWorkspaces": {"lose_answers": {"count": 1, "drop": True}}})
    params = {"RebootWorkspaceRequests": [{"WorkspaceId": workspace_id}]}
    assert raw_call(simulator, "RebootWorkspaces", params) == b""
    assert true_state(simulator.control, workspace_id) == "REBOOTING"
    # The next call is answered normally.
    assert raw_call(simulator, "RebootWorkspaces", params).startswith(b"HTTP/1.1 200")


def test_dropped_answers_for_chosen_workspaces(
    simulator: SimulatorServer, client: Any, seed: Seeder
) -> None:
    """With workspaces, the first call naming each chosen id acts and is dropped, once per id."""
    chosen, other = seed("AVAILABLE", "AVAILABLE")
    simulator.control.set_faults(
        {"StopWorkspaces": {"lose_answers": {"workspaces": [chosen], "drop": True}}}
    )
    assert (
        client.stop_workspaces(StopWorkspaceRequests=[{"WorkspaceId": other}])["FailedRequests"]
        == []
    )
    with pytest.raises(ConnectionClosedError):
        client.stop_workspaces(StopWorkspaceRequests=[{"WorkspaceId": chosen}])
    (failure,) = client.stop_workspaces(StopWorkspaceRequests=[{"WorkspaceId": chosen}])[
        "FailedRequests"
    ]
    assert failure["ErrorCode"] == "InvalidResourceState.Workspace"
    assert [true_state(simulator.control, ws) for ws in (chosen, other)] == ["STOPPING"] * 2
    calls = simulator.control.calls()
    assert calls["started_by_workspace"]["StopWorkspaces"] == {chosen: 1, other: 1}
    assert calls["faults"]["StopWorkspaces"]["answer_lost"] == 1


def test_a_retrying_client_after_a_dropped_answer_finds_the_action_running(
    simulator: SimulatorServer, make_client: ClientFactory, seed: Seeder
) -> None:
    """botocore retries the closed connection; the retry is refused: accepted 2, started 1."""
    (workspace_id,) = seed("ERROR")
    simulator.control.set_faults(
        {"RebuildWorkspaces": {"lose_answers": {"workspaces": [workspace_id], "drop": True}}}
    )
    (failure,) = rebuild(make_client(retries=True), workspace_id)
    assert failure["ErrorCode"] == "InvalidResourceState.Workspace"
    calls = simulator.control.calls()
    assert calls["accepted_by_workspace"]["RebuildWorkspaces"] == {workspace_id: 2}
    assert calls["started_by_workspace"]["RebuildWorkspaces"] == {workspace_id: 1}
    assert calls["faults"]["RebuildWorkspaces"]["answer_lost"] == 1


def test_a_dropped_restore_answer(simulator: SimulatorServer, client: Any, seed: Seeder) -> None:
    """RestoreWorkspace too: restored, unanswered, counted as started."""
    (workspace_id,) = seed("ERROR")
    simulator.control.set_faults({"RestoreWorkspace": {"lose_answers": {"count": 1, "drop": True}}})
    with pytest.raises(ConnectionClosedError):
        client.restore_workspace(WorkspaceId=workspace_id)
    assert true_state(simulator.control, workspace_id) == "RESTORING"
    assert simulator.control.calls()["started"]["RestoreWorkspace"] == 1


# ------------------------------------------------------------- dropped connections


def test_connections_dropped_after_accepted_calls(
    simulator: SimulatorServer, client: Any, seed: Seeder
) -> None:
    """After ``after`` accepted calls, every call is dropped unanswered and not carried out."""
    first, second, third = seed("AVAILABLE", "AVAILABLE", "AVAILABLE")
    simulator.control.set_faults({"RebootWorkspaces": {"drop_connections": {"after": 2}}})
    assert reboot(client, first) == []
    assert reboot(client, second) == []
    for _attempt in range(2):
        with pytest.raises(ConnectionClosedError):
            reboot(client, third)
    assert true_state(simulator.control, third) == "AVAILABLE"
    # Other operations still get through.
    assert len(client.describe_workspaces()["Workspaces"]) == 3
    calls = simulator.control.calls()
    assert calls["by_operation"]["RebootWorkspaces"] == 4
    assert calls["accepted"]["RebootWorkspaces"] == 2
    assert calls["by_workspace"]["RebootWorkspaces"] == {first: 1, second: 1, third: 2}
    assert calls["accepted_by_workspace"]["RebootWorkspaces"] == {first: 1, second: 1}
    assert calls["faults"]["RebootWorkspaces"]["dropped"] == 2


def test_a_dropped_connection_gets_no_bytes_at_all(
    simulator: SimulatorServer, seed: Seeder
) -> None:
    """The server closes the socket without writing a status line or anything else."""
    (workspace_id,) = seed("AVAILABLE")
    simulator.control.set_faults({"RebootWorkspaces": {"drop_connections": {"after": 0}}})
    params = {"RebootWorkspaceRequests": [{"WorkspaceId": workspace_id}]}
    assert raw_call(simulator, "RebootWorkspaces", params) == b""
    assert true_state(simulator.control, workspace_id) == "AVAILABLE"
    assert faults_of(simulator, "RebootWorkspaces")["dropped"] == 1


def test_a_retrying_client_meets_the_dropped_connection_on_every_attempt(
    simulator: SimulatorServer, make_client: ClientFactory, seed: Seeder
) -> None:
    """botocore retries a closed connection; each attempt is received, none accepted."""
    (workspace_id,) = seed("ERROR")
    simulator.control.set_faults({"RebuildWorkspaces": {"drop_connections": {"after": 0}}})
    with pytest.raises(ConnectionClosedError):
        rebuild(make_client(retries=True), workspace_id)
    calls = simulator.control.calls()
    assert calls["by_workspace"]["RebuildWorkspaces"] == {workspace_id: 6}
    assert calls["accepted"]["RebuildWorkspaces"] == 0
    assert calls["faults"]["RebuildWorkspaces"]["dropped"] == 6
    assert true_state(simulator.control, workspace_id) == "ERROR"


def test_a_lost_answer_counts_as_accepted_before_the_drop(
    simulator: SimulatorServer, client: Any, seed: Seeder
) -> None:
    """A call whose answer was lost reached the service, so it counts towards ``after``."""
    first, second = seed("AVAILABLE", "AVAILABLE")
    simulator.control.set_faults(
        {"RebootWorkspaces": {"lose_answers": {"count": 1}, "drop_connections": {"after": 1}}}
    )
    with pytest.raises(ClientError):
        reboot(client, first)
    with pytest.raises(ConnectionClosedError):
        reboot(client, second)
    assert true_state(simulator.control, first) == "REBOOTING"
    assert true_state(simulator.control, second) == "AVAILABLE"
    faults = faults_of(simulator, "RebootWorkspaces")
    assert (faults["answer_lost"], faults["dropped"]) == (1, 1)


def test_setting_faults_again_restarts_the_counts(
    simulator: SimulatorServer, client: Any, seed: Seeder
) -> None:
    """Setting the faults again restarts both the lost answers and the drop countdown."""
    (workspace_id,) = seed("AVAILABLE")
    faults = {
        "DescribeWorkspaces": {"lose_answers": {"count": 1}},
        "DescribeTags": {"drop_connections": {"after": 1}},
    }
    for _round in range(2):
        simulator.control.set_faults(faults)
        with pytest.raises(ClientError):
            client.describe_workspaces()
        client.describe_workspaces()
        client.describe_tags(ResourceId=workspace_id)
        with pytest.raises(ConnectionClosedError):
            client.describe_tags(ResourceId=workspace_id)
    calls = simulator.control.calls()
    assert calls["faults"]["DescribeWorkspaces"]["answer_lost"] == 2
    assert calls["faults"]["DescribeTags"]["dropped"] == 2


# ------------------------------------------------------------------ configuration


def test_configuration_is_reported_in_full(simulator: SimulatorServer) -> None:
    """faults() shows the defaults the simulator filled in."""
    simulator.control.set_faults(
        {
            "RebuildWorkspaces": {
                "lose_answers": {"workspaces": ["ws-abcdefgh1"]},
                "drop_connections": {"after": 3},
            },
            "RebootWorkspaces": {"lose_answers": {"count": 2, "status": 503}},
            "StopWorkspaces": {"lose_answers": {"count": 1, "drop": True}},
            "StartWorkspaces": {"lose_answers": {"count": 1, "drop": False}},
        }
    )
    assert simulator.control.faults() == {
        "RebuildWorkspaces": {
            "lose_answers": {
                "workspaces": ["ws-abcdefgh1"],
                "status": 500,
                "code": "InternalServerError",
            },
            "drop_connections": {"after": 3},
        },
        "RebootWorkspaces": {
            "lose_answers": {"count": 2, "status": 503, "code": "ServiceUnavailable"}
        },
        "StopWorkspaces": {"lose_answers": {"count": 1, "drop": True}},
        "StartWorkspaces": {
            "lose_answers": {"count": 1, "status": 500, "code": "InternalServerError"}
        },
    }


@pytest.mark.parametrize(
    "setting",
    [
        {"lose_answers": 2},
        {"lose_answers": {}},
        {"lose_answers": {"count": 1, "workspaces": ["ws-abcdefgh1"]}},
        {"lose_answers": {"count": 0}},
        {"lose_answers": {"count": "1"}},
        {"lose_answers": {"count": True}},
        {"lose_answers": {"workspaces": []}},
        {"lose_answers": {"workspaces": "ws-abcdefgh1"}},
        {"lose_answers": {"count": 1, "status": 200}},
        {"lose_answers": {"count": 1, "status": 502}},
        {"lose_answers": {"count": 1, "code": 7}},
        {"lose_answers": {"count": 1, "rate": 0.5}},
        {"lose_answers": {"count": 1, "drop": "yes"}},
        {"lose_answers": {"count": 1, "drop": 1}},
        {"lose_answers": {"count": 1, "drop": True, "status": 503}},
        {"lose_answers": {"count": 1, "drop": True, "code": "InternalFailure"}},
        {"lose_answers": {"drop": True}},
        {"drop_connections": 3},
        {"drop_connections": {}},
        {"drop_connections": {"after": -1}},
        {"drop_connections": {"after": 1.5}},
        {"drop_connections": {"after": False}},
        {"drop_connections": {"after": 1, "count": 1}},
    ],
)
def test_invalid_settings_are_refused(simulator: SimulatorServer, setting: dict[str, Any]) -> None:
    """A bad lose_answers or drop_connections is refused with HTTP 400; nothing changes."""
    simulator.control.set_faults({"RebuildWorkspaces": {"drop_connections": {"after": 5}}})
    with pytest.raises(SimulatorControlError) as caught:
        simulator.control.set_faults({"RebuildWorkspaces": setting})
    assert caught.value.status == 400
    assert simulator.control.faults() == {"RebuildWorkspaces": {"drop_connections": {"after": 5}}}

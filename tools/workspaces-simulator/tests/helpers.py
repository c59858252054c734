"""Small helpers shared by the simulator tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from workspaces_simulator.control import SimulatorControl

T = TypeVar("T")


def wait_for(probe: Callable[[], T], accept: Callable[[T], bool], timeout: float = 5.0) -> T:
    """Poll ``probe`` until ``accept`` holds for its result; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if accept(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting; last value: {value!r}")
        time.sleep(0.02)


def true_state(control: SimulatorControl, workspace_id: str) -> str:
    """The state the control API reports (never stale)."""
    return str(control.workspace(workspace_id)["State"])


def described_state(client: Any, workspace_id: str) -> str:
    """The state DescribeWorkspaces reports (may be stale)."""
    workspaces = client.describe_workspaces(WorkspaceIds=[workspace_id])["Workspaces"]
    return str(workspaces[0]["State"])


def error_code(exc: Any) -> str:
    """The AWS error code botocore parsed from a ClientError."""
    return str(exc.response["Error"]["Code"])


def http_status(exc: Any) -> int:
    """The HTTP status of a ClientError."""
    return int(exc.response["ResponseMetadata"]["HTTPStatusCode"])

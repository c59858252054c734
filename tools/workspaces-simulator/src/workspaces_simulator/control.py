"""Client for the simulator's ``/_sim/`` control API, using only the standard library.

Kept free of third-party imports so test suites and demo scripts can drive a
simulator (even one running in another process) without moto installed.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from typing import Any


class SimulatorControlError(RuntimeError):
    """The control API refused a request."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
        self.message = message


class SimulatorControl:
    """Seed, inspect and steer a running simulator."""

    def __init__(self, endpoint_url: str, timeout: float = 30.0) -> None:
        self.endpoint_url = endpoint_url.rstrip("/")
        self.timeout = timeout
        # The simulator is local: never route control traffic through a proxy.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def _call(self, method: str, path: str, payload: Any = None) -> Any:
        data = None if payload is None else json.dumps(payload).encode("utf-8")
        request = urllib.request.Request(
            f"{self.endpoint_url}/_sim/{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            body = exc.read().decode("utf-8", "replace")
            try:
                message = json.loads(body).get("error", body)
            except (ValueError, AttributeError):
                message = body
            raise SimulatorControlError(exc.code, message) from None

    def health(self) -> bool:
        """True when the simulator answers."""
        return bool(self._call("GET", "health").get("ok"))

    def reset(self) -> None:
        """Forget every account (and its keys) and region's WorkSpaces and directories, faults,
        schedule and counts; timing back to defaults."""
        self._call("POST", "reset", {})

    def load_scenario(self, scenario: dict[str, Any]) -> dict[str, Any]:
        """Add a scenario; returns {"workspace_ids": [...], "directory_ids": [...],
        "regions": {workspace_id: region}} (and, with declared accounts,
        "accounts": {workspace_id: account})."""
        return dict(self._call("POST", "scenario", scenario))

    def workspaces(
        self, region: str | None = None, account: str | None = None
    ) -> list[dict[str, Any]]:
        """The true current state of every WorkSpace (of ``region`` and ``account`` only, when
        given), each with its "Region" (and, with declared accounts, its "Account"): the
        accounts and regions in the order first seeded, each in creation order."""
        params = {
            key: value
            for key, value in (("region", region), ("account", account))
            if value is not None
        }
        query = "?" + urllib.parse.urlencode(params) if params else ""
        return list(self._call("GET", f"workspaces{query}")["workspaces"])

    def workspace(self, workspace_id: str) -> dict[str, Any]:
        """The true current state of one WorkSpace, in whichever region holds it."""
        for item in self.workspaces():
            if item["WorkspaceId"] == workspace_id:
                return item
        raise SimulatorControlError(404, f"no WorkSpace {workspace_id}")

    def set_state(self, workspace_id: str, state: str) -> None:
        """Force a WorkSpace into a state (cancels a running action and any stale view)."""
        quoted = urllib.parse.quote(workspace_id, safe="")
        self._call("POST", f"workspaces/{quoted}/state", {"state": state})

    def timing(self) -> dict[str, Any]:
        """Current speed, durations and stale-read lag."""
        return dict(self._call("GET", "timing"))

    def set_timing(
        self,
        speed: float | None = None,
        durations: dict[str, float] | None = None,
        stale_seconds: float | None = None,
    ) -> dict[str, Any]:
        """Change only the given timing settings; returns the resulting timing."""
        payload: dict[str, Any] = {}
        if speed is not None:
            payload["speed"] = speed
        if durations is not None:
            payload["durations"] = durations
        if stale_seconds is not None:
            payload["stale_seconds"] = stale_seconds
        return dict(self._call("PUT", "timing", payload))

    def faults(self) -> dict[str, Any]:
        """The active fault configuration."""
        return dict(self._call("GET", "faults"))

    def set_faults(self, faults: dict[str, Any]) -> dict[str, Any]:
        """Replace every fault ({} clears them all)."""
        return dict(self._call("PUT", "faults", faults))

    def set_connection_state(self, workspace_id: str, state: str) -> dict[str, Any]:
        """Set what DescribeWorkspacesConnectionStatus reports for a WorkSpace, now
        (CONNECTED, DISCONNECTED or UNKNOWN); returns its connection status."""
        quoted = urllib.parse.quote(workspace_id, safe="")
        return dict(self._call("POST", f"workspaces/{quoted}/connection", {"state": state}))

    def schedule(self) -> list[dict[str, Any]]:
        """The scheduled changes still to come, counted from now (the format set_schedule reads)."""
        return list(self._call("GET", "schedule")["events"])

    def set_schedule(self, events: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Replace every scheduled change ([] clears them); returns the pending events."""
        return list(self._call("PUT", "schedule", {"events": [dict(e) for e in events]})["events"])

    def calls(self) -> dict[str, Any]:
        """Call counts: by_operation, accepted, by_workspace, accepted_by_workspace, faults,
        started, started_by_workspace (each summed over every region and account), and
        by_region ({region: {"by_operation": ..., "accepted": ...}}); with declared accounts
        also by_account ({account: {"by_operation", "accepted", "by_region"}}) and
        unrecognized ({operation: requests refused for their credentials})."""
        return dict(self._call("GET", "calls"))

    def reset_calls(self) -> None:
        """Zero every call count."""
        self._call("DELETE", "calls")

"""moto's WorkSpaces response handler, extended with the operations the simulator adds.

Each request gets its own handler instance, bound to the backend of the request's
region (moto's own handler looks the backend up in a global per-account/region
dict). The region is read as moto reads it. Requests are validated against the
botocore model before moto sees them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from moto.core.common_types import TYPE_RESPONSE
from moto.core.request import Request
from moto.workspaces.responses import WorkSpacesResponse

from .backend import DEFAULT_REGION, REGION_PATTERN, SimulatedWorkSpacesBackend
from .errors import JsonRESTError, SimulatedServiceError, error_response
from .lifecycle import ACTIONS
from .validation import validate_request

#: (operation, WorkSpace id) -> forced (ErrorCode, ErrorMessage), or None.
ForcedFailureLookup = Callable[[str, str], "tuple[str, str] | None"]


class SimulatedWorkSpacesResponse(WorkSpacesResponse):
    """Adds rebuild/reboot/restore/start/stop, snapshots, connection status, paging, DeleteTags."""

    def __init__(
        self, forced_failure: ForcedFailureLookup, default_region: str = DEFAULT_REGION
    ) -> None:
        super().__init__()
        #: The region of a request that names none (moto's helper falls back to this).
        self.default_region = default_region
        self._backend: SimulatedWorkSpacesBackend | None = None
        self._forced_failure = forced_failure
        #: WorkSpaces whose entries were failed by a fault instead of reaching the backend.
        self.forced_ids: set[str] = set()
        #: One entry per transition this request began (an id twice if it began twice).
        self.started_ids: list[str] = []

    def get_region_from_url(self, request: Request, full_url: str) -> str:
        """The request's region as moto reads it: for a request to the simulator (whose host
        is no ``*.REGION.amazonaws.com``), the region of the SigV4 credential scope in its
        Authorization header (``Credential=KEY/DATE/REGION/workspaces/aws4_request``). A
        request without such a header, or whose header names nothing that looks like a
        region, is for the default region."""
        try:
            region = super().get_region_from_url(request, full_url)
        except IndexError:  # an AWS4 Authorization header without a credential scope
            return self.default_region
        return region if REGION_PATTERN.fullmatch(region) else self.default_region

    def region_of(self, request: Request) -> str:
        """The region whose backend serves ``request``."""
        return self.get_region_from_url(request, request.raw_url)

    def serve(self, backend: SimulatedWorkSpacesBackend, request: Request) -> TYPE_RESPONSE:
        """Answer ``request`` from ``backend``, the backend of its region."""
        self._backend = backend
        return self._dispatch(request)

    @property
    def workspaces_backend(self) -> SimulatedWorkSpacesBackend:
        """The backend of the request's region, whatever the request's account."""
        if self._backend is None:
            raise RuntimeError("no backend bound: serve() binds the request's region's")
        return self._backend

    def _params(self) -> dict[str, Any]:
        params = json.loads(self.body or "{}")
        return params if isinstance(params, dict) else {}

    def call_action(self) -> TYPE_RESPONSE:
        """Validate against the model first, as the service does, then let moto dispatch."""
        try:
            validate_request(self._get_action(), self._params())
        except JsonRESTError as error:
            return error_response(error)
        return super().call_action()

    # ------------------------------------------------------------- batch actions

    def _forced(self, operation: str, workspace_id: str) -> dict[str, str] | None:
        forced = self._forced_failure(operation, workspace_id)
        if forced is None:
            return None
        self.forced_ids.add(workspace_id)
        return {"WorkspaceId": workspace_id, "ErrorCode": forced[0], "ErrorMessage": forced[1]}

    def _batch(self, action_name: str, request_key: str) -> str:
        action = ACTIONS[action_name]
        failed = []
        for request in self._params()[request_key]:
            workspace_id = request.get("WorkspaceId", "")
            failure = self._forced(action.operation, workspace_id)
            if failure is None:
                failure = self.workspaces_backend.start_action(action, workspace_id)
            if failure is None:
                self.started_ids.append(workspace_id)
            else:
                failed.append(failure)
        return json.dumps({"FailedRequests": failed})

    def rebuild_workspaces(self) -> str:
        """RebuildWorkspaces (exactly one request, enforced by validation)."""
        return self._batch("rebuild", "RebuildWorkspaceRequests")

    def reboot_workspaces(self) -> str:
        """RebootWorkspaces."""
        return self._batch("reboot", "RebootWorkspaceRequests")

    def start_workspaces(self) -> str:
        """StartWorkspaces."""
        return self._batch("start", "StartWorkspaceRequests")

    def stop_workspaces(self) -> str:
        """StopWorkspaces."""
        return self._batch("stop", "StopWorkspaceRequests")

    def terminate_workspaces(self) -> str:
        """moto's TerminateWorkspaces, plus forced failures."""
        failed = []
        passed = []
        for request in self._params()["TerminateWorkspaceRequests"]:
            failure = self._forced("TerminateWorkspaces", request.get("WorkspaceId", ""))
            if failure is None:
                passed.append(request)
            else:
                failed.append(failure)
        if passed:
            failed.extend(self.workspaces_backend.terminate_workspaces(passed)["FailedRequests"])
        return json.dumps({"FailedRequests": failed})

    def restore_workspace(self) -> str:
        """RestoreWorkspace: errors instead of FailedRequests."""
        workspace_id = self._params()["WorkspaceId"]
        forced = self._forced("RestoreWorkspace", workspace_id)
        if forced is not None:
            # RestoreWorkspace has no FailedRequests: a forced failure fails the call.
            raise SimulatedServiceError(forced["ErrorCode"], forced["ErrorMessage"])
        self.workspaces_backend.restore_workspace(workspace_id)
        self.started_ids.append(workspace_id)
        return "{}"

    # -------------------------------------------------------------- descriptions

    def describe_workspaces(self) -> str:
        """moto's DescribeWorkspaces with Limit/NextToken and stale reads."""
        params = self._params()
        filters = {
            key: params.get(key) for key in ("WorkspaceIds", "DirectoryId", "UserName", "BundleId")
        }
        items, token = self.workspaces_backend.describe_workspaces_page(
            filters, params.get("Limit"), params.get("NextToken")
        )
        result: dict[str, Any] = {"Workspaces": items}
        if token:
            result["NextToken"] = token
        return json.dumps(result)

    def describe_workspaces_connection_status(self) -> str:
        """DescribeWorkspacesConnectionStatus from seeded data."""
        params = self._params()
        items, token = self.workspaces_backend.describe_connection_status(
            params.get("WorkspaceIds"), params.get("NextToken")
        )
        result: dict[str, Any] = {"WorkspacesConnectionStatus": items}
        if token:
            result["NextToken"] = token
        return json.dumps(result)

    def delete_tags(self) -> str:
        """DeleteTags, which moto's handler lacks."""
        params = self._params()
        self.workspaces_backend.delete_tags(params["ResourceId"], list(params["TagKeys"]))
        return "{}"

    def describe_workspace_snapshots(self) -> str:
        """DescribeWorkspaceSnapshots from seeded data."""
        workspace_id = self._params()["WorkspaceId"]
        return json.dumps(self.workspaces_backend.describe_workspace_snapshots(workspace_id))

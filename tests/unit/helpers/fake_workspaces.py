# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""An in-memory Amazon WorkSpaces client for unit tests.

FakeWorkspacesClient answers the calls the collection makes the way the service does:

* requests are checked like a boto3 client checks them (botocore's ParamValidator,
  raising ParamValidationError) and like the service checks them (list maxima and
  string patterns of botocore's model, answered with a ValidationException);
* DescribeWorkspaces accepts one of WorkspaceIds, DirectoryId (with an optional
  UserName, matched exactly, case included) and BundleId, omits unknown ids and pages
  with Limit/NextToken;
* get_paginator returns botocore's own Paginator over the fake's methods, so the
  paging code under test runs unchanged;
* RebuildWorkspaces, RebootWorkspaces, StartWorkspaces and StopWorkspaces answer
  FailedRequests for WorkSpaces in a state (or, start and stop, a running mode) they
  refuse, the transitional state included, so a retry of an accepted action is refused
  as AWS refuses it; RestoreWorkspace raises those refusals instead (ACTION_RULES);
* CreateTags and DeleteTags change the tags DescribeTags reports;
* DescribeWorkspacesConnectionStatus reports the connection state a test set
  (``set_connection_state``), UNKNOWN otherwise;
* a WorkSpace read in ERROR or UNHEALTHY carries the ErrorCode and ErrorMessage a test
  gave it (``error_details``), as DescribeWorkspaces reports them.

Tests script the service: errors to raise per operation or per WorkSpace (before or
after a rebuild is accepted), FailedRequests to answer, and the states
DescribeWorkspaces reports read after read (stale reads included), and actions to run
right before a call is answered (``hooks``: advance a clock, change a state). Every call
is recorded, in order, in ``calls``.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import datetime
import re
import threading
import time
import typing as t

import botocore.session
from botocore.exceptions import ClientError
from botocore.exceptions import ConnectionClosedError
from botocore.exceptions import EndpointConnectionError
from botocore.exceptions import OperationNotPageableError
from botocore.exceptions import ReadTimeoutError
from botocore.model import ListShape
from botocore.model import Shape
from botocore.model import StructureShape
from botocore.paginate import Paginator
from botocore.validate import validate_parameters

_SESSION = botocore.session.get_session()
SERVICE_MODEL = _SESSION.get_service_model("workspaces")
_PAGINATORS = _SESSION.get_paginator_model("workspaces")

REGION = "us-east-1"
ENDPOINT = f"https://workspaces.{REGION}.amazonaws.com/"

DIRECTORY = "d-1234567890"
OTHER_DIRECTORY = "d-0987654321"
BUNDLE = "wsb-0123456789"
OTHER_BUNDLE = "wsb-9876543210"

# The states RebuildWorkspaces accepts, per the API reference.
REBUILDABLE_STATES = frozenset(("AVAILABLE", "ERROR", "UNHEALTHY", "STOPPED", "REBOOTING"))

# What DescribeWorkspaces reports after a rebuild is accepted, unless a test says otherwise.
DEFAULT_READS_AFTER_REBUILD: tuple[str | None, ...] = ("REBUILDING", "AVAILABLE")


@dataclasses.dataclass(frozen=True)
class ActionRule:
    """How the service treats one action call, per the API reference."""

    request_key: str | None  # None: one WorkSpace per call (WorkspaceId), refusals raised
    allowed_states: frozenset[str]
    reads_after: tuple[str | None, ...]  # what DescribeWorkspaces reports once it is accepted
    running_modes: frozenset[str] = frozenset(("AUTO_STOP", "ALWAYS_ON", "MANUAL"))


ACTION_RULES = {
    "RebuildWorkspaces": ActionRule("RebuildWorkspaceRequests", REBUILDABLE_STATES, DEFAULT_READS_AFTER_REBUILD),
    # REBOOTING only for a WorkSpace stuck there over 20 minutes: FakeWorkspacesClient.stuck_rebooting.
    "RebootWorkspaces": ActionRule("RebootWorkspaceRequests", frozenset(("AVAILABLE", "UNHEALTHY")), ("REBOOTING", "AVAILABLE")),
    "RestoreWorkspace": ActionRule(None, frozenset(("AVAILABLE", "ERROR", "UNHEALTHY", "STOPPED")), ("RESTORING", "AVAILABLE")),
    "StartWorkspaces": ActionRule("StartWorkspaceRequests", frozenset(("STOPPED",)), ("STARTING", "AVAILABLE"), frozenset(("AUTO_STOP", "MANUAL"))),
    "StopWorkspaces": ActionRule(
        "StopWorkspaceRequests", frozenset(("AVAILABLE", "IMPAIRED", "UNHEALTHY", "ERROR")), ("STOPPING", "STOPPED"), frozenset(("AUTO_STOP", "MANUAL"))
    ),
}

Entry = dict[str, t.Any]
State = str | None  # None: the WorkSpace has gone


def ws_id(number: int) -> str:
    """A well-formed WorkSpace id, e.g. ws-0000000007."""
    return f"ws-{number:010d}"


def workspace(
    workspace_id: str,
    state: str = "AVAILABLE",
    *,
    directory_id: str = DIRECTORY,
    user_name: str | None = None,
    bundle_id: str = BUNDLE,
    computer_name: str | None = None,
) -> Entry:
    """One DescribeWorkspaces entry, with the fields AWS returns."""
    suffix = workspace_id[len("ws-") :]
    return {
        "WorkspaceId": workspace_id,
        "DirectoryId": directory_id,
        "UserName": user_name if user_name is not None else f"user-{suffix}",
        "IpAddress": "10.0.0.12",
        "State": state,
        "BundleId": bundle_id,
        "SubnetId": "subnet-0123456789abcdef0",
        "ComputerName": computer_name if computer_name is not None else f"WSAMZN-{suffix[-6:].upper()}",
        "WorkspaceProperties": {
            "RunningMode": "AUTO_STOP",
            "RunningModeAutoStopTimeoutInMinutes": 60,
            "RootVolumeSizeGib": 80,
            "UserVolumeSizeGib": 50,
            "ComputeTypeName": "STANDARD",
        },
        "ModificationStates": [],
    }


def client_error(code: str, message: str = "", operation: str = "RebuildWorkspaces", status: int = 400) -> ClientError:
    """A botocore ClientError exactly as a boto3 client raises it."""
    response: dict[str, t.Any] = {
        "Error": {"Code": code, "Message": message or f"{code} error"},
        "ResponseMetadata": {"RequestId": "00000000-0000-0000-0000-000000000000", "HTTPStatusCode": status},
    }
    return ClientError(response, operation)  # type: ignore[arg-type]


def throttled(operation: str = "RebuildWorkspaces") -> ClientError:
    """The error the WorkSpaces API answers throttled calls with."""
    return client_error("ThrottlingException", "Rate exceeded", operation)


def access_denied(operation: str = "RebuildWorkspaces") -> ClientError:
    return client_error(
        "AccessDeniedException",
        f"User: arn:aws:iam::123456789012:user/ops is not authorized to perform: workspaces:{operation}",
        operation,
    )


def connection_lost() -> EndpointConnectionError:
    """What botocore raises when the endpoint cannot be reached (the request never left)."""
    return EndpointConnectionError(endpoint_url=ENDPOINT)


def connection_closed() -> ConnectionClosedError:
    """What botocore raises when the connection drops after the request was sent."""
    return ConnectionClosedError(endpoint_url=ENDPOINT)


def read_timeout() -> ReadTimeoutError:
    """What botocore raises when the answer does not come in time (the request was sent)."""
    return ReadTimeoutError(endpoint_url=ENDPOINT)


def server_error(operation: str = "RebuildWorkspaces", code: str = "InternalServerError", status: int = 500) -> ClientError:
    """A 5xx answer: the request may have been processed all the same."""
    return client_error(code, "We encountered an internal error. Please try again.", operation, status=status)


def when(hour: int) -> datetime.datetime:
    """A timezone-aware timestamp, as botocore parses them."""
    return datetime.datetime(2024, 11, 28, hour, 0, tzinfo=datetime.UTC)


@dataclasses.dataclass(frozen=True)
class Call:
    """One call made to the client: the API operation and its parameters."""

    operation: str
    params: Entry


class FakeWorkspacesClient:
    """A thread-safe, scriptable stand-in for ``boto3.client("workspaces")``."""

    def __init__(
        self,
        workspaces: t.Iterable[Entry] = (),
        *,
        page_size: int = 25,
        connection_page_size: int = 25,
        rebuild_latency: float = 0.0,
    ) -> None:
        self._lock = threading.Lock()
        # Insertion order is the order AWS lists them in: not sorted by id.
        self.workspaces: dict[str, Entry] = {}
        for entry in workspaces:
            self.add(entry)
        self.page_size = page_size
        self.connection_page_size = connection_page_size
        self.tags: dict[str, dict[str, str]] = {}
        self.snapshots: dict[str, Entry] = {}
        self.connection_status: dict[str, Entry | None] = {}
        # operation -> one item per call: an exception to raise, or None to answer normally.
        self.errors: dict[str, list[BaseException | None]] = {}
        # WorkSpace id -> exceptions raised by its next action calls (any of ACTION_RULES), one per call.
        self.action_errors: dict[str, list[BaseException]] = {}
        # WorkSpace id -> exceptions raised by its next accepted action calls, one per call, once
        # the action has started: an answer lost on the way back, or a server error after the
        # work was done. A retry then finds the WorkSpace in the action's transitional state.
        self.errors_after_accepting: dict[str, list[BaseException]] = {}
        # WorkSpace id -> (ErrorCode, ErrorMessage) answered in FailedRequests.
        self.action_failures: dict[str, tuple[str, str]] = {}
        # WorkSpace id -> the states its reads report once an action is accepted.
        self.reads_after_action: dict[str, t.Sequence[State]] = {}
        # WorkSpace id -> (ErrorCode, ErrorMessage) on its entries while it reads ERROR or UNHEALTHY.
        self.error_details: dict[str, tuple[str, str]] = {}
        # operation -> one item per call: run with the fake (its lock not held) right before the
        # call is answered, after it was recorded; None for a call left alone.
        self.hooks: dict[str, list[t.Callable[[FakeWorkspacesClient], None] | None]] = {}
        self.accepted: list[str] = []
        # WorkSpaces REBOOTING for over 20 minutes: the only REBOOTING ones AWS reboots again.
        self.stuck_rebooting: set[str] = set()
        self.calls: list[Call] = []
        # How long each RebuildWorkspaces call takes, and the most calls seen in flight at once.
        self.rebuild_latency = rebuild_latency
        self.peak_rebuilds_in_flight = 0
        self._rebuilds_in_flight = 0
        self._reads: dict[str, list[State]] = {}

    # ------------------------------------------------------------------ scripting

    def add(self, entry: Entry) -> None:
        self.workspaces[entry["WorkspaceId"]] = copy.deepcopy(entry)

    def script(self, workspace_id: str, *states: State) -> None:
        """The states the next DescribeWorkspaces reads of a WorkSpace report, one per read.

        The last one sticks: it becomes the WorkSpace's state (None: it is deleted).
        """
        with self._lock:
            self._reads[workspace_id] = list(states)

    def set_connection_state(self, workspace_id: str, state: str | None) -> None:
        """The ConnectionState DescribeWorkspacesConnectionStatus reports for it (None: no entry at all)."""
        with self._lock:
            self.connection_status[workspace_id] = None if state is None else {"WorkspaceId": workspace_id, "ConnectionState": state}

    def add_snapshot(self, workspace_id: str, *times: datetime.datetime, kind: str = "RebuildSnapshots") -> None:
        """Snapshots taken at these times, listed in the order given."""
        with self._lock:
            listed = self.snapshots.setdefault(workspace_id, {}).setdefault(kind, [])
            listed.extend({"SnapshotTime": time_taken} for time_taken in times)

    def calls_of(self, operation: str) -> list[Entry]:
        """The parameters of every call of one operation, in order."""
        return [call.params for call in self.calls if call.operation == operation]

    @property
    def operations(self) -> list[str]:
        return [call.operation for call in self.calls]

    def calls_about(self, workspace_id: str) -> list[str]:
        """The operations of every call naming this WorkSpace, in order."""
        return [call.operation for call in self.calls if workspace_id in _ids_named(call.params)]

    def accepted_count(self, workspace_id: str) -> int:
        """How many rebuilds AWS accepted for this WorkSpace."""
        return self.accepted.count(workspace_id)

    def action_calls(self, operation: str) -> list[str]:
        """The WorkSpace ids of every call of an action operation, in order, retries included."""
        key = ACTION_RULES[operation].request_key
        if key is None:
            return [params["WorkspaceId"] for params in self.calls_of(operation)]
        return [request["WorkspaceId"] for params in self.calls_of(operation) for request in params.get(key, [])]

    @property
    def rebuild_calls(self) -> list[str]:
        """The WorkSpace ids of every RebuildWorkspaces call, in order, retries included."""
        return [request["WorkspaceId"] for params in self.calls_of("RebuildWorkspaces") for request in params.get("RebuildWorkspaceRequests", [])]

    # ------------------------------------------------------------------ plumbing

    def _enter(self, operation: str, params: Entry) -> None:
        """Record the call, then fail it as a boto3 client or the service would."""
        with self._lock:
            self.calls.append(Call(operation, copy.deepcopy(params)))
            scripted = self.errors.get(operation)
            error = scripted.pop(0) if scripted else None
            hooks = self.hooks.get(operation)
            hook = hooks.pop(0) if hooks else None
        if hook is not None:
            hook(self)
        input_shape = SERVICE_MODEL.operation_model(operation).input_shape
        validate_parameters(params, input_shape)  # what the client checks
        if error is not None:
            raise error
        violations: list[str] = []
        _check_model_limits(input_shape, params, "", violations)  # what the service checks
        if violations:
            count = f"{len(violations)} validation error{'s' if len(violations) > 1 else ''} detected"
            raise client_error("ValidationException", f"{count}: {'; '.join(violations)}", operation)

    def _read(self, workspace_id: str) -> Entry | None:
        """The entry a DescribeWorkspaces read reports, consuming one scripted state (lock held)."""
        return self._with_error_details(self._read_state(workspace_id))

    def _with_error_details(self, entry: Entry | None) -> Entry | None:
        if entry is not None and entry.get("State") in ("ERROR", "UNHEALTHY") and entry["WorkspaceId"] in self.error_details:
            entry["ErrorCode"], entry["ErrorMessage"] = self.error_details[entry["WorkspaceId"]]
        return entry

    def _read_state(self, workspace_id: str) -> Entry | None:
        script = self._reads.get(workspace_id)
        if not script:
            return copy.deepcopy(self.workspaces[workspace_id])
        state = script[0]
        if len(script) > 1:
            script.pop(0)
        else:
            # The last scripted state sticks: it becomes the WorkSpace's own.
            del self._reads[workspace_id]
            if state is None:
                del self.workspaces[workspace_id]
            else:
                self.workspaces[workspace_id]["State"] = state
        if state is None:
            return None
        entry = copy.deepcopy(self.workspaces[workspace_id])
        entry["State"] = state
        return entry

    @contextlib.contextmanager
    def _rebuild_in_flight(self) -> t.Iterator[None]:
        with self._lock:
            self._rebuilds_in_flight += 1
            self.peak_rebuilds_in_flight = max(self.peak_rebuilds_in_flight, self._rebuilds_in_flight)
        try:
            if self.rebuild_latency:
                time.sleep(self.rebuild_latency)
            yield
        finally:
            with self._lock:
                self._rebuilds_in_flight -= 1

    @staticmethod
    def _page(items: list[t.Any], token: str | None, size: int, operation: str) -> tuple[list[t.Any], str | None]:
        start = 0
        if token is not None:
            match = re.fullmatch(r"page-(\d+)", token)
            if match is None:
                raise client_error("InvalidParameterValuesException", "The NextToken is not valid.", operation)
            start = int(match.group(1))
        end = start + size
        return items[start:end], (f"page-{end}" if end < len(items) else None)

    # ------------------------------------------------------------------ operations

    def get_paginator(self, operation_name: str) -> Paginator:
        operations = {
            "describe_workspaces": "DescribeWorkspaces",
            "describe_workspaces_connection_status": "DescribeWorkspacesConnectionStatus",
        }
        if operation_name not in operations:
            raise OperationNotPageableError(operation_name=operation_name)
        name = operations[operation_name]
        return Paginator(getattr(self, operation_name), _PAGINATORS.get_paginator(name), SERVICE_MODEL.operation_model(name))

    def describe_workspaces(self, **params: t.Any) -> Entry:
        operation = "DescribeWorkspaces"
        self._enter(operation, params)
        filters = [key for key in ("WorkspaceIds", "DirectoryId", "BundleId", "WorkspaceName") if key in params]
        if len(filters) > 1:
            raise client_error(
                "InvalidParameterValuesException",
                "An invalid number of parameters provided with DescribeWorkspaces. Only one of the following are "
                "allowed to be specified: BundleId, DirectoryId, WorkSpaceIds, Filters.",
                operation,
            )
        if "UserName" in params and "DirectoryId" not in params:
            raise client_error("InvalidParameterValuesException", "The DirectoryId parameter is required when UserName is used.", operation)
        user = params.get("UserName")
        with self._lock:
            matching = [
                entry
                for entry in self.workspaces.values()
                if ("WorkspaceIds" not in params or entry["WorkspaceId"] in params["WorkspaceIds"])
                and ("DirectoryId" not in params or entry["DirectoryId"] == params["DirectoryId"])
                # UserName matches exactly, case included, as in moto.
                and (user is None or entry["UserName"] == user)
                and ("BundleId" not in params or entry["BundleId"] == params["BundleId"])
            ]
            page, token = self._page(matching, params.get("NextToken"), params.get("Limit", self.page_size), operation)
            entries = [self._read(entry["WorkspaceId"]) for entry in page]
        response: Entry = {"Workspaces": [entry for entry in entries if entry is not None]}
        if token is not None:
            response["NextToken"] = token
        return response

    def describe_workspaces_connection_status(self, **params: t.Any) -> Entry:
        operation = "DescribeWorkspacesConnectionStatus"
        self._enter(operation, params)
        with self._lock:
            wanted = params.get("WorkspaceIds")
            ids = [wid for wid in self.workspaces if wanted is None or wid in wanted]
            page, token = self._page(ids, params.get("NextToken"), self.connection_page_size, operation)
            # A status set to None: AWS has no entry for that WorkSpace.
            statuses = [
                copy.deepcopy(self.connection_status.get(wid, {"WorkspaceId": wid, "ConnectionState": "UNKNOWN"}))
                for wid in page
                if self.connection_status.get(wid, {}) is not None
            ]
        response: Entry = {"WorkspacesConnectionStatus": statuses}
        if token is not None:
            response["NextToken"] = token
        return response

    def describe_tags(self, **params: t.Any) -> Entry:
        self._enter("DescribeTags", params)
        resource_id = params["ResourceId"]
        with self._lock:
            if resource_id not in self.workspaces:
                raise client_error("ResourceNotFoundException", "The resource could not be found.", "DescribeTags")
            tags = dict(self.tags.get(resource_id, {}))
        return {"TagList": [{"Key": key, "Value": value} for key, value in tags.items()]}

    def describe_workspace_snapshots(self, **params: t.Any) -> Entry:
        self._enter("DescribeWorkspaceSnapshots", params)
        workspace_id = params["WorkspaceId"]
        with self._lock:
            if workspace_id not in self.workspaces:
                raise client_error("ResourceNotFoundException", "The resource could not be found.", "DescribeWorkspaceSnapshots")
            found = copy.deepcopy(self.snapshots.get(workspace_id, {}))
        return {"RebuildSnapshots": found.get("RebuildSnapshots", []), "RestoreSnapshots": found.get("RestoreSnapshots", [])}

    def create_tags(self, **params: t.Any) -> Entry:
        self._enter("CreateTags", params)
        resource_id = params["ResourceId"]
        with self._lock:
            if resource_id not in self.workspaces:
                raise client_error("ResourceNotFoundException", "The resource could not be found.", "CreateTags")
            self.tags.setdefault(resource_id, {}).update({tag["Key"]: tag["Value"] for tag in params["Tags"]})
        return {}

    def delete_tags(self, **params: t.Any) -> Entry:
        self._enter("DeleteTags", params)
        resource_id = params["ResourceId"]
        with self._lock:
            if resource_id not in self.workspaces:
                raise client_error("ResourceNotFoundException", "The resource could not be found.", "DeleteTags")
            for key in params["TagKeys"]:
                self.tags.get(resource_id, {}).pop(key, None)
        return {}

    def rebuild_workspaces(self, **params: t.Any) -> Entry:
        return self._act("RebuildWorkspaces", params)

    def reboot_workspaces(self, **params: t.Any) -> Entry:
        return self._act("RebootWorkspaces", params)

    def start_workspaces(self, **params: t.Any) -> Entry:
        return self._act("StartWorkspaces", params)

    def stop_workspaces(self, **params: t.Any) -> Entry:
        return self._act("StopWorkspaces", params)

    def restore_workspace(self, **params: t.Any) -> Entry:
        """One WorkSpace a call, and no FailedRequests: a refusal is raised, as the service does."""
        answer = self._act("RestoreWorkspace", {"RestoreWorkspaceRequests": [params]}, recorded=params)
        for failure in answer["FailedRequests"]:
            raise client_error(failure["ErrorCode"], failure["ErrorMessage"], "RestoreWorkspace")
        return {}

    def _act(self, operation: str, params: Entry, recorded: Entry | None = None) -> Entry:
        with self._rebuild_in_flight():
            return self._act_on_each(operation, params, recorded)

    def _act_on_each(self, operation: str, params: Entry, recorded: Entry | None) -> Entry:
        """The scripting of __init__ (action_errors, action_failures, reads_after_action,
        errors_after_accepting) applies to whichever action is called.

        A call fails or succeeds as a whole, as the service's do: an error scripted for any
        of its WorkSpaces before acceptance fails the call before any request is processed;
        one scripted after acceptance loses the answer once every request was processed.
        """
        rule = ACTION_RULES[operation]
        self._enter(operation, params if recorded is None else recorded)
        ids = [request["WorkspaceId"] for request in params[rule.request_key or "RestoreWorkspaceRequests"]]
        with self._lock:
            # One call fails once: the first WorkSpace's scripted error; the others' stay for later calls.
            pending = next((errors for wid in ids if (errors := self.action_errors.get(wid))), None)
            error = pending.pop(0) if pending else None
        if error is not None:
            raise error
        failed: list[Entry] = []
        lost: list[BaseException] = []
        with self._lock:
            for workspace_id in ids:
                refusal = self._refusal(operation, rule, workspace_id)
                if refusal is not None:
                    failed.append({"WorkspaceId": workspace_id, "ErrorCode": refusal[0], "ErrorMessage": refusal[1]})
                    continue
                entry = self.workspaces[workspace_id]
                entry["State"] = t.cast(str, rule.reads_after[0])
                self._reads[workspace_id] = list(self.reads_after_action.get(workspace_id, rule.reads_after))
                self.accepted.append(workspace_id)
                if after := self.errors_after_accepting.get(workspace_id):
                    lost.append(after.pop(0))
        if lost:
            raise lost[0]  # the actions have started all the same
        return {"FailedRequests": failed}

    def _refusal(self, operation: str, rule: ActionRule, workspace_id: str) -> tuple[str, str] | None:
        """(ErrorCode, ErrorMessage) when the service refuses the action for it (lock held)."""
        entry = self.workspaces.get(workspace_id)
        if workspace_id in self.action_failures:
            return self.action_failures[workspace_id]
        if entry is None:
            code = "ResourceNotFoundException" if rule.request_key is None else "ResourceNotFound.Workspace"
            return code, f"The WorkSpace {workspace_id} could not be found."
        if entry["WorkspaceProperties"]["RunningMode"] not in rule.running_modes:
            return "UnsupportedOperation", f"The WorkSpace {workspace_id} has running mode ALWAYS_ON."
        stuck = operation == "RebootWorkspaces" and entry["State"] == "REBOOTING" and workspace_id in self.stuck_rebooting
        if entry["State"] not in rule.allowed_states and not stuck:
            code = "InvalidResourceStateException" if rule.request_key is None else "InvalidResourceState"
            return code, "The specified WorkSpace has an invalid state for this operation."
        return None


def _ids_named(params: Entry) -> list[str]:
    """The WorkSpace ids a call's parameters name, whatever the operation."""
    ids = list(params.get("WorkspaceIds", []))
    ids += [params[key] for key in ("WorkspaceId", "ResourceId") if key in params]
    ids += [request["WorkspaceId"] for request in params.get("RebuildWorkspaceRequests", [])]
    return ids


def _check_model_limits(shape: Shape, value: t.Any, path: str, violations: list[str]) -> None:
    """The constraints of botocore's model that only the service enforces (maxima, patterns)."""
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        for name, member in shape.members.items():
            if name in value:
                _check_model_limits(member, value[name], f"{path}.{name[:1].lower()}{name[1:]}".lstrip("."), violations)
    elif isinstance(shape, ListShape) and isinstance(value, list):
        maximum = shape.metadata.get("max")
        if maximum is not None and len(value) > maximum:
            violations.append(f"Value at '{path}' failed to satisfy constraint: Member must have length less than or equal to {maximum}")
        for index, item in enumerate(value):
            _check_model_limits(shape.member, item, f"{path}.{index + 1}.member", violations)
    elif shape.type_name == "string" and isinstance(value, str):
        pattern = shape.metadata.get("pattern")
        if pattern is not None and re.fullmatch(pattern, value) is None:
            violations.append(f"Value '{value}' at '{path}' failed to satisfy constraint: Member must satisfy regular expression pattern: {pattern}")
        maximum = shape.metadata.get("max")
        if maximum is not None and len(value) > maximum:
            violations.append(f"Value '{value}' at '{path}' failed to satisfy constraint: Member must have length less than or equal to {maximum}")
    elif shape.type_name == "integer" and isinstance(value, int):
        maximum = shape.metadata.get("max")
        if maximum is not None and value > maximum:
            violations.append(f"Value '{value}' at '{path}' failed to satisfy constraint: Member must be less than or equal to {maximum}")


class FakeClock:
    """A monotonic clock that only moves when something sleeps on it."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def advance(self, seconds: float) -> None:
        """Time passing while the engine does not sleep (a slow call): not recorded as a sleep."""
        self.now += seconds

    @property
    def slept(self) -> float:
        """Every second slept, in all."""
        return sum(self.sleeps)

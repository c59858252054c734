"""moto's WorkSpaces backend, extended with lifecycle actions, seeding and pagination.

The simulator keeps moto's ``Workspace`` and ``WorkSpaceDirectory`` objects, so
every operation moto already implements keeps working on seeded data; the extra
facts the simulator needs (transitions, snapshots, connection status, ordering)
live in a ``WorkspaceExtras`` record per WorkSpace.

The backend is not thread-safe (neither is moto's); callers hold a lock.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import time
from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from moto.ds.models import Directory
from moto.workspaces.models import Workspace, WorkSpaceDirectory, WorkSpacesBackend

from .errors import (
    FAILED_INVALID_STATE,
    FAILED_NOT_FOUND,
    FAILED_UNSUPPORTED,
    InvalidParameterValuesException,
    InvalidResourceStateException,
    ResourceLimitExceededException,
    ResourceNotFoundException,
)
from .lifecycle import (
    ACTIONS,
    ALWAYS_ON,
    CONNECTED,
    CONNECTION_STATES,
    REBOOT_STUCK_SECONDS,
    RUNNING_MODE_ACTIONS,
    WORKSPACE_STATES,
    Action,
    ConnectionStatus,
    StaleView,
    Timing,
    Transition,
    WorkspaceExtras,
)

DEFAULT_ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"
#: What an AWS region name looks like (us-east-1, eu-west-2, ap-southeast-1, us-gov-west-1).
REGION_PATTERN = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
DESCRIBE_PAGE_SIZE = 25
CONNECTION_STATUS_PAGE_SIZE = 25
#: The service's limit on tags per resource (CreateTags answers ResourceLimitExceededException).
MAX_TAGS_PER_RESOURCE = 50
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:16], "big")


def private_ip_address(workspace_id: str) -> str:
    """The private IP address AWS gives a provisioned WorkSpace: fixed per id, in 10.0.0.0/8."""
    number = _digest(workspace_id)
    return f"10.{number % 256}.{(number >> 8) % 256}.{(number >> 16) % 250 + 4}"


# What DescribeWorkspaces reports of a WorkSpace's properties besides its running mode
# (moto keeps the running mode only); a Windows bundle of the Standard compute type.
DEFAULT_PROPERTIES: dict[str, Any] = {
    "RootVolumeSizeGib": 80,
    "UserVolumeSizeGib": 50,
    "ComputeTypeName": "STANDARD",
    "Protocols": ["PCOIP"],
    "OperatingSystemName": "WINDOWS_SERVER_2022",
}


def described(workspace: Workspace, state: str) -> dict[str, Any]:
    """A WorkSpace as DescribeWorkspaces reports it in state: a PENDING one has no computer
    name nor IP address yet; the others have an address and their full properties."""
    item = workspace.to_dict_pending()
    item["State"] = state
    item["WorkspaceProperties"] = {**DEFAULT_PROPERTIES, **(workspace.workspace_properties or {})}
    if state == "PENDING":
        item.pop("ComputerName", None)
    else:
        item["IpAddress"] = private_ip_address(workspace.workspace_id)
        item["SubnetId"] = "subnet-" + _base36(_digest(workspace.directory_id), 17)
    return item


def _base36(number: int, width: int) -> str:
    chars = []
    for _position in range(width):
        number, rest = divmod(number, 36)
        chars.append(_BASE36[rest])
    return "".join(chars)


def derived_directory_id(name: str) -> str:
    """A stable directory id (``d-`` and 10 hex digits, as moto requires) from a name."""
    return "d-" + hashlib.sha256(f"directory:{name}".encode()).hexdigest()[:10]


def running_mode(workspace: Workspace) -> str:
    """The WorkSpace's RunningMode property (moto keeps it in workspace_properties)."""
    properties = workspace.workspace_properties or {}
    return str(properties.get("RunningMode") or "AUTO_STOP")


@dataclass
class SeedWorkspace:
    """Everything needed to place one WorkSpace in the backend."""

    directory_id: str
    user_name: str
    id_key: str
    workspace_id: str | None = None
    region: str = DEFAULT_REGION
    account_id: str = DEFAULT_ACCOUNT_ID
    state: str = "AVAILABLE"
    bundle_id: str = "wsb-bh8rsxt14"
    running_mode: str = "AUTO_STOP"
    computer_name: str | None = None
    tags: list[dict[str, str]] = field(default_factory=list)
    fails: frozenset[str] = frozenset()
    rebuild_snapshots: list[float] = field(default_factory=list)
    restore_snapshots: list[float] = field(default_factory=list)
    connection: ConnectionStatus = field(default_factory=ConnectionStatus)
    error_code: str = ""
    error_message: str = ""
    #: Simulated seconds the WorkSpace has been in ``state`` when it is placed (None: long).
    state_age: float | None = None


@dataclass
class _SeededDirectory:
    """Just the attributes of moto's ds ``Directory`` that ``WorkSpaceDirectory`` reads."""

    directory_id: str
    name: str
    alias: str
    launch_time: float
    directory_type: str = "SimpleAD"
    dns_ip_addrs: list[str] = field(default_factory=lambda: ["10.0.0.10", "10.0.1.10"])
    vpc_settings: dict[str, Any] = field(default_factory=dict)
    connect_settings: dict[str, Any] | None = None


@dataclass
class SharedState:
    """What the backends of every account and region of the simulator share.

    The timing settings are simulator-wide, and WorkSpace ids are unique across
    regions and accounts, as on AWS: ``region_of`` and ``account_of`` index every
    WorkSpace id by where it is, so finding a WorkSpace costs one lookup, however many
    accounts and regions there are.
    """

    timing: Timing = field(default_factory=Timing)
    #: WorkSpace id -> the region holding it.
    region_of: dict[str, str] = field(default_factory=dict)
    #: WorkSpace id -> the account holding it.
    account_of: dict[str, str] = field(default_factory=dict)
    #: The (account, region) pairs in the order their first WorkSpace was placed
    #: (a dict as an ordered set).
    places: dict[tuple[str, str], None] = field(default_factory=dict)

    def register(
        self, workspace_id: str, region: str, account_id: str = DEFAULT_ACCOUNT_ID
    ) -> None:
        """Index a WorkSpace placed in ``region`` of ``account_id``."""
        self.region_of[workspace_id] = region
        self.account_of[workspace_id] = account_id
        self.places.setdefault((account_id, region), None)

    def forget(self, workspace_id: str) -> None:
        """Drop a WorkSpace that is gone (terminated)."""
        self.region_of.pop(workspace_id, None)
        self.account_of.pop(workspace_id, None)


class PageToken:
    """Opaque NextToken: the creation sequence number of the last item served."""

    @staticmethod
    def encode(sequence: int) -> str:
        """Token for the page after ``sequence``."""
        raw = json.dumps({"after": sequence}).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @staticmethod
    def decode(token: str | None) -> int:
        """Sequence number a token continues after (-1 for the first page)."""
        if not token:
            return -1
        try:
            padded = token + "=" * (-len(token) % 4)
            after = json.loads(base64.urlsafe_b64decode(padded))["after"]
        except (binascii.Error, ValueError, KeyError, TypeError) as exc:
            raise InvalidParameterValuesException("The specified NextToken is not valid.") from exc
        if not isinstance(after, int):
            raise InvalidParameterValuesException("The specified NextToken is not valid.")
        return after


class SimulatedWorkSpacesBackend(WorkSpacesBackend):
    """One region's WorkSpaces backend, of one account, with lifecycle, seeding, pagination
    and stale reads.

    The backends of several regions and accounts share a ``SharedState`` (timing, the index
    of WorkSpace ids); one made without one has a state of its own.
    """

    def __init__(
        self,
        region_name: str = DEFAULT_REGION,
        account_id: str = DEFAULT_ACCOUNT_ID,
        timing: Timing | None = None,
        clock: Callable[[], float] = time.monotonic,
        shared: SharedState | None = None,
    ) -> None:
        super().__init__(region_name, account_id)
        self.shared = shared or SharedState()
        if timing is not None:
            self.timing = timing
        self.clock = clock
        self.extras: dict[str, WorkspaceExtras] = {}
        self._next_sequence = 0

    @property
    def timing(self) -> Timing:
        """The timing settings, shared by every region and account."""
        return self.shared.timing

    @timing.setter
    def timing(self, timing: Timing) -> None:
        self.shared.timing = timing

    # ----------------------------------------------------------------- bookkeeping

    def _register(self, workspace_id: str) -> WorkspaceExtras:
        extras = WorkspaceExtras(sequence=self._next_sequence)
        self._next_sequence += 1
        self.extras[workspace_id] = extras
        self.shared.register(workspace_id, self.region_name, self.account_id)
        return extras

    def extras_for(self, workspace_id: str) -> WorkspaceExtras:
        """The simulator record of a WorkSpace, created for ones moto added on its own."""
        extras = self.extras.get(workspace_id)
        return extras if extras is not None else self._register(workspace_id)

    def _ordered(self, workspaces: Iterable[Workspace]) -> list[Workspace]:
        return sorted(workspaces, key=lambda ws: self.extras_for(ws.workspace_id).sequence)

    def _settle(self, workspace: Workspace, now: float) -> None:
        """Apply a finished transition to the WorkSpace's stored state."""
        extras = self.extras_for(workspace.workspace_id)
        transition = extras.transition
        if transition is None or transition.state_at(now) is not None:
            return
        workspace.state = transition.final_state
        if transition.final_state == "ERROR":
            workspace.error_code = "InternalError"
            workspace.error_message = f"The WorkSpace could not be {transition.action.participle}."
        else:
            workspace.error_code = ""
            workspace.error_message = ""
        extras.transition = None

    def true_state(self, workspace: Workspace) -> str:
        """The state right now, as the control API reports it."""
        self._settle(workspace, self.clock())
        return workspace.state

    def reported_state(self, workspace: Workspace) -> str:
        """The state DescribeWorkspaces reports, which may lag behind (stale reads)."""
        now = self.clock()
        self._settle(workspace, now)
        extras = self.extras_for(workspace.workspace_id)
        if extras.stale is not None:
            if now < extras.stale.until:
                return extras.stale.state
            extras.stale = None
        return workspace.state

    def _workspace(self, workspace_id: str) -> Workspace:
        workspace = self.workspaces.get(workspace_id)
        if workspace is None:
            raise ResourceNotFoundException(f"The WorkSpace {workspace_id} could not be found.")
        return workspace

    # --------------------------------------------------------------------- seeding

    def allocate_workspace_id(self, key: str, taken: Container[str] = ()) -> str:
        """A deterministic ``ws-`` id derived from ``key``, unused in every region and
        account and not in ``taken``."""
        attempt = 0
        while True:
            candidate = "ws-" + _base36(_digest(f"{key}#{attempt}"), 9)
            if (
                candidate not in self.shared.region_of
                and candidate not in self.workspaces
                and candidate not in taken
            ):
                return candidate
            attempt += 1

    def assign_ids(self, seeds: list[SeedWorkspace]) -> list[str]:
        """Give every seed its id before any is placed, so a scenario can be checked whole
        (its schedule may name generated ids) and nothing is loaded when it is refused."""
        taken = {seed.workspace_id for seed in seeds if seed.workspace_id}
        for seed in seeds:
            if not seed.workspace_id:
                seed.workspace_id = self.allocate_workspace_id(seed.id_key, taken)
                taken.add(seed.workspace_id)
        return [str(seed.workspace_id) for seed in seeds]

    def add_directory(self, directory_id: str, name: str, alias: str | None = None) -> None:
        """Register a directory (idempotent) so moto's directory operations see it."""
        if directory_id in self.workspace_directories:
            return
        suffix = directory_id[2:]
        seeded = _SeededDirectory(
            directory_id=directory_id,
            name=name,
            alias=alias or name.split(".", maxsplit=1)[0],
            launch_time=time.time(),
            vpc_settings={
                "VpcId": f"vpc-{suffix[:8]}",
                "SubnetIds": [f"subnet-{suffix[:8]}a", f"subnet-{suffix[:8]}b"],
            },
        )
        self.workspace_directories[directory_id] = WorkSpaceDirectory(
            account_id=self.account_id,
            region=self.region_name,
            directory=cast(Directory, seeded),
            registration_code=f"SLiad+{suffix[:6].upper()}",
            security_group_id=f"sg-{suffix[:10]}",
            subnet_ids=[],
            enable_self_service=False,
            tenancy="SHARED",
            tags=[],
        )

    def add_workspace(self, seed: SeedWorkspace) -> str:
        """Place one seeded WorkSpace; returns its id."""
        workspace_id = seed.workspace_id or self.allocate_workspace_id(seed.id_key)
        if workspace_id in self.workspaces or workspace_id in self.shared.region_of:
            raise ValueError(f"WorkSpace {workspace_id} already exists")
        workspace = Workspace(
            workspace={
                "DirectoryId": seed.directory_id,
                "BundleId": seed.bundle_id,
                "UserName": seed.user_name,
                "Tags": [dict(tag) for tag in seed.tags],
            },
            running_mode=seed.running_mode,
            error_code=seed.error_code,
            error_msg=seed.error_message,
        )
        workspace.workspace_id = workspace_id
        workspace.state = seed.state
        workspace.computer_name = seed.computer_name or "WSAMZN-" + workspace_id[3:11].upper()
        self.workspaces[workspace_id] = workspace
        extras = self._register(workspace_id)
        extras.fails = seed.fails
        extras.rebuild_snapshots = list(seed.rebuild_snapshots)
        extras.restore_snapshots = list(seed.restore_snapshots)
        extras.connection = seed.connection
        if seed.state == "REBOOTING" and seed.state_age is not None:
            extras.reboot_accepted_at = self._reboot_accepted_at(seed.state_age)
        return workspace_id

    def _reboot_accepted_at(self, age: float) -> float:
        """When a WorkSpace REBOOTING for ``age`` simulated seconds may be rebooted again."""
        remaining = max(0.0, REBOOT_STUCK_SECONDS - age)
        return self.clock() + self.timing.real_seconds(remaining)

    def set_state(self, workspace_id: str, state: str) -> None:
        """Force a WorkSpace into a state, dropping any running transition or stale view."""
        if state not in WORKSPACE_STATES:
            raise ValueError(f"unknown WorkSpace state {state!r}")
        workspace = self._workspace(workspace_id)
        workspace.state = state
        extras = self.extras_for(workspace_id)
        extras.transition = None
        extras.stale = None
        extras.reboot_accepted_at = None

    def settle(self, workspace_id: str, at: float) -> None:
        """Apply a transition that had finished by ``at`` (a scheduled change's due time), so a
        change applied late still finds the state it would have found on time."""
        self._settle(self._workspace(workspace_id), at)

    def set_connection_state(self, workspace_id: str, state: str, wall_time: float) -> None:
        """Change what DescribeWorkspacesConnectionStatus reports, checked at ``wall_time``.

        The last known user connection moves to ``wall_time`` when the user connects, and
        when a connected user goes away (they were connected until then).
        """
        if state not in CONNECTION_STATES:
            raise ValueError(f"unknown connection state {state!r}")
        self._workspace(workspace_id)
        extras = self.extras_for(workspace_id)
        previous = extras.connection
        connected = CONNECTED in (state, previous.state)
        extras.connection = ConnectionStatus(
            state, wall_time, wall_time if connected else previous.last_connected_at
        )

    def true_view(self) -> list[dict[str, Any]]:
        """Every WorkSpace of the region with its true current state, in creation order."""
        now = self.clock()
        view = []
        for workspace in self._ordered(self.workspaces.values()):
            item = described(workspace, self.true_state(workspace))
            item["Region"] = self.region_name
            item["Tags"] = [dict(tag) for tag in workspace.tags]
            extras = self.extras_for(workspace.workspace_id)
            item["Fails"] = sorted(extras.fails)
            connection = extras.connection.to_api(workspace.workspace_id)
            del connection["WorkspaceId"]
            item["Connection"] = connection
            transition = extras.transition
            if transition is not None:
                item["Transition"] = {
                    "Action": transition.action.name,
                    "FinalState": transition.final_state,
                    "RemainingSeconds": max(0.0, transition.ends_at - now),
                }
            view.append(item)
        return view

    # ------------------------------------------------------------------- lifecycle

    def start_action(self, action: Action, workspace_id: str) -> dict[str, str] | None:
        """Start ``action`` on one WorkSpace; a FailedRequests entry when refused."""
        workspace = self.workspaces.get(workspace_id)
        if workspace is None:
            return {
                "WorkspaceId": workspace_id,
                "ErrorCode": FAILED_NOT_FOUND,
                "ErrorMessage": f"The WorkSpace {workspace_id} could not be found.",
            }
        if action.name in RUNNING_MODE_ACTIONS and running_mode(workspace) == ALWAYS_ON:
            return {
                "WorkspaceId": workspace_id,
                "ErrorCode": FAILED_UNSUPPORTED,
                "ErrorMessage": (
                    f"The WorkSpace {workspace_id} cannot be {action.participle}: "
                    f"its running mode is {ALWAYS_ON}."
                ),
            }
        current = self.true_state(workspace)
        if current not in action.allowed_states:
            return {
                "WorkspaceId": workspace_id,
                "ErrorCode": FAILED_INVALID_STATE,
                "ErrorMessage": (
                    f"The WorkSpace {workspace_id} cannot be {action.participle} "
                    f"while it is {current}."
                ),
            }
        if action.name == "reboot" and current == "REBOOTING":
            accepted_at = self.extras_for(workspace_id).reboot_accepted_at
            if accepted_at is not None and self.clock() < accepted_at:
                return {
                    "WorkspaceId": workspace_id,
                    "ErrorCode": FAILED_INVALID_STATE,
                    "ErrorMessage": (
                        f"The WorkSpace {workspace_id} cannot be rebooted while it is REBOOTING: "
                        "a REBOOTING WorkSpace can be rebooted only after it has been stuck "
                        "for over 20 minutes."
                    ),
                }
        self._begin(workspace, action, current)
        return None

    def _begin(self, workspace: Workspace, action: Action, previous_state: str) -> None:
        now = self.clock()
        extras = self.extras_for(workspace.workspace_id)
        final_state = "ERROR" if action.name in extras.fails else action.target_state
        extras.transition = Transition(
            action=action,
            ends_at=now + self.timing.action_real_seconds(action),
            final_state=final_state,
        )
        stale_real = self.timing.real_seconds(self.timing.stale_seconds)
        extras.stale = StaleView(previous_state, now + stale_real) if stale_real > 0 else None
        workspace.state = action.transitional_state
        extras.reboot_accepted_at = (
            self._reboot_accepted_at(0.0) if action.name == "reboot" else None
        )
        # A transition of zero duration is already over.
        self._settle(workspace, now)

    def batch_action(self, action: Action, workspace_ids: list[str]) -> list[dict[str, str]]:
        """Rebuild/reboot/start/stop several WorkSpaces; returns FailedRequests."""
        failed = []
        for workspace_id in workspace_ids:
            failure = self.start_action(action, workspace_id)
            if failure is not None:
                failed.append(failure)
        return failed

    def restore_workspace(self, workspace_id: str) -> None:
        """RestoreWorkspace: raises instead of returning FailedRequests."""
        action = ACTIONS["restore"]
        workspace = self._workspace(workspace_id)
        current = self.true_state(workspace)
        if current not in action.allowed_states:
            raise InvalidResourceStateException(
                f"The WorkSpace {workspace_id} cannot be restored while it is {current}."
            )
        self._begin(workspace, action, current)

    # ----------------------------------------------------------------- descriptions

    def describe_workspaces_page(
        self,
        filters: dict[str, Any],
        limit: int | None,
        next_token: str | None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """moto's filtering plus Limit/NextToken paging in creation order."""
        matching = super().describe_workspaces(
            workspace_ids=filters.get("WorkspaceIds") or [],
            directory_id=filters.get("DirectoryId") or "",
            user_name=filters.get("UserName") or "",
            bundle_id=filters.get("BundleId") or "",
        )
        page, token = self._page(matching, next_token, limit or DESCRIBE_PAGE_SIZE)
        items = []
        for workspace in page:
            # The state first: it settles a finished action, which sets ErrorCode and ErrorMessage.
            items.append(described(workspace, self.reported_state(workspace)))
        return items, token

    def _page(
        self, workspaces: Iterable[Workspace], next_token: str | None, size: int
    ) -> tuple[list[Workspace], str | None]:
        after = PageToken.decode(next_token)
        remaining = [
            ws
            for ws in self._ordered(workspaces)
            if self.extras_for(ws.workspace_id).sequence > after
        ]
        page = remaining[:size]
        if len(remaining) <= size:
            return page, None
        return page, PageToken.encode(self.extras_for(page[-1].workspace_id).sequence)

    def describe_connection_status(
        self, workspace_ids: list[str] | None, next_token: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """DescribeWorkspacesConnectionStatus, 25 entries a page."""
        workspaces: Iterable[Workspace] = self.workspaces.values()
        if workspace_ids:
            wanted = set(workspace_ids)
            workspaces = [ws for ws in workspaces if ws.workspace_id in wanted]
        page, token = self._page(workspaces, next_token, CONNECTION_STATUS_PAGE_SIZE)
        items = [self.extras_for(ws.workspace_id).connection.to_api(ws.workspace_id) for ws in page]
        return items, token

    def describe_workspace_snapshots(self, workspace_id: str) -> dict[str, Any]:
        """DescribeWorkspaceSnapshots from seeded snapshot times."""
        self._workspace(workspace_id)
        extras = self.extras_for(workspace_id)
        return {
            "RebuildSnapshots": [{"SnapshotTime": t} for t in extras.rebuild_snapshots],
            "RestoreSnapshots": [{"SnapshotTime": t} for t in extras.restore_snapshots],
        }

    # -------------------------------------------------------- moto operations, kept

    def create_workspaces(
        self, workspaces: list[dict[str, Any]]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """moto's CreateWorkspaces; new WorkSpaces join the creation order."""
        before = set(self.workspaces)
        result = super().create_workspaces(workspaces)
        for workspace_id in self.workspaces:
            if workspace_id not in before:
                self._register(workspace_id)
        return result

    def terminate_workspaces(
        self, terminate_workspace_requests: list[dict[str, Any]]
    ) -> dict[str, list[dict[str, Any]]]:
        """moto's termination, with the service's codes and its SUSPENDED refusal."""
        failed: list[dict[str, Any]] = []
        accepted = []
        for request in terminate_workspace_requests:
            workspace_id = request.get("WorkspaceId", "")
            workspace = self.workspaces.get(workspace_id)
            if workspace is None:
                failed.append(
                    {
                        "WorkspaceId": workspace_id,
                        "ErrorCode": FAILED_NOT_FOUND,
                        "ErrorMessage": f"The WorkSpace {workspace_id} could not be found.",
                    }
                )
            elif self.true_state(workspace) == "SUSPENDED":
                failed.append(
                    {
                        "WorkspaceId": workspace_id,
                        "ErrorCode": FAILED_INVALID_STATE,
                        "ErrorMessage": f"The WorkSpace {workspace_id} cannot be "
                        "terminated while it is SUSPENDED.",
                    }
                )
            else:
                accepted.append(request)
        if accepted:
            failed.extend(super().terminate_workspaces(accepted)["FailedRequests"])
        for request in accepted:
            self.extras.pop(request["WorkspaceId"], None)
            self.shared.forget(request["WorkspaceId"])
        return {"FailedRequests": failed}

    def _tagged(self, resource_id: str) -> list[dict[str, str]]:
        """The tag list of a WorkSpace, directory or image; ResourceNotFoundException otherwise."""
        for resources in (self.workspaces, self.workspace_directories, self.workspace_images):
            resource = resources.get(resource_id)
            if resource is not None:
                tags: list[dict[str, str]] = resource.tags
                return tags
        raise ResourceNotFoundException(f"The resource {resource_id} could not be found.")

    def create_tags(self, resource_id: str, tags: list[dict[str, str]]) -> None:
        """CreateTags as the service does it: a key already present gets the new value.

        moto appends, so writing a marker tag twice would leave two entries with
        one key; callers that rewrite a tag (a token, a timestamp) need the
        service's overwrite. Images can be tagged too, as DescribeTags reads them.
        """
        current = self._tagged(resource_id)
        merged = {tag["Key"]: tag.get("Value", "") for tag in current}
        merged.update({tag["Key"]: tag.get("Value", "") for tag in tags})
        if len(merged) > MAX_TAGS_PER_RESOURCE:
            raise ResourceLimitExceededException(
                f"The resource {resource_id} cannot have more than {MAX_TAGS_PER_RESOURCE} tags."
            )
        current[:] = [{"Key": key, "Value": value} for key, value in merged.items()]

    def describe_tags(self, resource_id: str) -> list[dict[str, str]]:
        """moto's DescribeTags, with ResourceNotFoundException for unknown resources."""
        return [dict(tag) for tag in self._tagged(resource_id)]

    def delete_tags(self, resource_id: str, tag_keys: list[str]) -> None:
        """DeleteTags, which moto lacks: keys the resource does not have are ignored."""
        current = self._tagged(resource_id)
        doomed = set(tag_keys)
        current[:] = [tag for tag in current if tag["Key"] not in doomed]

    def untag_resource(self, arn: str, tag_keys: list[str]) -> None:
        """The Resource Groups Tagging API's untag, which moto leaves abstract."""
        self.delete_tags(arn.split("/")[-1], tag_keys)

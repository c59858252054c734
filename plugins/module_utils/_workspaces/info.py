# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# This module_utils is PRIVATE: it is for the use of the euc.workspaces collection only
# and may change at any time without notice.

"""What workspace_info returns: the selected WorkSpaces and the extra detail asked for.

Each detail costs API calls, so each is fetched only when asked: tags and snapshots with
one call per WorkSpace (run concurrently), connection status with one call per 25.
"""

from __future__ import annotations

import dataclasses
import typing as t

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.botocore import normalize_boto3_result

from .api import AWSEntry
from .api import WorkspacesApi
from .common import ALL_STATES
from .common import DEFAULT_MAX_CONCURRENCY
from .common import InvalidOptionError
from .concurrency import map_concurrently
from .selection import Selectors
from .selection import read_tags
from .selection import select_workspaces

# The fields of DescribeWorkspacesConnectionStatus merged into each WorkSpace.
CONNECTION_FIELDS = ("ConnectionState", "ConnectionStateCheckTimestamp", "LastKnownUserConnectionTimestamp")


def info_argument_spec() -> dict[str, t.Any]:
    """The options workspace_info adds to the selection options."""
    return dict(
        states=dict(type="list", elements="str", choices=list(ALL_STATES)),
        include_tags=dict(type="bool", default=False),
        include_snapshots=dict(type="bool", default=False),
        include_connection_status=dict(type="bool", default=False),
        max_concurrency=dict(type="int", default=DEFAULT_MAX_CONCURRENCY),
    )


@dataclasses.dataclass(frozen=True)
class InfoOptions:
    """The task's options for workspace_info."""

    selectors: Selectors
    states: frozenset[str] | None
    include_tags: bool
    include_snapshots: bool
    include_connection_status: bool
    max_concurrency: int

    @classmethod
    def from_params(cls, params: t.Mapping[str, t.Any]) -> InfoOptions:
        states = params.get("states")
        return cls(
            selectors=Selectors.from_params(params),
            states=None if states is None else frozenset(states),
            include_tags=params["include_tags"],
            include_snapshots=params["include_snapshots"],
            include_connection_status=params["include_connection_status"],
            max_concurrency=params["max_concurrency"],
        )

    def validate(self) -> None:
        problems = []
        try:
            self.selectors.validate()
        except InvalidOptionError as error:
            problems.append(str(error))
        if self.max_concurrency < 1:
            problems.append("max_concurrency must be at least 1")
        if self.states is not None and not self.states:
            # An empty list would select nothing: never what was meant (omit it for every state).
            problems.append("states must name at least one state (omit it for every state)")
        if problems:
            raise InvalidOptionError("; ".join(problems))


@dataclasses.dataclass
class InfoResult:
    """What workspace_info returns."""

    workspaces: list[dict[str, t.Any]]
    missing_workspace_ids: list[str]


def describe_selected(api: WorkspacesApi, options: InfoOptions) -> InfoResult:
    """The selected WorkSpaces, snake_cased, sorted by workspace_id, with the detail asked for,
    and the ids named that were not found."""
    options.validate()
    selection = select_workspaces(api, options.selectors, options.max_concurrency, options.states)
    workspaces = selection.matched
    if options.include_tags:
        workspaces = read_tags(api, workspaces, options.max_concurrency)
    else:
        # Tags read to apply the tags selector are not returned unless asked for, so the
        # shape of the result depends only on the include_* options.
        workspaces = [{key: value for key, value in ws.items() if key != "Tags"} for ws in workspaces]
    if options.include_snapshots:
        _add_snapshots(api, workspaces, options.max_concurrency)
    if options.include_connection_status:
        add_connection_status(api, workspaces)
    return InfoResult([_as_result(workspace) for workspace in workspaces], list(selection.missing_ids))


def _add_snapshots(api: WorkspacesApi, workspaces: list[AWSEntry], max_concurrency: int) -> None:
    snapshots = map_concurrently(lambda ws: api.describe_workspace_snapshots(ws["WorkspaceId"]), workspaces, max_concurrency)
    for workspace, found in zip(workspaces, snapshots):
        workspace["RebuildSnapshots"] = found.get("RebuildSnapshots", [])
        workspace["RestoreSnapshots"] = found.get("RestoreSnapshots", [])


def add_connection_status(api: WorkspacesApi, workspaces: list[AWSEntry]) -> None:
    """Merge each WorkSpace's connection status in (None where AWS reports none), 25 ids a call."""
    statuses = {status["WorkspaceId"]: status for status in api.describe_connection_status([ws["WorkspaceId"] for ws in workspaces])}
    for workspace in workspaces:
        status = statuses.get(workspace["WorkspaceId"], {})
        for field in CONNECTION_FIELDS:
            workspace[field] = status.get(field)


def _as_result(workspace: AWSEntry) -> dict[str, t.Any]:
    # Tag keys are the user's own names: they are not snake_cased.
    return camel_dict_to_snake_dict(normalize_boto3_result(workspace), ignore_list=["Tags"])

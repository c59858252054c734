# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# This module_utils is PRIVATE: it is for the use of the euc.workspaces collection only
# and may change at any time without notice.

"""One small function per WorkSpaces API call.

Each one retries throttling and transient server errors with amazon.aws's jittered
backoff, pages with botocore's paginators and batches ids by the limits of botocore's
service model. Errors leave as WorkspacesError (amazon.aws's AnsibleAWSError) carrying
the botocore exception, so callers can read the AWS error code.
"""

from __future__ import annotations

import functools
import typing as t

from ansible_collections.amazon.aws.plugins.module_utils.botocore import paginated_query_with_retries
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from .common import EXTRA_RETRY_CODES
from .common import WorkspacesErrorHandler
from .common import chunks
from .common import describe_batch_size

AWSEntry = t.Dict[str, t.Any]


def retry_decorator() -> t.Callable[[t.Callable[..., t.Any]], t.Callable[..., t.Any]]:
    """amazon.aws's jittered backoff (10 tries, 3 s initial delay, 60 s cap) plus the WorkSpaces codes.

    A new one per call: the decorator keeps its backoff position in one iterator, which
    threads sharing a decorator would reset and advance for each other.
    """
    return AWSRetry.jittered_backoff(retries=10, catch_extra_error_codes=EXTRA_RETRY_CODES)


def retried(func: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
    """Retry func on throttling and transient errors, with a backoff of its own per call."""

    @functools.wraps(func)
    def call_with_retries(*args: t.Any, **kwargs: t.Any) -> t.Any:
        return retry_decorator()(func)(*args, **kwargs)

    return call_with_retries


@WorkspacesErrorHandler.common_error_handler("describe WorkSpaces")
def describe_workspaces(client: t.Any, **filters: t.Any) -> list[AWSEntry]:
    """Every WorkSpace matching the server-side filters, all pages."""
    result = paginated_query_with_retries(client, "describe_workspaces", retry_decorator=retry_decorator(), **filters)
    return result.get("Workspaces", [])


def describe_workspaces_by_ids(client: t.Any, workspace_ids: t.Sequence[str]) -> list[AWSEntry]:
    """The WorkSpaces among workspace_ids that exist, asked for 25 ids at a time."""
    found: list[AWSEntry] = []
    for batch in chunks(list(workspace_ids), describe_batch_size()):
        found.extend(describe_workspaces(client, WorkspaceIds=list(batch)))
    return found


@WorkspacesErrorHandler.list_error_handler("describe WorkSpace tags", default_value={})
@retried
def describe_tags(client: t.Any, workspace_id: str) -> dict[str, str]:
    """A WorkSpace's tags as a dict; {} when it has gone."""
    tag_list = client.describe_tags(ResourceId=workspace_id).get("TagList", [])
    return boto3_tag_list_to_ansible_dict(tag_list)


@WorkspacesErrorHandler.list_error_handler("describe WorkSpace snapshots", default_value={})
@retried
def describe_workspace_snapshots(client: t.Any, workspace_id: str) -> AWSEntry:
    """RebuildSnapshots and RestoreSnapshots of one WorkSpace; {} when it has gone."""
    response = client.describe_workspace_snapshots(WorkspaceId=workspace_id)
    return {key: response.get(key, []) for key in ("RebuildSnapshots", "RestoreSnapshots")}


@WorkspacesErrorHandler.common_error_handler("describe WorkSpaces connection status")
def describe_connection_status(client: t.Any, workspace_ids: t.Sequence[str]) -> list[AWSEntry]:
    """Connection status of the given WorkSpaces, 25 ids a call, all pages."""
    statuses: list[AWSEntry] = []
    for batch in chunks(list(workspace_ids), describe_batch_size()):
        result = paginated_query_with_retries(
            client, "describe_workspaces_connection_status", retry_decorator=retry_decorator(), WorkspaceIds=list(batch)
        )
        statuses.extend(result.get("WorkspacesConnectionStatus", []))
    return statuses


def _batch_action(operation: t.Callable[..., AWSEntry], request_key: str, workspace_ids: t.Sequence[str]) -> list[AWSEntry]:
    """Call a Reboot/Rebuild/Start/Stop-style operation; return its FailedRequests."""
    requests = [{"WorkspaceId": workspace_id} for workspace_id in workspace_ids]
    return operation(**{request_key: requests}).get("FailedRequests", [])


@WorkspacesErrorHandler.common_error_handler("rebuild WorkSpaces")
@retried
def rebuild_workspaces(client: t.Any, workspace_ids: t.Sequence[str]) -> list[AWSEntry]:
    """Ask for a rebuild; the model allows exactly one WorkSpace per call."""
    return _batch_action(client.rebuild_workspaces, "RebuildWorkspaceRequests", workspace_ids)

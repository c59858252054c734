# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# This module_utils is PRIVATE: it is for the use of the euc.workspaces collection only
# and may change at any time without notice.

"""One small method per WorkSpaces API call, on one object per run.

Reads are retried (``retry.call_read``) page by page, with botocore's paginators, and ids
are batched by the limits of botocore's service model. Every call of a run shares one
outage bound (``retry.Outage``), so a failing API stops the whole run in bounded time.
Mutating calls make exactly one attempt here: the engine decides whether a failed one
may be sent again, because it must read the WorkSpace first. Errors leave as
WorkspacesError (amazon.aws's AnsibleAWSError) carrying the botocore exception.
"""

from __future__ import annotations

import functools
import typing as t

try:
    from botocore.paginate import TokenEncoder
except ImportError:
    pass  # The modules report a missing botocore through AnsibleAWSModule.

from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from .common import WorkspacesErrorHandler
from .common import chunks
from .common import describe_batch_size
from .common import error_code
from .common import error_message
from .concurrency import map_concurrently
from .pace import Pace
from .retry import THROTTLED
from .retry import Clock
from .retry import Outage
from .retry import call_read
from .retry import failure_kind

AWSEntry = t.Dict[str, t.Any]


class WorkspacesApi:
    """The WorkSpaces calls of one run: a boto3 client, the run's clock, outage bound and pace."""

    def __init__(self, client: t.Any, clock: Clock | None = None, max_concurrency: int = 1) -> None:
        self.client = client
        self.clock = clock or Clock()
        self.outage = Outage(self.clock)
        self.pace = Pace(self.clock)
        # The batches of 25 ids of one read (a wait poll, a fresh-state read, a selection by
        # ids) do not depend on each other: they are asked this many at a time.
        self.max_concurrency = max_concurrency

    # ------------------------------------------------------------------ reads

    def _read(self, operation: str, description: str, func: t.Callable[[], t.Any]) -> t.Any:
        return call_read(description, func, self.outage, self.clock, self.pace.of(operation))

    def _all_pages(self, description: str, operation: str, result_key: str, **params: t.Any) -> list[AWSEntry]:
        """Every item of a paged operation, each page retried on its own.

        botocore's paginator builds each request (token in, token out); taking one page at
        a time from it lets a retry resume at the page that failed instead of page one,
        which paginated_query_with_retries would start again from.
        """
        paginator = self.client.get_paginator(operation)
        items: list[AWSEntry] = []
        token: str | None = None
        while True:
            page = self._read(operation, description, functools.partial(_first_page, paginator, params, token))
            items.extend(page.get(result_key, []))
            token = page.get("NextToken")
            if not token:
                return items

    @WorkspacesErrorHandler.common_error_handler("describe WorkSpaces")
    def describe_workspaces(self, **filters: t.Any) -> list[AWSEntry]:
        """Every WorkSpace matching the server-side filters, all pages."""
        return self._all_pages("describe WorkSpaces", "describe_workspaces", "Workspaces", **filters)

    def describe_workspaces_by_ids(self, workspace_ids: t.Sequence[str]) -> list[AWSEntry]:
        """The WorkSpaces among workspace_ids that exist, asked for 25 ids at a time."""
        return self._batched(lambda batch: self.describe_workspaces(WorkspaceIds=batch), workspace_ids)

    def read_states(self, workspace_ids: t.Sequence[str]) -> dict[str, AWSEntry]:
        """{id: DescribeWorkspaces entry} of those of the WorkSpaces that exist."""
        return {ws["WorkspaceId"]: ws for ws in self.describe_workspaces_by_ids(workspace_ids)}

    @WorkspacesErrorHandler.list_error_handler("describe WorkSpace tags", default_value={})
    def describe_tags(self, workspace_id: str) -> dict[str, str]:
        """A WorkSpace's tags as a dict; {} when it has gone."""
        response = self._read("describe_tags", "describe WorkSpace tags", lambda: self.client.describe_tags(ResourceId=workspace_id))
        return boto3_tag_list_to_ansible_dict(response.get("TagList", []))

    @WorkspacesErrorHandler.list_error_handler("describe WorkSpace snapshots", default_value={})
    def describe_workspace_snapshots(self, workspace_id: str) -> AWSEntry:
        """RebuildSnapshots and RestoreSnapshots of one WorkSpace; {} when it has gone."""
        response = self._read(
            "describe_workspace_snapshots", "describe WorkSpace snapshots", lambda: self.client.describe_workspace_snapshots(WorkspaceId=workspace_id)
        )
        return {key: response.get(key, []) for key in ("RebuildSnapshots", "RestoreSnapshots")}

    @WorkspacesErrorHandler.common_error_handler("describe WorkSpaces connection status")
    def describe_connection_status(self, workspace_ids: t.Sequence[str]) -> list[AWSEntry]:
        """Connection status of the given WorkSpaces, 25 ids a call, all pages."""
        return self._batched(
            lambda batch: self._all_pages(
                "describe WorkSpaces connection status",
                "describe_workspaces_connection_status",
                "WorkspacesConnectionStatus",
                WorkspaceIds=batch,
            ),
            workspace_ids,
        )

    def _batched(self, read: t.Callable[[list[str]], list[AWSEntry]], workspace_ids: t.Sequence[str]) -> list[AWSEntry]:
        """read of every batch of 25 ids, max_concurrency batches at once, in the order of the ids."""
        batches = [list(batch) for batch in chunks(list(workspace_ids), describe_batch_size())]
        return [entry for entries in map_concurrently(read, batches, self.max_concurrency) for entry in entries]

    # ------------------------------------------------------------------ writes: one attempt each

    @WorkspacesErrorHandler.common_error_handler("tag the WorkSpace")
    def create_tags(self, workspace_id: str, tags: t.Mapping[str, str]) -> None:
        self.client.create_tags(ResourceId=workspace_id, Tags=ansible_dict_to_boto3_tag_list(tags))

    @WorkspacesErrorHandler.common_error_handler("remove a tag from the WorkSpace")
    def delete_tags(self, workspace_id: str, keys: t.Sequence[str]) -> None:
        self.client.delete_tags(ResourceId=workspace_id, TagKeys=list(keys))

    def wait_for_slot(self, operation: str) -> int:
        """Wait for the next send slot of an action operation; the ticket to give request_action.

        The engine waits before its fresh read of the WorkSpaces, not after: a wait on a
        throttled account's pace would leave the read stale by the time the call is sent.
        """
        return self.pace.of(_snake(operation)).take_slot()

    def request_action(
        self,
        operation: str,
        request_key: str | None,
        workspace_ids: t.Sequence[str],
        refusal_codes: t.AbstractSet[str] = frozenset(),
        ticket: int | None = None,
    ) -> list[AWSEntry]:
        """One attempt of an action call; its FailedRequests.

        request_key names the request list of a batch operation (RebootWorkspaceRequests);
        None is an operation on one WorkSpace (RestoreWorkspace), which has no FailedRequests
        but raises: the errors in refusal_codes are about that WorkSpace, and come back as
        its FailedRequests entry, so that the engine treats both alike. Any other error is
        raised as it came: the engine sorts it (retry.failure_kind). ticket: the slot the
        caller waited for (wait_for_slot); without one, the call waits for its slot here.
        """
        method = getattr(self.client, _snake(operation))
        pace = self.pace.of(_snake(operation))
        if ticket is None:
            ticket = pace.take_slot()
        try:
            if request_key is not None:
                failed = method(**{request_key: [{"WorkspaceId": workspace_id} for workspace_id in workspace_ids]}).get("FailedRequests", [])
            else:
                failed = self._request_one(method, workspace_ids, refusal_codes)
        except Exception as error:  # pylint: disable=broad-except
            if failure_kind(error) == THROTTLED:
                pace.answered(ticket, throttled=True)
            raise
        pace.answered(ticket, throttled=False)
        return t.cast(t.List[AWSEntry], failed)

    @staticmethod
    def _request_one(method: t.Callable[..., t.Any], workspace_ids: t.Sequence[str], refusal_codes: t.AbstractSet[str]) -> list[AWSEntry]:
        """The call of an operation on one WorkSpace, its refusal as a FailedRequests entry."""
        (workspace_id,) = workspace_ids
        try:
            method(WorkspaceId=workspace_id)
        except Exception as error:  # pylint: disable=broad-except
            code = error_code(error)
            if code not in refusal_codes:
                raise
            return [{"WorkspaceId": workspace_id, "ErrorCode": code, "ErrorMessage": error_message(error)}]
        return []


def _first_page(paginator: t.Any, params: t.Mapping[str, t.Any], token: str | None) -> AWSEntry:
    """One page of a paginated operation, from AWS's NextToken token (the first page when None).

    A StartingToken is botocore's own resume token, which botocore decodes as base64 JSON:
    given AWS's token as it is, one that happens to decode so would be read as request
    parameters. So it is encoded as botocore encodes its resume tokens.
    """
    config = {"StartingToken": TokenEncoder().encode({"NextToken": token})} if token else {}
    return next(iter(paginator.paginate(**params, PaginationConfig=config)))


def _snake(operation: str) -> str:
    """RebuildWorkspaces -> rebuild_workspaces, the boto3 method name."""
    return "".join(f"_{char.lower()}" if char.isupper() else char for char in operation).lstrip("_")

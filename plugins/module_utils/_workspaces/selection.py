# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# This module_utils is PRIVATE: it is for the use of the euc.workspaces collection only
# and may change at any time without notice.

"""Selectors -> the WorkSpaces they name; the one selection every module uses.

DescribeWorkspaces accepts only one of WorkspaceIds, DirectoryId (with an optional
UserName) and BundleId, and cannot filter on tags. So one selector narrows the search on
the server, the cheapest one first, and every selector is then applied on the client, so
that selectors combine with AND whichever went to the server. Tags cost one DescribeTags
call per WorkSpace, so they are checked last, on what is left: ``tags`` (every pair must be
there) and ``exclude_tags`` (no pair may be there) share that one read.
"""

from __future__ import annotations

import dataclasses
import typing as t

from .api import AWSEntry
from .api import WorkspacesApi
from .common import InvalidOptionError
from .common import describe_batch_size
from .common import length_limits
from .common import malformed
from .common import shape_pattern
from .concurrency import map_concurrently

SELECTOR_NAMES = ("workspace_ids", "directory_id", "bundle_id", "tags")
TAG_OPTIONS = ("tags", "exclude_tags")


def selection_argument_spec() -> dict[str, t.Any]:
    """The options of the euc.workspaces.selection doc fragment."""
    return dict(
        workspace_ids=dict(type="list", elements="str", aliases=["workspace_id"]),
        directory_id=dict(type="str"),
        user_names=dict(type="list", elements="str"),
        bundle_id=dict(type="str"),
        tags=dict(type="dict"),
        exclude_tags=dict(type="dict"),
    )


@dataclasses.dataclass(frozen=True)
class Selectors:
    """What the task asked for. None means "not given"; an empty workspace_ids names nothing."""

    workspace_ids: tuple[str, ...] | None = None
    directory_id: str | None = None
    user_names: tuple[str, ...] | None = None
    bundle_id: str | None = None
    tags: t.Mapping[str, t.Any] | None = None  # validate() lets only strings through
    exclude_tags: t.Mapping[str, t.Any] | None = None

    @classmethod
    def from_params(cls, params: t.Mapping[str, t.Any]) -> Selectors:
        """Selectors from module parameters; duplicate ids and user names are collapsed."""
        ids = params.get("workspace_ids")
        users = params.get("user_names")
        tags = params.get("tags")
        exclude_tags = params.get("exclude_tags")
        return cls(
            workspace_ids=None if ids is None else tuple(dict.fromkeys(ids)),
            directory_id=params.get("directory_id"),
            user_names=None if users is None else tuple(dict.fromkeys(users)),
            bundle_id=params.get("bundle_id"),
            tags=None if tags is None else dict(tags),
            exclude_tags=None if exclude_tags is None else dict(exclude_tags),
        )

    def validate(self) -> None:
        """Raise InvalidOptionError for anything AWS would refuse, before any API call."""
        problems = []
        bad_ids = malformed(self.workspace_ids or (), "WorkspaceId")
        if bad_ids:
            pattern = shape_pattern("WorkspaceId").pattern
            problems.append(f"malformed WorkSpace ids (not matching {pattern}): {', '.join(map(repr, bad_ids))}")
        if self.directory_id is not None and malformed([self.directory_id], "DirectoryId"):
            problems.append(f"malformed directory_id: {self.directory_id!r}")
        if self.bundle_id is not None and malformed([self.bundle_id], "BundleId"):
            problems.append(f"malformed bundle_id: {self.bundle_id!r}")
        if self.user_names is not None and self.directory_id is None:
            problems.append("user_names requires directory_id")
        shortest, longest = length_limits("UserName")
        bad_users = [name for name in self.user_names or () if not shortest <= len(name) <= longest]
        if bad_users:
            problems.append(f"user names must have {shortest} to {longest} characters: {', '.join(map(repr, bad_users))}")
        if self.tags is not None and not self.tags:
            # An empty dict would match every WorkSpace in the region: never what was meant.
            problems.append("tags must name at least one tag")
        for option in TAG_OPTIONS:
            not_strings = [key for key, value in (getattr(self, option) or {}).items() if not isinstance(value, str)]
            if not_strings:
                # YAML turns true into a boolean, 1.0 into a float, and 0042 into the integer 34
                # (octal): "true" or "True", "1.0" or "1", "0042" or "34"? Tag values are
                # strings, so the operator must say which.
                quoted = ", ".join(f"{key!r} (read as {type(getattr(self, option)[key]).__name__} "
                                   f"{getattr(self, option)[key]!r})" for key in not_strings)
                problems.append(f"{option} values must be strings: quote the value of {quoted}")
        if problems:
            raise InvalidOptionError("; ".join(problems))

    @property
    def is_empty(self) -> bool:
        """True when no selector was given at all."""
        return all(getattr(self, name) is None for name in SELECTOR_NAMES)

    def mismatch(self, workspace: AWSEntry) -> str | None:
        """Why a WorkSpace fails a selector other than tags, or None when it passes them all."""
        if self.directory_id is not None and workspace.get("DirectoryId") != self.directory_id:
            return f"it is in directory {workspace.get('DirectoryId')!r}, not {self.directory_id!r}"
        if self.user_names is not None and workspace.get("UserName") not in self.user_names:
            # Exact, as the UserName filter that serves up to 25 names: the same names must
            # select the same WorkSpaces whichever way they were looked up.
            return f"its user {workspace.get('UserName')!r} is not in user_names"
        if self.bundle_id is not None and workspace.get("BundleId") != self.bundle_id:
            return f"it uses bundle {workspace.get('BundleId')!r}, not {self.bundle_id!r}"
        return None

    def tag_mismatch(self, tags: t.Mapping[str, str]) -> str | None:
        """Why a WorkSpace's tags fail the tags or exclude_tags selector, or None."""
        for key, wanted in (self.tags or {}).items():
            if key not in tags:
                return f"it has no tag {key!r}"
            if tags[key] != wanted:
                return f"its tag {key!r} is {tags[key]!r}, not {wanted!r}"
        for key, unwanted in (self.exclude_tags or {}).items():
            if tags.get(key) == unwanted:
                return f"excluded by exclude_tags: it carries the tag {key!r} = {unwanted!r}"
        return None

    @property
    def needs_tags(self) -> bool:
        return self.tags is not None or bool(self.exclude_tags)


@dataclasses.dataclass
class Selection:
    """The outcome of a selection.

    matched: DescribeWorkspaces entries passing every selector, sorted by WorkspaceId,
    each with "Tags" (a dict) when tags were read. missing_ids: ids named and not found.
    excluded: WorkSpaces named by id that another selector rules out, with the reason.
    """

    matched: list[AWSEntry]
    missing_ids: list[str]
    excluded: list[tuple[AWSEntry, str]]


def select_workspaces(
    api: WorkspacesApi, selectors: Selectors, max_concurrency: int, states: t.AbstractSet[str] | None = None
) -> Selection:
    """The WorkSpaces the selectors name (every WorkSpace in the region when none is given).

    states, when given, drops the WorkSpaces in other states before their tags are read,
    sparing DescribeTags calls; they are not reported as excluded.
    """
    selectors.validate()
    candidates = _unique_by_id(_server_side_candidates(api, selectors, max_concurrency))
    missing = [wid for wid in selectors.workspace_ids or () if wid not in candidates]
    if states is not None:
        candidates = {wid: ws for wid, ws in candidates.items() if ws.get("State") in states}
    named = set(selectors.workspace_ids or ())
    excluded: list[tuple[AWSEntry, str]] = []
    matched: list[AWSEntry] = []

    for workspace in candidates.values():
        reason = selectors.mismatch(workspace)
        if reason is None:
            matched.append(workspace)
        elif workspace["WorkspaceId"] in named:
            excluded.append((workspace, reason))

    if selectors.needs_tags:
        matched, tag_excluded = _filter_by_tags(api, selectors, matched, max_concurrency)
        excluded.extend(item for item in tag_excluded if item[0]["WorkspaceId"] in named)

    return Selection(
        matched=sorted(matched, key=_workspace_id),
        missing_ids=missing,
        excluded=sorted(excluded, key=lambda item: _workspace_id(item[0])),
    )


def _server_side_candidates(api: WorkspacesApi, selectors: Selectors, max_concurrency: int) -> list[AWSEntry]:
    """DescribeWorkspaces with the one server-side filter that narrows the search most."""
    if selectors.workspace_ids is not None:
        return api.describe_workspaces_by_ids(selectors.workspace_ids)
    if selectors.directory_id is not None and selectors.user_names is not None:
        if len(selectors.user_names) <= describe_batch_size():
            # One call per user beats listing a directory of thousands for a handful of
            # users; past 25 users, one page of the directory costs no more than one user.
            directory_id = selectors.directory_id
            per_user = map_concurrently(
                lambda user: api.describe_workspaces(DirectoryId=directory_id, UserName=user),
                selectors.user_names,
                max_concurrency,
            )
            return [workspace for found in per_user for workspace in found]
        return api.describe_workspaces(DirectoryId=selectors.directory_id)
    if selectors.directory_id is not None:
        return api.describe_workspaces(DirectoryId=selectors.directory_id)
    if selectors.bundle_id is not None:
        return api.describe_workspaces(BundleId=selectors.bundle_id)
    return api.describe_workspaces()


def _filter_by_tags(
    api: WorkspacesApi, selectors: Selectors, workspaces: list[AWSEntry], max_concurrency: int
) -> tuple[list[AWSEntry], list[tuple[AWSEntry, str]]]:
    """Read each WorkSpace's tags (concurrently); keep those with all of tags and none of exclude_tags."""
    tag_sets = map_concurrently(lambda ws: api.describe_tags(ws["WorkspaceId"]), workspaces, max_concurrency)
    kept: list[AWSEntry] = []
    rejected: list[tuple[AWSEntry, str]] = []
    for workspace, tags in zip(workspaces, tag_sets):
        with_tags = dict(workspace, Tags=tags)
        reason = selectors.tag_mismatch(tags)
        if reason is None:
            kept.append(with_tags)
        else:
            rejected.append((with_tags, reason))
    return kept, rejected


def _unique_by_id(workspaces: t.Iterable[AWSEntry]) -> dict[str, AWSEntry]:
    return {workspace["WorkspaceId"]: workspace for workspace in workspaces}


def _workspace_id(workspace: AWSEntry) -> str:
    return workspace["WorkspaceId"]

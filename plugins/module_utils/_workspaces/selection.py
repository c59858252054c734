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

The modules name one directory and one bundle (``directory_id``, ``bundle_id``); the
inventory plugin lists of them (``directory_ids``, ``bundle_ids``): a WorkSpace in any of the
directories and on any of the bundles passes, and each directory (or bundle) is one
DescribeWorkspaces pass of its own.
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

SELECTOR_NAMES = ("workspace_ids", "directory_ids", "bundle_ids", "tags")
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
    directory_ids: tuple[str, ...] | None = None
    user_names: tuple[str, ...] | None = None
    bundle_ids: tuple[str, ...] | None = None
    tags: t.Mapping[str, t.Any] | None = None  # validate() lets only strings through
    exclude_tags: t.Mapping[str, t.Any] | None = None
    # The options the directories and bundles came from, so that messages name what the
    # user wrote: directory_id for the modules, directory_ids for the inventory plugin.
    directory_option: str = dataclasses.field(default="directory_id", compare=False)
    bundle_option: str = dataclasses.field(default="bundle_id", compare=False)

    @classmethod
    def from_params(cls, params: t.Mapping[str, t.Any]) -> Selectors:
        """Selectors from module parameters; duplicate ids and user names are collapsed."""
        directory_id = params.get("directory_id")
        bundle_id = params.get("bundle_id")
        return cls(
            workspace_ids=_unique(params.get("workspace_ids")),
            directory_ids=None if directory_id is None else (directory_id,),
            user_names=_unique(params.get("user_names")),
            bundle_ids=None if bundle_id is None else (bundle_id,),
            tags=_copy(params.get("tags")),
            exclude_tags=_copy(params.get("exclude_tags")),
        )

    @classmethod
    def from_lists(
        cls,
        directory_ids: t.Sequence[str],
        bundle_ids: t.Sequence[str],
        tags: t.Mapping[str, t.Any],
        exclude_tags: t.Mapping[str, t.Any],
    ) -> Selectors:
        """Selectors from the inventory plugin's options, whose empty lists and dicts mean "not given"."""
        return cls(
            directory_ids=_unique(directory_ids or None),
            bundle_ids=_unique(bundle_ids or None),
            tags=_copy(tags or None),
            exclude_tags=_copy(exclude_tags or None),
            directory_option="directory_ids",
            bundle_option="bundle_ids",
        )

    def validate(self) -> None:
        """Raise InvalidOptionError for anything AWS would refuse, before any API call."""
        problems = []
        bad_ids = malformed(self.workspace_ids or (), "WorkspaceId")
        if bad_ids:
            pattern = shape_pattern("WorkspaceId").pattern
            problems.append(f"malformed WorkSpace ids (not matching {pattern}): {', '.join(map(repr, bad_ids))}")
        for option, values, shape in (
            (self.directory_option, self.directory_ids, "DirectoryId"),
            (self.bundle_option, self.bundle_ids, "BundleId"),
        ):
            bad = malformed(values or (), shape)
            if bad:
                problems.append(f"malformed {option}: {', '.join(map(repr, bad))}")
        if self.user_names is not None and (self.directory_ids is None or len(self.directory_ids) != 1):
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
        if self.directory_ids is not None and workspace.get("DirectoryId") not in self.directory_ids:
            return f"it is in directory {workspace.get('DirectoryId')!r}, not {_one_of(self.directory_ids)}"
        if self.user_names is not None and workspace.get("UserName") not in self.user_names:
            # Exact, as the UserName filter that serves up to 25 names: the same names must
            # select the same WorkSpaces whichever way they were looked up.
            return f"its user {workspace.get('UserName')!r} is not in user_names"
        if self.bundle_ids is not None and workspace.get("BundleId") not in self.bundle_ids:
            return f"it uses bundle {workspace.get('BundleId')!r}, not {_one_of(self.bundle_ids)}"
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
    """DescribeWorkspaces with the one server-side filter that narrows the search most.

    Several directories (or bundles) are one pass each, run concurrently.
    """
    if selectors.workspace_ids is not None:
        return api.describe_workspaces_by_ids(selectors.workspace_ids)
    passes: list[dict[str, str]] = [{}]
    if selectors.directory_ids is not None:
        passes = [{"DirectoryId": directory_id} for directory_id in selectors.directory_ids]
        if selectors.user_names is not None and len(selectors.user_names) <= describe_batch_size():
            # One call per user beats listing a directory of thousands for a handful of
            # users; past 25 users, one page of the directory costs no more than one user.
            passes = [dict(directory, UserName=user) for directory in passes for user in selectors.user_names]
    elif selectors.bundle_ids is not None:
        passes = [{"BundleId": bundle_id} for bundle_id in selectors.bundle_ids]
    found = map_concurrently(lambda filters: api.describe_workspaces(**filters), passes, max_concurrency)
    return [workspace for pass_result in found for workspace in pass_result]


def _filter_by_tags(
    api: WorkspacesApi, selectors: Selectors, workspaces: list[AWSEntry], max_concurrency: int
) -> tuple[list[AWSEntry], list[tuple[AWSEntry, str]]]:
    """Read each WorkSpace's tags (concurrently); keep those with all of tags and none of exclude_tags."""
    kept: list[AWSEntry] = []
    rejected: list[tuple[AWSEntry, str]] = []
    for with_tags in read_tags(api, workspaces, max_concurrency):
        reason = selectors.tag_mismatch(with_tags["Tags"])
        if reason is None:
            kept.append(with_tags)
        else:
            rejected.append((with_tags, reason))
    return kept, rejected


def read_tags(api: WorkspacesApi, workspaces: t.Sequence[AWSEntry], max_concurrency: int) -> list[AWSEntry]:
    """The WorkSpaces, each with "Tags" (a dict): read concurrently, one DescribeTags call each,
    for those that do not have them yet."""
    without = [workspace for workspace in workspaces if "Tags" not in workspace]
    tag_sets = iter(map_concurrently(lambda ws: api.describe_tags(ws["WorkspaceId"]), without, max_concurrency))
    return [workspace if "Tags" in workspace else dict(workspace, Tags=next(tag_sets)) for workspace in workspaces]


def _unique_by_id(workspaces: t.Iterable[AWSEntry]) -> dict[str, AWSEntry]:
    return {workspace["WorkspaceId"]: workspace for workspace in workspaces}


def _workspace_id(workspace: AWSEntry) -> str:
    return workspace["WorkspaceId"]


def _unique(values: t.Iterable[str] | None) -> tuple[str, ...] | None:
    """The values in their order, each once; None stays None."""
    return None if values is None else tuple(dict.fromkeys(values))


def _copy(mapping: t.Mapping[str, t.Any] | None) -> dict[str, t.Any] | None:
    return None if mapping is None else dict(mapping)


def _one_of(values: t.Sequence[str]) -> str:
    """'d-1' for one value, "any of 'd-1', 'd-2'" for several."""
    if len(values) == 1:
        return repr(values[0])
    return "any of " + ", ".join(map(repr, values))

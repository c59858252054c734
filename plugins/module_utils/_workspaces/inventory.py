# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# This module_utils is PRIVATE: it is for the use of the euc.workspaces collection only
# and may change at any time without notice.

"""What the euc.workspaces.workspaces inventory plugin lists: its hosts, their names and variables.

The plugin (plugins/inventory/workspaces.py) keeps only what needs Ansible's inventory
machinery. Here, each region's WorkSpaces are selected with the modules' own selection
(selection.py), the detail asked for is read, and every WorkSpace becomes a host record:
plain JSON, so that the inventory cache can keep it, and named only when the inventory is
built, so that a cached listing and a fresh one give the same hosts.
"""

from __future__ import annotations

import collections
import dataclasses
import re
import typing as t

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.botocore import normalize_boto3_result

from .api import AWSEntry
from .api import WorkspacesApi
from .common import ALL_STATES
from .common import InvalidOptionError
from .common import WorkspacesError
from .common import error_code
from .info import add_connection_status
from .selection import Selectors
from .selection import read_tags
from .selection import select_workspaces

# A WorkSpace that is being deleted, or is gone, is no host to configure.
DEFAULT_STATES = tuple(state for state in ALL_STATES if state not in ("TERMINATING", "TERMINATED"))

# What an entry of the hostnames option can name besides tag:KEY: hostvars, which are the
# DescribeWorkspaces fields WorkspaceId, ComputerName, IpAddress and UserName.
HOSTNAME_CHOICES = ("workspace_id", "computer_name", "ip_address", "user_name")
TAG_PREFIX = "tag:"
# The id is the one name every WorkSpace has from the moment it exists, that no other
# WorkSpace shares in any region or directory, that a rebuild or a restore keeps (both give
# the desktop a new IP address), and that the collection's modules take as workspace_ids.
DEFAULT_HOSTNAMES = ("workspace_id",)

# Tags go under their own name: aws_ec2's "tags" clashes with a name Ansible reserves.
TAGS_HOSTVAR = "workspaces_tags"

# What AWS region names look like: us-east-1, eu-central-2, us-gov-west-1, ap-southeast-5.
REGION_PATTERN = re.compile(r"^[a-z]{2}(-[a-z]+)+-[0-9]+$")

# The error codes of a caller refused the operation: with strict_permissions off they skip
# what was refused, as aws_ec2 and aws_rds do, instead of failing the inventory.
PERMISSION_ERROR_CODES = frozenset(("AccessDenied", "AccessDeniedException", "UnauthorizedOperation"))

# Characters a hostname keeps; any other becomes "_". Spaces, commas and colons would be
# read as separators in host patterns (--limit, hosts:).
_HOSTNAME_UNSAFE = re.compile(r"[^A-Za-z0-9._@-]")

HostRecord = t.Dict[str, t.Any]
Warn = t.Callable[[str], None]


@dataclasses.dataclass(frozen=True)
class InventoryOptions:
    """The inventory source's options that decide which hosts it lists and what they carry."""

    regions: tuple[str, ...]
    selectors: Selectors
    states: frozenset[str]
    hostnames: tuple[str, ...]
    include_tags: bool
    include_connection_status: bool
    max_concurrency: int
    strict_permissions: bool

    @classmethod
    def from_options(cls, option: t.Callable[[str], t.Any], default_region: str | None) -> InventoryOptions:
        """The options, read with the plugin's get_option; regions falls back to the one region
        of the AWS configuration (region, AWS_REGION, the profile), never to a region lookup:
        WorkSpaces has no DescribeRegions, and EC2's list names regions WorkSpaces is not in."""
        regions = _flat(option("regions")) or ([default_region] if default_region else [])
        states = option("states")
        return cls(
            regions=tuple(dict.fromkeys(regions)),
            selectors=Selectors.from_lists(
                _flat(option("directory_ids")), _flat(option("bundle_ids")), option("tags") or {}, option("exclude_tags") or {}
            ),
            states=frozenset(DEFAULT_STATES if states is None else states),
            hostnames=tuple(option("hostnames") or DEFAULT_HOSTNAMES),
            include_tags=bool(option("include_tags")),
            include_connection_status=bool(option("include_connection_status")),
            max_concurrency=option("max_concurrency"),
            strict_permissions=bool(option("strict_permissions")),
        )

    def validate(self, known_regions: t.Collection[str] | None = None) -> None:
        """Raise InvalidOptionError for every problem at once, before any API call.

        known_regions: the regions botocore knows WorkSpaces in, when the endpoint is AWS's;
        None when endpoint_url names another endpoint, which decides for itself.
        """
        problems = []
        try:
            self.selectors.validate()
        except InvalidOptionError as error:
            problems.append(str(error))
        problems.extend(self._region_problems(known_regions))
        unknown_states = sorted(set(self.states) - set(ALL_STATES))
        if unknown_states:
            problems.append(f"unknown states {', '.join(map(repr, unknown_states))} (choose from {', '.join(ALL_STATES)})")
        if not self.states:
            problems.append("states must name at least one state (leave it out for every state but TERMINATING and TERMINATED)")
        bad_hostnames = [name for name in self.hostnames if not _is_hostname_choice(name)]
        if bad_hostnames:
            problems.append(
                f"unknown hostnames {', '.join(map(repr, bad_hostnames))} "
                f"(choose from {', '.join(HOSTNAME_CHOICES)} and {TAG_PREFIX}KEY, where KEY is a tag key)"
            )
        if self.max_concurrency < 1:
            problems.append("max_concurrency must be at least 1")
        if problems:
            raise InvalidOptionError("; ".join(problems))

    def _region_problems(self, known_regions: t.Collection[str] | None) -> list[str]:
        if not self.regions:
            return ["no region: set regions, or region (or AWS_REGION) for a single one"]
        malformed = [region for region in self.regions if not isinstance(region, str) or not REGION_PATTERN.fullmatch(region)]
        if malformed:
            return [f"malformed regions {', '.join(map(repr, malformed))} (a region looks like us-east-1)"]
        unknown = [region for region in self.regions if known_regions is not None and region not in known_regions]
        if unknown:
            return [
                f"WorkSpaces is not offered in {', '.join(map(repr, unknown))} as far as this botocore knows "
                f"(it knows {', '.join(sorted(known_regions or ()))}); if AWS has added the region since, upgrade botocore"
            ]
        return []

    @property
    def reads_tags(self) -> bool:
        """Whether DescribeTags must be called: a hostvar, a hostname or a selector needs the tags."""
        return self.include_tags or self.selectors.needs_tags or any(name.startswith(TAG_PREFIX) for name in self.hostnames)

    def query(self) -> dict[str, t.Any]:
        """What decides the host records, as JSON: a cached listing made with other options is not reused."""
        selectors = self.selectors
        return {
            "regions": list(self.regions),
            "directory_ids": list(selectors.directory_ids or ()),
            "bundle_ids": list(selectors.bundle_ids or ()),
            "tags": dict(selectors.tags or {}),
            "exclude_tags": dict(selectors.exclude_tags or {}),
            "states": sorted(self.states),
            "tags_read": self.reads_tags,
            "include_tags": self.include_tags,
            "include_connection_status": self.include_connection_status,
            "strict_permissions": self.strict_permissions,
        }


def _flat(values: t.Any) -> list[t.Any]:
    """A list option's values. A template that gives a list ("{{ lookup('env', 'REGIONS') | split(',') }}")
    comes back from ansible-core before 2.19 as a list holding that list."""
    flat: list[t.Any] = []
    for value in values or []:
        flat.extend(value if isinstance(value, list) else [value])
    return flat


def _is_hostname_choice(name: t.Any) -> bool:
    if not isinstance(name, str):
        return False
    return name in HOSTNAME_CHOICES or (name.startswith(TAG_PREFIX) and len(name) > len(TAG_PREFIX))


class RegionFailed(Exception):
    """Listing one region's WorkSpaces failed; carries the region and the AWS error."""

    def __init__(self, region: str, what: str, error: WorkspacesError) -> None:
        super().__init__(f"Failed to {what} in {region}")
        self.region = region
        self.error = error


def list_region(api: WorkspacesApi, region: str, options: InventoryOptions, warn: Warn) -> list[HostRecord]:
    """The host records of one region's selected WorkSpaces, sorted by WorkSpace id.

    Without strict_permissions, a region whose WorkSpaces the caller may not list is left
    out, and tags or connection states the caller may not read are left out of the hosts,
    each with a warning. Tags that a selector needs are never left out: without them,
    tags and exclude_tags could not be honoured.
    """
    try:
        selection = select_workspaces(api, options.selectors, options.max_concurrency, options.states)
    except WorkspacesError as error:
        # Only a refused DescribeWorkspaces leaves the region out: the selection reads tags only
        # for tags and exclude_tags, which cannot be honoured without them.
        if _tolerated(error, options) and _operation(error) == "DescribeWorkspaces":
            warn(f"{region} is left out of the inventory: the caller may not list its WorkSpaces ({_detail(error)})")
            return []
        raise RegionFailed(region, "list the WorkSpaces", error) from error
    workspaces = selection.matched
    tags_read = options.reads_tags
    if tags_read:
        try:
            workspaces = read_tags(api, workspaces, options.max_concurrency)
        except WorkspacesError as error:
            if not _tolerated(error, options):
                raise RegionFailed(region, "read the WorkSpaces' tags", error) from error
            warn(f"the WorkSpaces of {region} are listed without {TAGS_HOSTVAR}: the caller may not read their tags ({_detail(error)})")
            tags_read = False
    if options.include_connection_status:
        try:
            add_connection_status(api, workspaces)
        except WorkspacesError as error:
            if not _tolerated(error, options):
                raise RegionFailed(region, "read the WorkSpaces' connection status", error) from error
            warn(f"the WorkSpaces of {region} are listed without connection_state: the caller may not read it ({_detail(error)})")
    return [host_record(workspace, region, options.include_tags and tags_read) for workspace in workspaces]


def _tolerated(error: WorkspacesError, options: InventoryOptions) -> bool:
    return not options.strict_permissions and error.exception is not None and error_code(error.exception) in PERMISSION_ERROR_CODES


def _operation(error: WorkspacesError) -> str | None:
    return getattr(error.exception, "operation_name", None)


def _detail(error: WorkspacesError) -> str:
    return str(error.exception or error)


def host_record(workspace: AWSEntry, region: str, with_tags_hostvar: bool) -> HostRecord:
    """A WorkSpace as the inventory keeps it: its hostvars, and its tags for naming (None when not read).

    The hostvars are its DescribeWorkspaces fields snake_cased (timestamps as ISO 8601
    strings), its region, and, when asked for, its tags as workspaces_tags (keys as AWS has
    them: tag keys are the user's own names).
    """
    tags = workspace.get("Tags")
    fields = {key: value for key, value in workspace.items() if key != "Tags"}
    hostvars = camel_dict_to_snake_dict(normalize_boto3_result(fields))
    hostvars["region"] = region
    if with_tags_hostvar:
        hostvars[TAGS_HOSTVAR] = dict(tags or {})
    return {"vars": hostvars, "tags": None if tags is None else dict(tags)}


def name_hosts(records: t.Sequence[HostRecord], hostnames: t.Sequence[str], warn: Warn) -> list[tuple[str, HostRecord]]:
    """Each record with its host name: the first of hostnames the WorkSpace has a usable value for.

    A WorkSpace with none (a PENDING one has no computer name or IP address yet) is named by
    its id; so is every WorkSpace whose preferred name another one also claims (the same user
    in two directories, a tag value copied), since one host cannot stand for two desktops.
    No WorkSpace is ever left out.
    """
    ids = [record["vars"]["workspace_id"] for record in records]
    preferred = [_preferred_name(record, hostnames) or workspace_id for record, workspace_id in zip(records, ids)]
    names = list(preferred)
    while True:
        counts = collections.Counter(names)
        clashing = [index for index, name in enumerate(names) if counts[name] > 1 and name != ids[index]]
        if not clashing:
            break
        for index in clashing:
            names[index] = ids[index]
    shared: dict[str, list[str]] = collections.defaultdict(list)
    for name, chosen, workspace_id in zip(preferred, names, ids):
        if name != chosen:
            shared[name].append(workspace_id)
    for name, workspace_ids in sorted(shared.items()):
        warn(f"the hostname {name!r} would name more than one WorkSpace: {', '.join(workspace_ids)} are listed under their ids")
    return list(zip(names, records))


def _preferred_name(record: HostRecord, hostnames: t.Sequence[str]) -> str | None:
    for preference in hostnames:
        if preference.startswith(TAG_PREFIX):
            value = (record.get("tags") or {}).get(preference[len(TAG_PREFIX):])
        else:
            value = record["vars"].get(preference)
        if isinstance(value, str) and value.strip():
            return _HOSTNAME_UNSAFE.sub("_", value.strip())
    return None

# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: workspaces
short_description: Amazon WorkSpaces inventory source
version_added: 1.1.0
description:
  - Lists Amazon WorkSpaces as hosts, from one or more regions, with their DescribeWorkspaces fields as host variables.
  - Selects WorkSpaces as the collection's modules do (O(directory_ids), O(bundle_ids), O(tags), O(exclude_tags), O(states)), with the same rules.
  - The inventory file is a YAML configuration file whose name ends with C(workspaces.yml) or C(workspaces.yaml),
    for example C(desktops.workspaces.yml).
  - Every host is in the group C(workspaces); O(keyed_groups), O(groups) and O(compose) add groups and variables.
  - >-
    API calls: one DescribeWorkspaces pass per region (per directory or bundle when O(directory_ids) or O(bundle_ids) is given),
    25 WorkSpaces a page; one DescribeTags call per WorkSpace when tags are needed (see O(include_tags)), O(max_concurrency) at once;
    one DescribeWorkspacesConnectionStatus call per 25 WorkSpaces with O(include_connection_status).
    Regions are listed at the same time. Throttled and failed reads are retried with jittered backoff.
author:
  - euc.workspaces maintainers (@euc-collections)
extends_documentation_fragment:
  - inventory_cache
  - constructed
  - amazon.aws.boto3
  - amazon.aws.common.plugins
  - amazon.aws.region.plugins
  - amazon.aws.assume_role.plugins
options:
  plugin:
    description: The name of this plugin; it must be set for the file to be read as its configuration.
    required: true
    type: str
    choices: ['euc.workspaces.workspaces']
  regions:
    description:
      - The regions to list WorkSpaces from, each with its own DescribeWorkspaces pass.
      - When empty, the one region of O(region) (or E(AWS_REGION), or the profile's region).
        There is no discovery of regions, since WorkSpaces has no operation to list the regions it is offered in.
      - Each must be a region name, such as V(us-east-1). Without O(endpoint_url), it must also be a region where botocore knows WorkSpaces.
      - May be a template.
    type: list
    elements: str
    default: []
  directory_ids:
    description:
      - Only the WorkSpaces of these directories (each V(d-) or V(wsd-) followed by the directory's characters).
      - Each directory is a DescribeWorkspaces pass of its own, in each region. Empty lists every directory.
      - May be a template.
    type: list
    elements: str
    default: []
  bundle_ids:
    description:
      - Only the WorkSpaces created from these bundles (V(wsb-...)).
      - Without O(directory_ids), each bundle is a DescribeWorkspaces pass of its own; with them, a WorkSpace must be in one of
        the directories and on one of the bundles. Empty lists every bundle.
      - May be a template.
    type: list
    elements: str
    default: []
  tags:
    description:
      - Only the WorkSpaces that carry every one of these tags, with these values.
      - Values are strings; quote values YAML would read as something else (V("true"), V("0042")).
      - WorkSpaces has no server-side tag filter, so this reads the tags of every WorkSpace the other selectors leave.
    type: dict
    default: {}
  exclude_tags:
    description:
      - Leave out the WorkSpaces that carry any one of these tags with that value, for example desktops on hold for an investigation.
      - Read from the same DescribeTags calls as O(tags).
    type: dict
    default: {}
  states:
    description:
      - Only the WorkSpaces in these states.
      - The default is every state but V(TERMINATING) and V(TERMINATED).
      - Use V([AVAILABLE]) to target only the desktops that answer now; a stopped AUTO_STOP desktop would make a play time out.
    type: list
    elements: str
    choices:
      - PENDING
      - AVAILABLE
      - IMPAIRED
      - UNHEALTHY
      - REBOOTING
      - STARTING
      - REBUILDING
      - RESTORING
      - MAINTENANCE
      - ADMIN_MAINTENANCE
      - TERMINATING
      - TERMINATED
      - SUSPENDED
      - UPDATING
      - STOPPING
      - STOPPED
      - ERROR
  hostnames:
    description:
      - How hosts are named, in order of preference; the first the WorkSpace has a value for is used.
      - V(workspace_id), V(computer_name), V(ip_address), V(user_name), or V(tag:KEY) for the value of the tag KEY.
      - >-
        The default, V(workspace_id), is the one name every WorkSpace has from the moment it exists, that no other WorkSpace
        shares in any region or directory, that stays when the WorkSpace is rebuilt or restored (both give it a new IP address),
        and that the collection's modules take in O(euc.workspaces.workspace_reboot#module:workspace_ids).
        To connect by address or by name, set C(ansible_host) with O(compose) (see the examples).
      - A WorkSpace with no value for any of them (a V(PENDING) one has no computer name or IP address yet) is named by its id.
        So is every WorkSpace whose preferred name another one also has (the same user in two directories), with a warning.
        No WorkSpace is left out.
      - Characters other than letters, digits, V(.), V(_), V(-) and V(@) become V(_).
    type: list
    elements: str
    default: [workspace_id]
  include_tags:
    description:
      - Read each WorkSpace's tags into the host variable C(workspaces_tags), for O(keyed_groups) and plays.
      - This costs one DescribeTags call per WorkSpace. Set it to V(false) to list a large fleet faster;
        the tags are then read only when O(tags), O(exclude_tags) or a V(tag:KEY) entry of O(hostnames) needs them,
        and are not set as host variables.
    type: bool
    default: true
  include_connection_status:
    description:
      - Add C(connection_state) (V(CONNECTED), V(DISCONNECTED) or V(UNKNOWN)), C(connection_state_check_timestamp) and
        C(last_known_user_connection_timestamp) to each host, from DescribeWorkspacesConnectionStatus (one call per 25 WorkSpaces).
    type: bool
    default: false
  max_concurrency:
    description:
      - How many DescribeTags (and DescribeWorkspaces passes) of a region run at once.
    type: int
    default: 10
  strict_permissions:
    description:
      - By default, an access denied error fails the inventory.
      - With V(false), a region whose WorkSpaces the caller may not list is left out, and tags or connection states it may not
        read are left out of the hosts, each with a warning. Tags that O(tags) or O(exclude_tags) need still fail the inventory,
        since without them those selectors cannot be honoured.
    type: bool
    default: true
  hostvars_prefix:
    description: A prefix for the names of the host variables that come from AWS (not those of O(compose)).
    type: str
  hostvars_suffix:
    description: A suffix for the names of the host variables that come from AWS (not those of O(compose)).
    type: str
notes:
  - Host variables are the DescribeWorkspaces fields, snake_cased (C(workspace_id), C(state), C(directory_id), C(user_name),
    C(bundle_id), C(ip_address), C(computer_name), C(workspace_properties) with C(running_mode), C(compute_type_name) and
    C(operating_system_name), ...), C(region), C(workspaces_tags) (O(include_tags)) and the connection status (O(include_connection_status)).
    Timestamps are ISO 8601 strings.
  - With the cache on, a listing is reused only when made with the same selectors, regions and include options; any other one is made anew.
  - Unknown options in the configuration file are an error, so that a misspelt selector cannot widen the inventory.
  - "IAM permissions: C(workspaces:DescribeWorkspaces), and as the options need them C(workspaces:DescribeTags) and
    C(workspaces:DescribeWorkspacesConnectionStatus)."
seealso:
  - module: euc.workspaces.workspace_info
  - plugin: amazon.aws.aws_ec2
    plugin_type: inventory
"""

EXAMPLES = r"""
# desktops.workspaces.yml: every WorkSpace of two regions, grouped by state, directory and running mode
plugin: euc.workspaces.workspaces
regions:
  - us-east-1
  - eu-west-1
keyed_groups:
  - key: state
    prefix: state
  - key: directory_id
    prefix: directory
  - key: workspace_properties.running_mode
    prefix: running_mode
  - key: region
    prefix: region

---
# available.workspaces.yml: only the desktops that answer now, of one directory, none on hold;
# the tags are read for exclude_tags only, and not kept as host variables
plugin: euc.workspaces.workspaces
regions: [us-east-1]
directory_ids: [d-1234567890]
states: [AVAILABLE]
exclude_tags:
  Maintenance: hold
include_tags: false

---
# windows.workspaces.yml: Windows WorkSpaces over WinRM with Kerberos. The host is reached at its
# IP address, while Kerberos asks for a ticket for its computer name in the directory's domain.
plugin: euc.workspaces.workspaces
regions: [us-east-1]
directory_ids: [d-1234567890]
states: [AVAILABLE]
hostnames: [computer_name, workspace_id]
groups:
  windows: "'WINDOWS' in (workspace_properties.operating_system_name | default(''))"
compose:
  ansible_host: ip_address
  ansible_connection: "'winrm'"
  ansible_port: 5986
  ansible_winrm_transport: "'kerberos'"
  ansible_winrm_kerberos_hostname_override: "computer_name ~ '.corp.example.com'"

---
# tagged.workspaces.yml: a group per value of the Team tag, hosts named by their Name tag when
# they have one, cached for an hour
plugin: euc.workspaces.workspaces
regions: [eu-central-1]
hostnames: ["tag:Name", workspace_id]
keyed_groups:
  - key: workspaces_tags.Team | default('none')
    prefix: team
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/ansible-inventory
cache_timeout: 3600

---
# connected.workspaces.yml: whether a user is on the desktop, to leave it alone in a play
plugin: euc.workspaces.workspaces
regions: [us-east-1]
include_connection_status: true
include_tags: false
groups:
  in_use: connection_state == 'CONNECTED'
"""

import hashlib
import json
import os
import typing as t

try:
    # ansible-core 2.19 and later trust no variable an inventory plugin sets: none is templated.
    from ansible.template import trust_as_template  # pylint: disable=unused-import  # noqa: F401

    def _untrusted(value: t.Any) -> t.Any:
        return value

except ImportError:
    # Earlier, a host variable holding "{{ ... }}" (a tag value anyone who may tag a WorkSpace
    # can write) would be templated when used; marked unsafe, it never is.
    from ansible.utils.unsafe_proxy import wrap_var as _untrusted

from ansible_collections.amazon.aws.plugins.plugin_utils.inventory import AWSInventoryBase

from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.api import WorkspacesApi
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.common import SERVICE
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.common import InvalidOptionError
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.common import offered_regions
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.concurrency import map_concurrently
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.inventory import HostRecord
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.inventory import InventoryOptions
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.inventory import RegionFailed
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.inventory import list_region
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.inventory import name_hosts
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.module_runner import client_config

GROUP = "workspaces"
# Besides endpoint_url, botocore sends requests to the endpoint these name.
_ENDPOINT_VARIABLES = ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_WORKSPACES")


class InventoryModule(AWSInventoryBase):
    NAME = "euc.workspaces.workspaces"
    INVENTORY_FILE_SUFFIXES = ("workspaces.yml", "workspaces.yaml")

    class TemplatedOptions(AWSInventoryBase.TemplatedOptions):
        """amazon.aws's templated options, plus the selectors that name AWS resources.

        Its get() passes disable_lookups to the templar, which ansible-core 2.19 deprecates
        (a warning on every run): this one templates the same values the same way without it.
        """

        TEMPLATABLE_OPTIONS = AWSInventoryBase.TemplatedOptions.TEMPLATABLE_OPTIONS + ("directory_ids", "bundle_ids")

        def get(self, *args: t.Any) -> t.Any:
            value = self.original_options.get(*args)
            if not value or not self.templar or args[0] not in self.TEMPLATABLE_OPTIONS or not self.templar.is_template(value):
                return value
            return self.templar.template(value)

    def _read_config_data(self, path: str) -> t.Any:
        """Read the configuration and refuse unknown options: Ansible ignores them, and a
        misspelt exclude_tags or states would silently list desktops meant to be left out."""
        config = super()._read_config_data(path)
        unknown = sorted(set(config) - set(self._options) - {"plugin"})
        if unknown:
            self.fail_aws(f"{path}: unknown options {', '.join(map(repr, unknown))} (see ansible-doc -t inventory {self.NAME})")
        return config

    def parse(self, inventory: t.Any, loader: t.Any, path: str, cache: bool = True) -> None:
        super().parse(inventory, loader, path, cache=cache)
        options = InventoryOptions.from_options(self.get_option, self.region)
        try:
            options.validate(None if self._custom_endpoint() else offered_regions())
        except InvalidOptionError as error:
            self.fail_aws(f"{path}: {error}")

        self._populate(self._records(path, cache, options), options)

    def _custom_endpoint(self) -> bool:
        return bool(self.get_option("endpoint_url")) or any(os.environ.get(name) for name in _ENDPOINT_VARIABLES)

    def _records(self, path: str, cache: bool, options: InventoryOptions) -> list[HostRecord]:
        """The hosts from the cache when it holds a listing made with these options, else listed anew."""
        query = dict(options.query(), account=self._account_key())
        records = self._cached_records(path, cache, query)
        if records is None:
            records = self._list(options)
            if self.get_option("cache"):
                # Written only when listed anew, so that reading the cache does not extend its life.
                self._cache[self.get_cache_key(path)] = {"query": query, "hosts": records}
        return records

    def _account_key(self) -> str:
        """Which account and endpoint the listing comes from, as a digest: the same file read
        with another profile, key or role must not be given this one's hosts, and the cache
        must not hold the key itself."""
        names = ("profile", "access_key", "assume_role_arn", "endpoint_url")
        identity = json.dumps([self.get_option(name) for name in names] + [os.environ.get(name) for name in _ENDPOINT_VARIABLES])
        return hashlib.sha256(identity.encode("utf-8")).hexdigest()

    def _cached_records(self, path: str, cache: bool, query: dict[str, t.Any]) -> list[HostRecord] | None:
        """The cached hosts, when there are some, fresh, listed by the same query."""
        found, cached = self.get_cached_result(path, cache)
        if found and isinstance(cached, dict) and cached.get("query") == query:
            return list(cached.get("hosts") or [])
        return None

    def _list(self, options: InventoryOptions) -> list[HostRecord]:
        """Every region's host records, the regions listed at the same time, in the order of regions."""
        config = client_config(options.max_concurrency)
        apis = [
            (region, WorkspacesApi(self.client(SERVICE, region=region, config=config), max_concurrency=options.max_concurrency))
            for region in options.regions
        ]
        try:
            listed = map_concurrently(lambda item: list_region(item[1], item[0], options, self.warn), apis, len(apis))
        except RegionFailed as failure:
            self.fail_aws(f"{failure.region}: {failure.error.message}", exception=failure.error.exception)
        return [record for records in listed for record in records]

    def _populate(self, records: list[HostRecord], options: InventoryOptions) -> None:
        self.inventory.add_group(GROUP)
        strict = self.get_option("strict")
        for name, record in name_hosts(records, options.hostnames, self.warn):
            hostvars = self._named_hostvars(record["vars"])
            self.inventory.add_host(name, group=GROUP)
            for variable, value in hostvars.items():
                self.inventory.set_variable(name, variable, value)
            self._set_composite_vars(self.get_option("compose"), hostvars, name, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), hostvars, name, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), hostvars, name, strict=strict)

    def _named_hostvars(self, hostvars: dict[str, t.Any]) -> dict[str, t.Any]:
        prefix = self.get_option("hostvars_prefix") or ""
        suffix = self.get_option("hostvars_suffix") or ""
        return {f"{prefix}{variable}{suffix}": _untrusted(value) for variable, value in hostvars.items()}
